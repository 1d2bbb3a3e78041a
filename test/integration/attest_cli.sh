#!/usr/bin/env bash
# attest_cli.sh AEGIS: `aegis attest` against the swtpm_attest fixture (run
# through test/fixtures/with-fixtures): exit status 0 accepted, 1 refused or
# failed, 2 usage; the --state file is written only after an accepted
# attestation and its clock only moves forward. The EK identity and the
# golden PCR values are taken with openssl and tpm2-tools, not with Aegis.
set -euo pipefail

aegis=${1:?usage: attest_cli.sh AEGIS}
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
work=$(mktemp -d "$AE_SWTPM_DIR/attest_cli.XXXXXX")
handle=0x81010031 # this test's persistent AK handle
trap 'rm -rf "$work"' EXIT
export TPM2TOOLS_TCTI=$AE_TPM_TCTI
checks=0

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# tools CMD...: a tpm2-tools command that must work (quiet unless it fails).
tools() {
        "$@" >"$work/tool.out" 2>&1 || { cat "$work/tool.out" >&2; fail "$*"; }
}

# A failed earlier test may have left objects, an extended PCR 16 or the AK.
clean() {
        tools tpm2_flushcontext -t
        tools tpm2_flushcontext -l
        tools tpm2_flushcontext -s
        tools tpm2_pcrreset 16
        if tpm2_getcap handles-persistent | grep -qi "$handle"; then
                tools tpm2_evictcontrol -C o -c "$handle"
        fi
}

# attest WANT ARGS...: run aegis attest, stdout to $work/out, stderr to
# $work/err; the exit status must be WANT.
attest() {
        local want=$1 rc=0
        shift
        "$aegis" attest "$@" >"$work/out" 2>"$work/err" || rc=$?
        if [ "$rc" -ne "$want" ]; then
                echo "--- stdout" >&2
                cat "$work/out" >&2
                echo "--- stderr" >&2
                cat "$work/err" >&2
                fail "aegis attest $*: exit $rc, expected $want"
        fi
        checks=$((checks + 1))
}

# expect FILE TEXT: FILE holds TEXT (fixed string).
expect() {
        grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }
}

# untouched FILE COPY: FILE has COPY's content and was not rewritten (aegis
# replaces the state file by rename, so a write shows as a new inode).
untouched() {
        cmp -s "$1" "$2" || fail "$1 changed by a refused attestation"
        [ "$(stat -c %i "$1")" = "$(cat "$2.inode")" ] ||
                fail "$1 rewritten by a refused attestation"
}

# keep FILE COPY: remember FILE's content and inode for untouched.
keep() {
        cp "$1" "$2"
        stat -c %i "$1" >"$2.inode"
}

# state_field FILE KEY: a number from a state file.
state_field() {
        sed -n "s/.*\"$2\":\([0-9]\+\).*/\1/p" "$1"
}

clean

# ---- policy: the fixture's CA, golden values as the TPM has them now ------
golden=$(tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 |
        sed -n 's/^ *\([0-9]\+\) *: 0x\([0-9A-Fa-f]\{64\}\)$/"\1": "\2"/p' | paste -sd, -)
[ "$(echo "$golden" | tr ',' '\n' | wc -l)" -eq 9 ] || fail "tpm2_pcrread: $golden"
policy=$work/policy.json
cat >"$policy" <<EOF
{
  "version": 1,
  "trust_domain": "aegis.test",
  "ek": { "trust": "ca", "ca_bundle": "$AE_EK_CA_BUNDLE" },
  "pcrs": {
    "quote": { "sha256": [0, 1, 2, 3, 4, 5, 6, 7, 16] },
    "golden": { "base": { "sha256": { $golden } } }
  }
}
EOF
ek_id=$(openssl x509 -inform DER -in "$AE_TPM_EK_RSA_CERT" -noout -pubkey |
        openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
root_id=$(openssl x509 -in "$AE_EK_CA_ROOT" -outform DER | sha256sum | cut -d' ' -f1)
spiffe_id=spiffe://aegis.test/spire/agent/aegis_tpm/$ek_id
state=$work/state.json

# ---- accepted: exit 0, state written, then moving forward -----------------
attest 0 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$state"
expect "$work/out" "accepted: $spiffe_id"
expect "$work/out" "selector  aegis_tpm:ek_hash:$ek_id"
expect "$work/out" "selector  aegis_tpm:ek_ca:$root_id"
expect "$work/out" "selector  aegis_tpm:tpm_manufacturer:53574D20"
expect "$work/out" "selector  aegis_tpm:pcr_policy:base"
[ -s "$state" ] || fail "no state file after an accepted attestation"
grep -qE '^\{"clock":[0-9]+,"reset_count":[0-9]+,"restart_count":[0-9]+\}$' "$state" ||
        fail "state file: $(cat "$state")"
clock1=$(state_field "$state" clock)
reset1=$(state_field "$state" reset_count)
restart1=$(state_field "$state" restart_count)

sleep 0.01 # the TPM clock counts milliseconds
attest 0 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$state" --json
expect "$work/out" '"accepted":true'
expect "$work/out" "\"spiffe_id\":\"$spiffe_id\""
expect "$work/out" "\"ek_ca:$root_id\""
clock2=$(state_field "$state" clock)
[ "$clock2" -gt "$clock1" ] || fail "state clock did not advance: $clock1 -> $clock2"
[ "$(state_field "$state" reset_count)" = "$reset1" ] || fail "reset_count changed"
[ "$(state_field "$state" restart_count)" = "$restart1" ] || fail "restart_count changed"
expect "$work/out" "\"clock\":$clock2"
# What SVID claims are made of, computed without Aegis: the policy file's
# sha256, the quoted PCRs' digest (sha256 over the values in index order),
# the EK hash, and an AK name of sha256 (000b) plus a digest.
expect "$work/out" "\"policy_digest\":\"$(sha256sum "$policy" | cut -d' ' -f1)\""
pcr_digest=$(tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 |
        sed -n 's/^ *[0-9]\+ *: 0x\([0-9A-Fa-f]\{64\}\)$/\1/p' | tr -d '\n' | xxd -r -p |
        sha256sum | cut -d' ' -f1)
expect "$work/out" "\"pcr_digest\":\"$pcr_digest\""
expect "$work/out" "\"ek_hash\":\"$ek_id\""
grep -qE '"ak_name":"000b[0-9a-f]{64}"' "$work/out" || fail "ak_name: $(cat "$work/out")"
grep -qE '"attested_at":[0-9]{10}' "$work/out" || fail "attested_at: $(cat "$work/out")"

# ECC EK with an RSA AK kept at a persistent handle, twice (the second run
# reuses it), then evicted.
attest 0 --policy "$policy" --tcti "$AE_TPM_TCTI" --ek ecc --ak rsa --ak-handle "$handle"
attest 0 --policy "$policy" --tcti "$AE_TPM_TCTI" --ek ecc --ak rsa --ak-handle "$handle"
tpm2_getcap handles-persistent | grep -qi "$handle" || fail "AK not persistent at $handle"
tools tpm2_evictcontrol -C o -c "$handle"

# ---- refused: exit 1, state untouched --------------------------------------
keep "$state" "$work/state.before"

attest 1 --policy "$policy" --tcti "$AE_TPM_ROGUE_TCTI" --state "$state"
expect "$work/out" "refused at payload:"
expect "$work/out" "(ek_cert_untrusted)"
untouched "$state" "$work/state.before"

# A stored state from the future: this quote looks replayed.
future=$work/future.json
printf '{"clock":%s,"reset_count":%s,"restart_count":%s}\n' \
        "$((clock2 + 1000000000))" "$reset1" "$restart1" >"$future"
keep "$future" "$work/future.before"
attest 1 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$future" --json
expect "$work/out" '"accepted":false'
expect "$work/out" '"step":"response"'
expect "$work/out" '"reason":"clock_not_advanced"'
untouched "$future" "$work/future.before"

# A later TPM reset in the stored state.
printf '{"clock":0,"reset_count":%s,"restart_count":%s}\n' "$((reset1 + 1))" "$restart1" \
        >"$future"
keep "$future" "$work/future.before"
attest 1 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$future"
expect "$work/out" "(reset_count_backwards)"
untouched "$future" "$work/future.before"

# PCR 16 measured: no golden set matches; reset, it passes again.
tools tpm2_pcrextend "16:sha256=$(printf 'aegis cli' | sha256sum | cut -d' ' -f1)"
attest 1 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$state"
expect "$work/out" "refused at response:"
expect "$work/out" "(pcr_policy_no_match)"
untouched "$state" "$work/state.before"
tools tpm2_pcrreset 16
attest 0 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$state"
[ "$(state_field "$state" clock)" -gt "$clock2" ] || fail "state clock did not advance"

# ---- failed: exit 1 with the reason on stderr ------------------------------
echo 'not json' >"$work/bad-state.json"
attest 1 --policy "$policy" --tcti "$AE_TPM_TCTI" --state "$work/bad-state.json"
expect "$work/err" "aegis attest: state file:"
[ ! -s "$work/out" ] || fail "output on a failed run: $(cat "$work/out")"

attest 1 --policy "$work/missing.json" --tcti "$AE_TPM_TCTI"
expect "$work/err" "aegis attest: policy $work/missing.json"

# Port 1: nobody listens there.
attest 1 --policy "$policy" --tcti "swtpm:host=127.0.0.1,port=1"
expect "$work/err" "aegis attest: TPM:"

# ---- usage: exit 2 ----------------------------------------------------------
attest 2
expect "$work/err" "--policy is required"
attest 2 --policy "$policy" --ak dsa
attest 2 --policy "$policy" --ek ed25519
attest 2 --policy "$policy" --ak-handle 0x80000000
attest 2 --policy "$policy" extra
attest 0 --help
expect "$work/out" "Exit status: 0 accepted, 1 refused or failed, 2 usage error."

# Nothing left behind in the TPM.
[ -z "$(tpm2_getcap handles-transient)" ] || fail "transient objects left in the TPM"
[ -z "$(tpm2_getcap handles-loaded-session)" ] || fail "sessions left in the TPM"
echo "attest_cli: $checks runs as expected"
