#!/usr/bin/env python3
"""The SPIFFE Workload API as a client we did not write sees it: Debian's
grpcio, with stubs generated at test time by python3-grpc-tools from the
standard workload.proto, calls Aegis' Workload API (workload_api_server)
over its Unix socket.

Checks: X.509-SVIDs whose key matches the certificate and whose chain
`openssl verify` accepts against the bundle sent with it; the attestation
claims on the SVID of an entry naming this interpreter's sha256; rotation
pushed on the open stream before the old SVID expires; the security header
rule (InvalidArgument); an unregistered workload (PermissionDenied), also
on a stream whose entry is removed; FetchJWTSVID + ValidateJWTSVID round
trip, refused for another audience; FetchJWTBundles is a JWK Set;
FetchX509Bundles carries the root. Exit 77 (skipped) without grpcio."""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import grpc
    from grpc_tools import protoc  # noqa: F401 (presence check)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
except ImportError as e:
    print(f"skipped: {e} (python3-grpcio, python3-grpc-tools, python3-cryptography)")
    sys.exit(77)

HEADER = (("workload.spiffe.io", "true"),)
CLAIMS_OID = x509.ObjectIdentifier("1.3.6.1.4.1.55744.1.1")
checks = 0


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    global checks
    if not cond:
        fail(msg)
    checks += 1


def generate_stubs(proto_root, out):
    os.makedirs(out)
    r = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}",
                        f"--python_out={out}", f"--grpc_python_out={out}",
                        os.path.join(proto_root, "spiffe", "workload.proto")],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"grpc_tools.protoc: {r.stderr}")
    sys.path.insert(0, out)
    from spiffe import workload_pb2, workload_pb2_grpc  # noqa: E402 (generated above)
    return workload_pb2, workload_pb2_grpc


def der_header(blob, i):
    """(header length, content length) of the DER element at i."""
    n = blob[i + 1]
    if n < 0x80:
        return 2, n
    k = n & 0x7F
    return 2 + k, int.from_bytes(blob[i + 2:i + 2 + k], "big")


def der_certs(blob):
    """Split concatenated DER certificates."""
    certs, i = [], 0
    while i < len(blob):
        check(blob[i] == 0x30, "DER chain: not a SEQUENCE")
        hdr, length = der_header(blob, i)
        certs.append(x509.load_der_x509_certificate(blob[i:i + hdr + length]))
        i += hdr + length
    return certs


def claims_of(cert):
    """The attestation claims: a DER UTF8String (tag 0x0c) of JSON."""
    value = cert.extensions.get_extension_for_oid(CLAIMS_OID).value.value
    check(value[0] == 0x0C, "claims extension is not a UTF8String")
    hdr, length = der_header(value, 0)
    return json.loads(value[hdr:hdr + length])


class Server:
    def __init__(self, binary, sock, ca_dir):
        self.p = subprocess.Popen([binary, sock, ca_dir], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        check(line.strip() == "READY", f"server did not start: {line!r}")

    def cmd(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def stop(self):
        self.p.stdin.close()
        check(self.p.wait(timeout=30) == 0, "server exit status")


def check_svid(svid, want_id, work, bundle_der):
    chain = der_certs(svid.x509_svid)
    leaf = chain[0]
    key = serialization.load_der_private_key(svid.x509_svid_key, password=None)
    pub = lambda k: k.public_bytes(serialization.Encoding.DER,  # noqa: E731
                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    check(pub(key.public_key()) == pub(leaf.public_key()), "SVID key does not match its certificate")
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    check(san.get_values_for_type(x509.UniformResourceIdentifier) == [want_id],
          f"URI SAN {san} != {want_id}")
    check(svid.spiffe_id == want_id, f"spiffe_id {svid.spiffe_id}")
    leaf_pem = os.path.join(work, "leaf.pem")
    roots_pem = os.path.join(work, "roots.pem")
    with open(leaf_pem, "wb") as f:
        f.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(roots_pem, "wb") as f:
        for c in der_certs(bundle_der):
            f.write(c.public_bytes(serialization.Encoding.PEM))
    r = subprocess.run(["openssl", "verify", "-CAfile", roots_pem, leaf_pem],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"openssl verify: {r.stdout}{r.stderr}")
    return leaf


def code(call):
    try:
        call()
    except grpc.RpcError as e:
        return e.code(), e.details()
    return grpc.StatusCode.OK, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--proto-root", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ae-wlapi-")
    server = None
    try:
        pb, pb_grpc = generate_stubs(args.proto_root, os.path.join(work, "stubs"))
        sock = os.path.join(work, "agent.sock")
        server = Server(args.server, sock, os.path.join(work, "ca"))
        me = os.path.realpath(f"/proc/{os.getpid()}/exe")
        with open(me, "rb") as f:
            my_hash = hashlib.sha256(f.read()).hexdigest()
        check(server.cmd(f"entry by-hash spiffe://example.org/python 3600 aegis_exe:sha256:{my_hash} "
                         "aegis_tpm:geo_zone:eu-de") == "OK", "entry by-hash")
        check(server.cmd(f"entry by-uid spiffe://example.org/by-uid 3600 aegis_exe:uid:{os.geteuid()}")
              == "OK", "entry by-uid")
        channel = grpc.insecure_channel(f"unix:{sock}")
        stub = pb_grpc.SpiffeWorkloadAPIStub(channel)

        # X.509-SVIDs: both entries, the first the default, with claims.
        stream = stub.FetchX509SVID(pb.X509SVIDRequest(), metadata=HEADER, timeout=30)
        first = next(stream)
        check(len(first.svids) == 2, f"{len(first.svids)} SVIDs")
        leaf = check_svid(first.svids[0], "spiffe://example.org/python", work,
                          first.svids[0].bundle)
        claims = claims_of(leaf)
        check(claims["level"] == "pog" and claims["grc.workload"]["code_hash"] == my_hash,
              f"claims {claims}")
        check_svid(first.svids[1], "spiffe://example.org/by-uid", work, first.svids[1].bundle)
        stream.cancel()

        # Rotation: a 4 s SVID is renewed at half-life on the open stream,
        # before the old one expires.
        check(server.cmd("clear") == "OK", "clear")
        check(server.cmd(f"entry short spiffe://example.org/short 4 aegis_exe:uid:{os.geteuid()}")
              == "OK", "entry short")
        stream = stub.FetchX509SVID(pb.X509SVIDRequest(), metadata=HEADER, timeout=30)
        a = der_certs(next(stream).svids[0].x509_svid)[0]
        b = der_certs(next(stream).svids[0].x509_svid)[0]
        got_at = time.time()
        check(a.serial_number != b.serial_number, "rotation sent the same SVID")
        check(got_at < a.not_valid_after.timestamp() + 1, "rotation came after the old SVID expired")
        check(b.not_valid_after > a.not_valid_after, "the new SVID does not outlive the old")

        # The entry goes away: the open stream ends with PermissionDenied,
        # and a new call is refused the same way.
        check(server.cmd("clear") == "OK", "clear")
        try:
            next(stream)
            fail("the stream went on without an entry")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.PERMISSION_DENIED, f"stream end: {e.code()}")
        c, d = code(lambda: next(stub.FetchX509SVID(pb.X509SVIDRequest(), metadata=HEADER,
                                                    timeout=10)))
        check(c == grpc.StatusCode.PERMISSION_DENIED and d == "no identity issued",
              f"unregistered: {c} {d}")

        # The security header rule, on every method.
        c, d = code(lambda: next(stub.FetchX509SVID(pb.X509SVIDRequest(), timeout=10)))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and d == "security header missing from request",
              f"no header: {c} {d}")
        c, d = code(lambda: stub.FetchJWTSVID(pb.JWTSVIDRequest(audience=["x"]), timeout=10,
                                              metadata=(("workload.spiffe.io", "false"),)))
        check(c == grpc.StatusCode.INVALID_ARGUMENT, f"header false: {c} {d}")

        # JWT-SVIDs: fetch, validate, refuse another audience.
        check(server.cmd(f"entry by-uid spiffe://example.org/by-uid 3600 aegis_exe:uid:{os.geteuid()}")
              == "OK", "entry by-uid again")
        aud = "spiffe://example.org/db"
        resp = stub.FetchJWTSVID(pb.JWTSVIDRequest(audience=[aud]), metadata=HEADER, timeout=10)
        check(len(resp.svids) == 1 and resp.svids[0].spiffe_id == "spiffe://example.org/by-uid",
              "FetchJWTSVID")
        token = resp.svids[0].svid
        v = stub.ValidateJWTSVID(pb.ValidateJWTSVIDRequest(audience=aud, svid=token),
                                 metadata=HEADER, timeout=10)
        check(v.spiffe_id == "spiffe://example.org/by-uid", f"validated id {v.spiffe_id}")
        check(v.claims["sub"] == "spiffe://example.org/by-uid", "claims sub")
        check(v.claims["aud"] == aud, f"claims aud {v.claims['aud']}")
        c, d = code(lambda: stub.ValidateJWTSVID(
            pb.ValidateJWTSVIDRequest(audience="spiffe://example.org/other", svid=token),
            metadata=HEADER, timeout=10))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and "aud_mismatch" in d, f"other aud: {c} {d}")
        c, d = code(lambda: stub.FetchJWTSVID(pb.JWTSVIDRequest(), metadata=HEADER, timeout=10))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and d == "audience must be specified",
              f"no audience: {c} {d}")
        c, d = code(lambda: stub.FetchJWTSVID(pb.JWTSVIDRequest(audience=[""]), metadata=HEADER,
                                              timeout=10))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and d == "audience refused",
              f"empty audience: {c} {d}")
        c, d = code(lambda: stub.ValidateJWTSVID(pb.ValidateJWTSVIDRequest(svid=token),
                                                 metadata=HEADER, timeout=10))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and d == "audience must be specified",
              f"validate without audience: {c} {d}")
        c, d = code(lambda: stub.ValidateJWTSVID(pb.ValidateJWTSVIDRequest(audience=aud),
                                                 metadata=HEADER, timeout=10))
        check(c == grpc.StatusCode.INVALID_ARGUMENT and d == "svid must be specified",
              f"validate without token: {c} {d}")

        # Bundles.
        jb = next(stub.FetchJWTBundles(pb.JWTBundlesRequest(), metadata=HEADER, timeout=10))
        jwks = json.loads(jb.bundles["spiffe://example.org"])
        check(len(jwks["keys"]) == 1 and jwks["keys"][0]["use"] == "jwt-svid", f"JWKS {jwks}")
        xb = next(stub.FetchX509Bundles(pb.X509BundlesRequest(), metadata=HEADER, timeout=10))
        roots = der_certs(xb.bundles["spiffe://example.org"])
        check(len(roots) == 1 and roots[0].issuer == roots[0].subject, "X.509 bundle root")
        channel.close()
        server.stop()
        server = None
        print(f"workload_api_interop: {checks} checks passed")
    finally:
        if server:
            server.p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
