#!/usr/bin/env bash
# svid_cli.sh AEGIS: the operator's path from attestation to credential,
# through the real binary on the swtpm_attest and gpsd_smoke fixtures (run
# through test/fixtures/with-fixtures): 'aegis ca' makes and guards a CA
# directory, 'aegis attest --json' records a PoG and a PoR node, 'aegis svid
# mint' turns them plus a running process into SVIDs, 'aegis svid inspect'
# reads them back. The certificates are checked with openssl, the code hash
# with sha256sum: tools we did not write.
set -euo pipefail

aegis=${1:?usage: svid_cli.sh AEGIS}
: "${AE_SWTPM_DIR:?run through ctest (fixtures swtpm_attest, gpsd_smoke)}"
: "${AE_GPSD_INSIDE_HOST:?run through ctest (fixture gpsd_smoke)}"
work=$(mktemp -d "$AE_SWTPM_DIR/svid_cli.XXXXXX")
sleeper=
trap '[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; rm -rf "$work"' EXIT
export TPM2TOOLS_TCTI=$AE_TPM_TCTI
checks=0

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# run WANT ARGS...: aegis ARGS with stdout in $work/out, stderr in $work/err.
run() {
        local want=$1 rc=0
        shift
        "$aegis" "$@" >"$work/out" 2>"$work/err" || rc=$?
        if [ "$rc" -ne "$want" ]; then
                echo "--- stdout" >&2; cat "$work/out" >&2
                echo "--- stderr" >&2; cat "$work/err" >&2
                fail "aegis $*: exit $rc, expected $want"
        fi
        checks=$((checks + 1))
}

expect() {
        grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }
}

tpm2_flushcontext -t >/dev/null
tpm2_pcrreset 16 >/dev/null

# ---- a CA directory ---------------------------------------------------------
ca=$work/ca
run 0 ca init --dir "$ca" --trust-domain aegis.test
[ "$(stat -c %a "$ca")" = 700 ] || fail "CA directory mode $(stat -c %a "$ca")"
[ "$(stat -c %a "$ca/ca-key.pem")" = 600 ] || fail "CA key mode $(stat -c %a "$ca/ca-key.pem")"
openssl x509 -in "$ca/ca-cert.pem" -noout -ext basicConstraints,keyUsage,subjectAltName \
        >"$work/ca.txt"
expect "$work/ca.txt" "CA:TRUE"
expect "$work/ca.txt" "Certificate Sign"
expect "$work/ca.txt" "URI:spiffe://aegis.test"
run 0 ca show --dir "$ca"
expect "$work/out" "trust domain  aegis.test"
expect "$work/out" "key           p256"
# Refusals change nothing.
cp "$ca/ca-key.pem" "$work/key.before"
run 1 ca init --dir "$ca" --trust-domain aegis.test
expect "$work/err" "(ca_exists)"
cmp -s "$ca/ca-key.pem" "$work/key.before" || fail "a refused init changed the key"
run 1 ca init --dir "$work/ca-bad" --trust-domain AEGIS.test
expect "$work/err" "(ca_trust_domain)"
run 2 ca init --dir "$work/ca-bad" --trust-domain aegis.test --key dsa

# ---- a plain SVID (no attestation claims) -----------------------------------
mkdir "$work/plain"
run 0 svid mint --ca "$ca" --id spiffe://aegis.test/plain --out "$work/plain"
openssl verify -CAfile "$work/plain/bundle.pem" "$work/plain/svid.pem" >"$work/verify.txt" 2>&1 ||
        { cat "$work/verify.txt" >&2; fail "openssl verify refused the plain SVID"; }
[ "$(stat -c %a "$work/plain/svid.key")" = 600 ] || fail "SVID key mode"
openssl pkey -in "$work/plain/svid.key" -pubout >"$work/key.pub"
openssl x509 -in "$work/plain/svid.pem" -noout -pubkey >"$work/cert.pub"
cmp -s "$work/key.pub" "$work/cert.pub" || fail "svid.key does not match svid.pem"
run 0 svid inspect "$work/plain/svid.pem"
expect "$work/out" "spiffe id   spiffe://aegis.test/plain"
expect "$work/out" "claims      none"
run 1 svid mint --ca "$ca" --id spiffe://elsewhere.test/plain --out "$work/plain"
expect "$work/err" "(id_foreign_trust_domain)"
run 1 svid mint --ca "$ca" --id spiffe://aegis.test --out "$work/plain"
expect "$work/err" "(id_no_path)"

# ---- nodes: PoG in Berlin, PoR in Paris --------------------------------------
golden=$(tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 |
        sed -n 's/^ *\([0-9]\+\) *: 0x\([0-9A-Fa-f]\{64\}\)$/"\1": "\2"/p' | paste -sd, -)
policy=$work/policy.json
cat >"$policy" <<JSON
{
  "version": 1,
  "trust_domain": "aegis.test",
  "ek": { "trust": "ca", "ca_bundle": "$AE_EK_CA_BUNDLE" },
  "pcrs": {
    "quote": { "sha256": [0, 1, 2, 3, 4, 5, 6, 7, 16] },
    "golden": { "base": { "sha256": { $golden } } }
  },
  "location": {
    "max_age_s": 120, "min_mode": 3, "max_speed_mps": 340,
    "zones": { "berlin-mitte": { "circle": { "center": [13.405, 52.52], "radius_m": 3000 } } }
  }
}
JSON
"$aegis" attest --policy "$policy" --tcti "$AE_TPM_TCTI" --json --sensor-serial cli-test \
        --gpsd "$AE_GPSD_INSIDE_HOST:$AE_GPSD_INSIDE_PORT" --gnss-timeout 20 >"$work/pog.json"
expect "$work/pog.json" '"level":"pog"'
"$aegis" attest --policy "$policy" --tcti "$AE_TPM_TCTI" --json --sensor-serial cli-test \
        --gpsd "$AE_GPSD_OUTSIDE_HOST:$AE_GPSD_OUTSIDE_PORT" --gnss-timeout 20 >"$work/por.json"
expect "$work/por.json" '"level":"por"'
ek_hash=$(sed -n 's/.*"ek_hash":"\([0-9a-f]*\)".*/\1/p' "$work/pog.json")

# ---- a PoG SVID for a running process -----------------------------------------
sleep_bin=$(readlink -f "$(command -v sleep)")
sleep 300 &
sleeper=$!
# Until the child has exec'd, /proc/PID/exe is the shell.
for _ in $(seq 100); do
        [ "$(readlink /proc/$sleeper/exe)" = "$sleep_bin" ] && break
        sleep 0.05
done
code_hash=$(sha256sum "$sleep_bin" | cut -d' ' -f1)
mkdir "$work/pog"
run 0 svid mint --ca "$ca" --id spiffe://aegis.test/w/sleeper --out "$work/pog" \
        --node "$work/pog.json" --pid "$sleeper"
expect "$work/out" "level pog"
openssl verify -CAfile "$work/pog/bundle.pem" "$work/pog/svid.pem" >"$work/verify.txt" 2>&1 ||
        { cat "$work/verify.txt" >&2; fail "openssl verify refused the PoG SVID"; }
# The claims extension as openssl sees it: a UTF8String of the JSON.
openssl asn1parse -in "$work/pog/svid.pem" >"$work/asn1.txt"
grep -A2 ":1.3.6.1.4.1.55744.1.1" "$work/asn1.txt" >/dev/null || fail "no claims extension"
run 0 svid inspect --json "$work/pog/svid.pem"
expect "$work/out" '"spiffe_id":"spiffe://aegis.test/w/sleeper"'
expect "$work/out" "\"code_hash\":\"$code_hash\""
expect "$work/out" "\"ek_hash\":\"$ek_hash\""
expect "$work/out" '"level":"pog"'
expect "$work/out" '"zones":["berlin-mitte"]'
expect "$work/out" '"sensor_id":"cli-test"'
run 0 svid inspect "$work/pog/svid.pem"
expect "$work/out" "level pog (Proof of Geofencing)"
expect "$work/out" "code sha256 $code_hash"

# PoR: the claims say so, with no zone.
mkdir "$work/por"
run 0 svid mint --ca "$ca" --id spiffe://aegis.test/w/sleeper --out "$work/por" \
        --node "$work/por.json" --code-hash "$code_hash"
run 0 svid inspect --json "$work/por/svid.pem"
expect "$work/out" '"level":"por"'

# ---- a relying party's verdicts -------------------------------------------------
pog=$work/pog/svid.pem por=$work/por/svid.pem bundle=$work/pog/bundle.pem
run 0 svid verify --bundle "$bundle" --require "level=pog,zone=berlin-mitte,code_hash=$code_hash,ek_hash=$ek_hash,max_age=600" "$pog"
expect "$work/out" "accepted: spiffe://aegis.test/w/sleeper, level pog"
run 1 svid verify --bundle "$bundle" --require level=pog "$por"
expect "$work/out" "refused: rule_level"
run 0 svid verify --bundle "$bundle" --require level=por "$por"
run 1 svid verify --bundle "$bundle" --require zone=paris "$pog"
expect "$work/out" "refused: rule_zone"
run 1 svid verify --bundle "$bundle" --require "code_hash=$(printf '%064d' 0)" "$pog"
expect "$work/out" "refused: rule_code_hash"
run 1 svid verify --bundle "$bundle" --require level=pog "$work/plain/svid.pem"
expect "$work/out" "refused: claims_absent"
run 1 svid verify --bundle "$bundle" --require max_age=600 --at $(($(date +%s) + 1800)) "$pog"
expect "$work/out" "refused: attestation_stale"
run 1 svid verify --json --bundle "$bundle" --at $(($(date +%s) + 86400)) "$pog"
expect "$work/out" '"accepted":false,"reason":"chain_expired"'
# Another trust domain's CA cannot vouch for aegis.test.
run 0 ca init --dir "$work/other" --trust-domain other.test
run 1 svid verify --bundle "$work/other/bundle.pem" "$pog"
expect "$work/out" "refused: trust_domain_unknown"
run 1 svid verify --bundle "aegis.test=$work/other/bundle.pem" "$pog"
expect "$work/err" "root's URI SAN names another trust domain"
run 2 svid verify --bundle "$bundle" --require colour=blue "$pog"
expect "$work/err" "colour"
run 2 svid verify "$pog"
# Not certificates: said so, exit 1.
echo "not a certificate" >"$work/junk.pem"
run 1 svid inspect "$work/junk.pem"
expect "$work/err" "junk.pem: no certificate"
run 1 svid verify --bundle "$bundle" "$work/junk.pem"
expect "$work/err" "junk.pem: no certificate"
run 1 svid inspect "$ca/ca-key.pem"
expect "$work/err" "PEM block is not a CERTIFICATE"

# ---- refusals ----------------------------------------------------------------
sed 's/"accepted":true/"accepted":false/' "$work/pog.json" >"$work/refused.json"
run 1 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/pog" \
        --node "$work/refused.json" --code-hash "$code_hash"
expect "$work/err" "not an accepted node attestation (member accepted)"
run 1 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/pog" \
        --node "$work/pog.json" --code-hash "${code_hash^^}"
expect "$work/err" "(claims_hex)"
kill "$sleeper"
wait "$sleeper" 2>/dev/null || true
run 1 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/pog" \
        --node "$work/pog.json" --pid "$sleeper"
expect "$work/err" "workload refused"
sleeper=
chmod 0640 "$ca/ca-key.pem"
run 1 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/plain"
expect "$work/err" "CA key file mode"
chmod 0600 "$ca/ca-key.pem"
run 2 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/plain" --pid 1
run 2 svid mint --ca "$ca" --id spiffe://aegis.test/w --out "$work/plain" --node "$work/pog.json"

# ---- mTLS between openssl s_server and s_client, with our SVIDs and keys -----
# s_server demands and verifies a client certificate; -rev echoes reversed,
# so "egde" back proves the handshake completed both ways.
openssl s_server -accept 127.0.0.1:0 -cert "$pog" -key "$work/pog/svid.key" -CAfile "$bundle" \
        -Verify 1 -verify_return_error -naccept 1 -rev >"$work/s_server.out" 2>&1 &
server=$!
for _ in $(seq 100); do
        port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$work/s_server.out")
        [ -n "$port" ] && break
        sleep 0.05
done
[ -n "$port" ] || fail "s_server did not start: $(cat "$work/s_server.out")"
echo edge | timeout 20 openssl s_client -connect "127.0.0.1:$port" -cert "$por" \
        -key "$work/por/svid.key" -CAfile "$bundle" -verify_return_error -quiet \
        >"$work/s_client.out" 2>&1 || true
wait "$server" || true
expect "$work/s_client.out" "egde"
checks=$((checks + 1))

# ---- rotation: the bundle keeps the old root, old SVIDs still verify ---------
run 0 ca rotate --dir "$ca"
[ "$(grep -c 'BEGIN CERTIFICATE' "$ca/bundle.pem")" = 2 ] || fail "bundle after rotation"
openssl verify -CAfile "$ca/bundle.pem" "$work/pog/svid.pem" >/dev/null 2>&1 ||
        fail "an SVID minted before rotation no longer verifies"
mkdir "$work/after"
run 0 svid mint --ca "$ca" --id spiffe://aegis.test/after --out "$work/after"
openssl verify -CAfile "$ca/bundle.pem" "$work/after/svid.pem" >/dev/null 2>&1 ||
        fail "an SVID minted after rotation does not verify"
openssl verify -CAfile "$work/plain/bundle.pem" "$work/after/svid.pem" >/dev/null 2>&1 &&
        fail "the old root alone vouches for the new key"

echo "svid_cli: $checks runs as expected"
