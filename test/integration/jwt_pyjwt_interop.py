#!/usr/bin/python3
"""Aegis JWT-SVIDs against PyJWT, a JWT implementation we did not write
(Debian's python3-jwt, with python3-cryptography).

1. Tokens Aegis mints (ES256, ES384, RS256; with attestation claims, one and
   several audiences) validate in PyJWT with the public key taken from
   Aegis's JWK Set through jwt.PyJWKSet, and carry the claims as members of
   the payload.
2. Tokens PyJWT signs (ES256, ES384, RS256, PS256, with a kid) validate in
   Aegis against a JWK Set built from PyJWT's own JWK export.
3. The alg-confusion attack: an HS256 token signed through PyJWT's HMAC
   with the key's PEM public key as secret (a correct HMAC, checked here
   with Python's hmac module) is refused by Aegis with alg_not_allowed.
4. PyJWT's "none" token is refused with alg_none.
5. The other direction of refusals: PyJWT refuses an Aegis token for
   another audience and one whose signature was altered, as Aegis does.

Aegis answers through jwt_tool (test/integration/jwt_tool.c). Exits 0 when
everything holds, 1 on the first failure, 77 (skipped) without PyJWT.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import jwt
    from jwt.algorithms import ECAlgorithm, HMACAlgorithm, RSAAlgorithm, get_default_algorithms
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e} (install python3-jwt and python3-cryptography)")
    sys.exit(77)

TD = "example.org"
SUB = "spiffe://example.org/ns/prod/web"
AUD = "reports"

CLAIMS = {
    "v": 1,
    "level": "pog",
    "grc.workload": {
        "workload_id": SUB,
        "code_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
    "grc.tpm-attestation": {
        "ek_hash": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "ak_name": "000bfcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
        "pcr_policy": "base",
        "pcr_digest": "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7",
        "attested_at": 1795238298,
    },
    "grc.geolocation": {
        "tpm-attested-location": True,
        "zones": ["eu-de"],
        "policy_digest": "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13",
        "sensor_id": "F9P-0042",
        "fix_time": 1795238290,
        "gnss": {"retrieved_location": {"latitude": 52.52, "longitude": 13.405, "accuracy": 17.1}},
    },
}


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Env:
    def __init__(self, tool, tmp):
        self.tool = tool
        self.tmp = tmp

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(self.path(name), mode) as f:
            f.write(data)
        return self.path(name)

    def run(self, *args, stdin=None):
        p = subprocess.run([self.tool, *args], input=stdin, capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    def validate(self, token, bundles, audience=AUD, now=None):
        args = ["validate", "--aud", audience, "--now", str(now or int(time.time()))]
        for td, path in bundles.items():
            args += ["--bundle", f"{td}={path}"]
        rc, out, err = self.run(*args, stdin=token)
        if rc == 2:
            raise Failure(f"jwt_tool validate failed: {err}")
        return rc, json.loads(out)


def private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def inferred_algs(pyjwk):
    """The alg names whose PyJWT implementation PyJWK picked for a JWK."""
    picked = pyjwk.Algorithm
    return {name for name, a in get_default_algorithms().items()
            if type(a) is type(picked) and getattr(a, "hash_alg", None) == getattr(picked, "hash_alg", None)}


def ours_to_pyjwt(env):
    """Aegis mints, PyJWT validates with the key from Aegis's JWK Set."""
    keys = {
        "es256": (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        "es384": (ec.generate_private_key(ec.SECP384R1()), "ES384"),
        "rs256": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
    }
    pems = {kid: env.write(f"{kid}.pem", private_pem(k)) for kid, (k, _) in keys.items()}
    rc, jwks_text, err = env.run("jwks", *[f"{kid}={p}" for kid, p in pems.items()])
    check(rc == 0, f"jwt_tool writes a JWK Set ({err})")
    jwks = json.loads(jwks_text)
    check(all(k["use"] == "jwt-svid" for k in jwks["keys"]), "every key says use jwt-svid")
    keyset = jwt.PyJWKSet.from_json(jwks_text)
    check(len(keyset.keys) == 3, "PyJWKSet reads all three of our keys")
    by_kid = {k.key_id: k for k in keyset.keys}
    claims_path = env.write("claims.json", json.dumps(CLAIMS))
    now = int(time.time())

    for kid, (key, alg) in keys.items():
        rc, token, err = env.run("mint", "--key", pems[kid], "--kid", kid, "--td", TD,
                                 "--sub", SUB, "--aud", AUD, "--ttl", "300",
                                 "--now", str(now), "--claims", claims_path)
        check(rc == 0, f"{alg}: jwt_tool mints ({err})")
        header = jwt.get_unverified_header(token)
        check(header == {"alg": alg, "kid": kid, "typ": "JWT"}, f"{alg}: header {header}")
        pub = by_kid[kid]
        # PyJWK infers the alg from the JWK (kty/crv): it must agree with ours.
        check(alg in inferred_algs(pub), f"{alg}: PyJWK infers {sorted(inferred_algs(pub))}")
        payload = jwt.decode(token, pub.key, algorithms=[alg], audience=AUD,
                             options={"require": ["exp", "iat", "sub", "aud"]})
        check(payload["sub"] == SUB and payload["aud"] == AUD, f"{alg}: PyJWT validates sub, aud")
        check(payload["exp"] == now + 300 and payload["iat"] == now, f"{alg}: exp and iat")
        for name in ("v", "level", "grc.workload", "grc.tpm-attestation", "grc.geolocation"):
            check(payload[name] == CLAIMS[name], f"{alg}: claim member {name} as written")
        # The same public key also comes straight from the private PEM.
        direct = jwt.decode(token, key.public_key(), algorithms=[alg], audience=AUD)
        check(direct == payload, f"{alg}: the JWKS key is the signing key's public half")
        # Refusals on the PyJWT side too.
        try:
            jwt.decode(token, pub.key, algorithms=[alg], audience="other")
            raise Failure(f"{alg}: PyJWT accepted another audience")
        except jwt.InvalidAudienceError:
            print(f"ok: {alg}: PyJWT refuses another audience")
        head, body, sig = token.split(".")
        bad = f"{head}.{body}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
        try:
            jwt.decode(bad, pub.key, algorithms=[alg], audience=AUD)
            raise Failure(f"{alg}: PyJWT accepted an altered signature")
        except jwt.InvalidSignatureError:
            print(f"ok: {alg}: PyJWT refuses an altered signature")

    # Several audiences: an array PyJWT matches against any of them.
    rc, token, err = env.run("mint", "--key", pems["es256"], "--kid", "es256", "--td", TD,
                             "--sub", SUB, "--aud", AUD, "--aud", "billing", "--ttl", "60",
                             "--now", str(now))
    check(rc == 0, f"mint with two audiences ({err})")
    payload = jwt.decode(token, by_kid["es256"].key, algorithms=["ES256"], audience="billing")
    check(payload["aud"] == [AUD, "billing"], "aud is an array of both")
    check("v" not in payload and "level" not in payload, "no claims members when none were given")


# Coordinate sizes of the curves PyJWT exports here (RFC 7518 6.2.1.2).
EC_COORD_BYTES = {"P-256": 32, "P-384": 48}


def coords_full_size(jwk):
    """PyJWT 2.6 writes EC coordinates as minimal integers (to_base64url_uint),
    so about one key in 128 has a coordinate one byte short, which RFC 7518
    6.2.1.2 forbids and Aegis, like go-jose in SPIRE, refuses
    (short_coordinate_refused). Pads such coordinates to full size; keys
    already right are unchanged."""
    if jwk.get("kty") != "EC":
        return jwk
    size = EC_COORD_BYTES[jwk["crv"]]
    for c in ("x", "y"):
        raw = b64url_decode(jwk[c])
        jwk[c] = base64.urlsafe_b64encode(raw.rjust(size, b"\0")).rstrip(b"=").decode()
    return jwk


def short_coordinate_refused(env):
    """A P-256 key with a leading zero byte in x or y, as PyJWT 2.6 exports it
    (one byte short), is refused with the bundle's reason; the same key at
    full size is accepted. Keys are drawn until one has such a coordinate
    (about one in 128)."""
    for _ in range(20000):
        key = ec.generate_private_key(ec.SECP256R1())
        nums = key.public_key().public_numbers()
        if nums.x < 1 << 248 or nums.y < 1 << 248:
            break
    else:
        raise Failure("no P-256 key with a leading zero coordinate byte in 20000")
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "short", "use": "jwt-svid"})
    lens = sorted(len(b64url_decode(jwk[c])) for c in ("x", "y"))
    now = int(time.time())
    payload = {"sub": SUB, "aud": AUD, "exp": now + 120, "iat": now}
    token = jwt.encode(payload, private_pem(key), algorithm="ES256", headers={"kid": "short"})
    if lens[0] == 32:
        # A later PyJWT pads as the RFC says: nothing short to refuse.
        print(f"ok: PyJWT {jwt.__version__} writes full-size coordinates")
    else:
        check(lens[0] < 32, f"PyJWT writes a coordinate short: {lens} bytes")
        bundle = env.write("short-jwks.json", json.dumps({"keys": [jwk]}))
        rc, _, err = env.run("validate", "--aud", AUD, "--now", str(now),
                             "--bundle", f"{TD}={bundle}", stdin=token)
        check(rc == 2 and err.endswith("bundle refused: a jwt-svid key's material is invalid"),
              f"a short coordinate is refused ({rc}: {err})")
    bundle = env.write("full-jwks.json", json.dumps({"keys": [coords_full_size(jwk)]}))
    rc, out = env.validate(token, {TD: bundle}, now=now)
    check(rc == 0 and out["reason"] == "ok", f"the same key at full size is accepted ({out})")


def pyjwt_to_ours(env):
    """PyJWT signs, Aegis validates against a JWK Set from PyJWT's export
    (EC coordinates at full size: coords_full_size)."""
    cases = [
        ("py-es256", ec.generate_private_key(ec.SECP256R1()), "ES256", ECAlgorithm.to_jwk),
        ("py-es384", ec.generate_private_key(ec.SECP384R1()), "ES384", ECAlgorithm.to_jwk),
        ("py-rs256", rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256",
         RSAAlgorithm.to_jwk),
        ("py-ps256", rsa.generate_private_key(public_exponent=65537, key_size=3072), "PS256",
         RSAAlgorithm.to_jwk),
    ]
    jwks = {"keys": []}
    for kid, key, _, to_jwk in cases:
        jwk = coords_full_size(json.loads(to_jwk(key.public_key())))
        jwk.update({"kid": kid, "use": "jwt-svid"})
        jwks["keys"].append(jwk)
    bundle = env.write("pyjwt-jwks.json", json.dumps(jwks))
    bundles = {TD: bundle}
    now = int(time.time())

    for kid, key, alg, _ in cases:
        payload = {"sub": SUB, "aud": AUD, "exp": now + 120, "iat": now, "iss": "pyjwt"}
        token = jwt.encode(payload, private_pem(key), algorithm=alg, headers={"kid": kid})
        rc, out = env.validate(token, bundles)
        check(rc == 0 and out["reason"] == "ok", f"{alg}: Aegis validates PyJWT's token ({out})")
        check(out["sub"] == SUB and out["aud"] == [AUD] and out["alg"] == alg
              and out["kid"] == kid and out["exp"] == now + 120 and out["iat"] == now,
              f"{alg}: Aegis reads sub, aud, alg, kid, exp, iat")
        check("claims" not in out, f"{alg}: no claims")

        # With the attestation claims as payload members.
        token = jwt.encode(dict(payload, **CLAIMS), private_pem(key), algorithm=alg,
                           headers={"kid": kid})
        rc, out = env.validate(token, bundles)
        check(rc == 0 and out["claims"]["grc.workload"] == CLAIMS["grc.workload"]
              and out["claims"]["grc.geolocation"]["zones"] == ["eu-de"],
              f"{alg}: Aegis reads the claims PyJWT carried")

        # Refusals with exact reasons.
        rc, out = env.validate(token, bundles, audience="billing")
        check(rc == 1 and out["reason"] == "aud_mismatch", f"{alg}: another audience: {out}")
        expired = jwt.encode(dict(payload, exp=now - 10), private_pem(key), algorithm=alg,
                             headers={"kid": kid})
        rc, out = env.validate(expired, bundles)
        check(rc == 1 and out["reason"] == "expired", f"{alg}: expired: {out}")
        rc, out = env.validate(token, {"other.org": bundle})
        check(rc == 1 and out["reason"] == "sub_foreign_trust_domain",
              f"{alg}: bundle of another trust domain: {out}")

    # A PyJWT token with extra header members (here "cty") breaks JWT-SVID 2.
    key = cases[0][1]
    token = jwt.encode({"sub": SUB, "aud": AUD, "exp": now + 60}, private_pem(key),
                       algorithm="ES256", headers={"kid": "py-es256", "cty": "JWT"})
    rc, out = env.validate(token, bundles)
    check(rc == 1 and out["reason"] == "header_not_allowed", f"cty header: {out}")
    # And without a kid there is no key to choose.
    token = jwt.encode({"sub": SUB, "aud": AUD, "exp": now + 60}, private_pem(key),
                       algorithm="ES256")
    rc, out = env.validate(token, bundles)
    check(rc == 1 and out["reason"] == "kid_missing", f"no kid: {out}")


class LaxHMAC(HMACAlgorithm):
    """PyJWT's HMAC without its guard against PEM keys: what an attacker (or
    a careless library) signs with."""

    def prepare_key(self, key):
        return key if isinstance(key, bytes) else key.encode()


def attacks(env):
    """HS256 with the public PEM as secret, and alg none."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = env.write("victim.pem", private_pem(key))
    rc, jwks_text, err = env.run("jwks", f"victim={pem}")
    check(rc == 0, f"victim's JWK Set ({err})")
    bundle = env.write("victim-jwks.json", jwks_text)
    bundles = {TD: bundle}
    now = int(time.time())
    payload = {"sub": SUB, "aud": AUD, "exp": now + 60}
    pub = public_pem(key)

    # Stock PyJWT will not use a PEM key as an HMAC secret...
    try:
        jwt.encode(payload, pub, algorithm="HS256", headers={"kid": "victim"})
        raise Failure("stock PyJWT signed HS256 with a PEM public key")
    except jwt.InvalidKeyError:
        print("ok: stock PyJWT refuses a PEM key as HMAC secret")
    # ...so the attacker lifts the guard, and PyJWT's own HMAC signs.
    jws = jwt.PyJWS()
    jws.unregister_algorithm("HS256")
    jws.register_algorithm("HS256", LaxHMAC(LaxHMAC.SHA256))
    token = jws.encode(json.dumps(payload).encode(), pub, algorithm="HS256",
                       headers={"kid": "victim"})
    head, body, sig = token.split(".")
    want = hmac.new(pub, f"{head}.{body}".encode(), hashlib.sha256).digest()
    check(b64url_decode(sig) == want, "the attack token's HMAC-SHA256 is correct")
    check(jwt.get_unverified_header(token)["alg"] == "HS256", "the attack token says HS256")
    rc, out = env.validate(token, bundles)
    check(rc == 1 and out["reason"] == "alg_not_allowed", f"HS256 with the PEM refused: {out}")

    # alg none, as PyJWT writes it: empty signature.
    token = jwt.encode(payload, None, algorithm="none", headers={"kid": "victim"})
    check(token.endswith("."), "PyJWT's none token has an empty signature")
    rc, out = env.validate(token, bundles)
    check(rc == 1 and out["reason"] == "alg_none", f"alg none refused: {out}")

    # Control: the same payload properly signed by the victim's key passes.
    token = jwt.encode(payload, private_pem(key), algorithm="ES256", headers={"kid": "victim"})
    rc, out = env.validate(token, bundles)
    check(rc == 0, f"the properly signed token passes: {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, help="path to jwt_tool")
    args = ap.parse_args()
    print(f"PyJWT {jwt.__version__}")
    tmp = tempfile.mkdtemp(prefix="ae-jwt-interop-")
    try:
        env = Env(args.tool, tmp)
        ours_to_pyjwt(env)
        pyjwt_to_ours(env)
        short_coordinate_refused(env)
        attacks(env)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(tmp)
    print("all interop checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
