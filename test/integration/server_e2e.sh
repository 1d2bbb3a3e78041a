#!/usr/bin/env bash
# server_e2e.sh AEGIS AEGIS_SERVER PROBE: aegis-server against the
# swtpm_attest fixture's TPMs, reached the way an agent reaches it
# (server_probe, on control-plane/agent/server_client.h): TLS, AttestAgent
# through the real TPM, then mTLS with the agent SVID for entries and SVIDs.
# Entries are made the way an operator makes them: aegis entry create on the
# admin socket.
# Checked with tools Aegis did not write: openssl verify for the chains,
# sqlite3 for the datastore's audit log.
set -euo pipefail

aegis=${1:?usage: server_e2e.sh AEGIS AEGIS_SERVER PROBE}
server_bin=${2:?}
probe=${3:?}
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
work=$(mktemp -d "$AE_SWTPM_DIR/server_e2e.XXXXXX")
trap daemons_cleanup EXIT

# probe WANT ARGS...: server_probe's exit status must be WANT; output in
# $work/out, $work/err.
probe() {
        local want=$1 rc=0
        shift
        "$probe" "$@" >"$work/out" 2>"$work/err" || rc=$?
        [ "$rc" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "probe $*: exit $rc, expected $want"; }
        ok
}
expect() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }; ok; }
# create_entry ARGS...: aegis entry create on the admin socket; prints the
# new entry's ID (from its "Entry ID" line).
create_entry() {
        "$aegis" entry create -socketPath "$work/admin.sock" "$@" >"$work/entry" 2>&1 ||
                { cat "$work/entry" >&2; fail "aegis entry create $*"; }
        sed -n 's/^Entry ID *: //p' "$work/entry"
}

# ---- a policy with the TPM's PCRs as they are, a CA, a server ----------------
write_policy
cp "$work/ca/bundle.pem" "$work/bundle.pem"
start_server
addr=127.0.0.1:$port
[ "$(stat -c %a "$work/admin.sock")" = 600 ] || fail "admin socket mode"
ok

ek_id=$(openssl x509 -inform DER -in "$AE_TPM_EK_RSA_CERT" -noout -pubkey |
        openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
agent_id=spiffe://aegis.test/spire/agent/aegis_tpm/$ek_id

# ---- before attesting: no agent certificate, no calls -------------------------
mkdir -p "$work/none"
"$aegis" ca init --dir "$work/otherca" --trust-domain aegis.test >/dev/null
# An identity from another CA of the same trust domain: the handshake refuses it.
probe 2 attest "$addr" "$work/otherca/bundle.pem" aegis.test "$AE_TPM_TCTI" "$work/none"
expect "$work/err" "failed"

# ---- AttestAgent through the TPM ---------------------------------------------
mkdir -p "$work/agent"
probe 0 attest "$addr" "$work/bundle.pem" aegis.test "$AE_TPM_TCTI" "$work/agent"
expect "$work/out" "$agent_id"
openssl verify -CAfile "$work/bundle.pem" "$work/agent/agent.pem" >/dev/null || fail "agent SVID chain"
ok
openssl x509 -in "$work/agent/agent.pem" -noout -ext subjectAltName | grep -qF "URI:$agent_id" ||
        fail "agent SVID names $agent_id"
ok

# ---- entries: a node alias for nodes with PCR policy "base", a workload under
# it, one for another zone's nodes, one for another agent --------------------
alias_id=$(create_entry -spiffeID spiffe://aegis.test/node/base \
        -parentID spiffe://aegis.test/spire/server -selector aegis_tpm:pcr_policy:base)
hash=$(printf 'model' | sha256sum | cut -d' ' -f1)
model=$(create_entry -spiffeID spiffe://aegis.test/model -parentID spiffe://aegis.test/node/base \
        -selector "aegis_exe:sha256:$hash")
direct=$(create_entry -spiffeID spiffe://aegis.test/direct -parentID "$agent_id" \
        -selector aegis_exe:uid:0)
zoned=$(create_entry -spiffeID spiffe://aegis.test/berlin -parentID "$agent_id" \
        -selector "aegis_exe:sha256:$hash" -selector aegis_tpm:geo_zone:berlin)
other=$(create_entry -spiffeID spiffe://aegis.test/other \
        -parentID spiffe://aegis.test/spire/agent/aegis_tpm/00 -selector aegis_exe:uid:0)
[ -n "$alias_id" ] && [ -n "$model" ] && [ -n "$direct" ] && [ -n "$zoned" ] && [ -n "$other" ] ||
        fail "entry create"
ok
rc=0
"$aegis" entry create -socketPath "$work/admin.sock" -spiffeID spiffe://aegis.test/model \
        -parentID spiffe://aegis.test/node/base -selector "aegis_exe:sha256:$hash" \
        >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] || fail "a duplicate entry: exit $rc, expected 1"
ok
expect "$work/err" "aegis entry create: an entry with this SPIFFE ID, parent and selectors exists"

probe 0 entries "$addr" "$work/bundle.pem" aegis.test "$work/agent"
expect "$work/out" "$model spiffe://aegis.test/model aegis_exe:sha256:$hash"
expect "$work/out" "$direct spiffe://aegis.test/direct aegis_exe:uid:0"
! grep -qF "$zoned" "$work/out" || fail "an entry for zone berlin went to a node outside it"
! grep -qF "$other" "$work/out" || fail "another agent's entry was sent"
! grep -qF "$alias_id" "$work/out" || fail "the node alias itself was sent"
ok

# ---- workload SVIDs -------------------------------------------------------------
probe 0 x509 "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" "$work/model"
expect "$work/out" "spiffe://aegis.test/model"
openssl verify -CAfile "$work/bundle.pem" "$work/model.pem" >/dev/null || fail "workload SVID chain"
ok
"$aegis" svid inspect "$work/model.pem" >"$work/inspect" 2>&1 || fail "svid inspect"
expect "$work/inspect" "$hash"
expect "$work/inspect" "$ek_id"
expect "$work/inspect" "base"
probe 1 x509 "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$zoned" "$work/zoned"
expect "$work/err" "refused: 5 entry not authorised for this agent"
probe 1 x509 "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$other" "$work/other"
expect "$work/err" "refused: 5 entry not authorised for this agent"
# One batch mixing authorised and refused entries: each gets its own outcome.
probe 0 x509s "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" "$zoned" "$direct" \
        "$other"
expect "$work/out" "$model ok spiffe://aegis.test/model"
expect "$work/out" "$zoned refused"
expect "$work/out" "$direct ok spiffe://aegis.test/direct"
expect "$work/out" "$other refused"
expect "$work/out" "first refusal: 5 entry not authorised for this agent"
[ "$(wc -l <"$work/out")" -eq 5 ] || fail "x509s: $(cat "$work/out")"
ok
probe 0 jwt "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" spiffe://aegis.test/db
payload=$(cut -d. -f2 "$work/out" | tr '_-' '/+')
while [ $((${#payload} % 4)) -ne 0 ]; do payload=$payload=; done
echo "$payload" | base64 -d | grep -qF '"sub":"spiffe://aegis.test/model"' || fail "JWT sub"
ok
probe 0 bundle "$addr" "$work/bundle.pem" aegis.test "$work/agent"
expect "$work/out" "aegis.test roots=1 jwt_keys=1"

# ---- certificates from the right CA that do not speak for an attested node -----
# mint_as ID DIR: an SVID for ID from the server's own CA, as DIR's identity.
mint_as() {
        mkdir -p "$2"
        "$aegis" svid mint --ca "$work/ca" --id "$1" --out "$2" >/dev/null || fail "svid mint $1"
        mv "$2/svid.pem" "$2/agent.pem"
        mv "$2/svid.key" "$2/agent.key"
}
mint_as "spiffe://aegis.test/spire/agent/aegis_tpm/$(printf '0%.0s' $(seq 64))" "$work/never"
probe 1 entries "$addr" "$work/bundle.pem" aegis.test "$work/never"
expect "$work/err" "refused: 7 agent not attested"
mint_as spiffe://aegis.test/model "$work/workload"
probe 1 x509 "$addr" "$work/bundle.pem" aegis.test "$work/workload" "$model" "$work/w"
expect "$work/err" "refused: 7 client certificate is not an agent SVID"

# ---- renewal: the new SVID works, the old one is superseded --------------------
cp -r "$work/agent" "$work/old"
probe 0 renew "$addr" "$work/bundle.pem" aegis.test "$work/agent"
cmp -s "$work/agent/agent.pem" "$work/old/agent.pem" && fail "renew returned the same SVID"
probe 0 entries "$addr" "$work/bundle.pem" aegis.test "$work/agent"
probe 1 entries "$addr" "$work/bundle.pem" aegis.test "$work/old"
expect "$work/err" "agent SVID superseded"

# ---- a rogue TPM (EK from another manufacturer CA) is refused, audited --------
mkdir -p "$work/rogue"
probe 1 attest "$addr" "$work/bundle.pem" aegis.test "$AE_TPM_ROGUE_TCTI" "$work/rogue"
expect "$work/err" "ek_cert_untrusted"

# ---- a tampered node: PCR 16 extended, re-attestation refused, SVIDs stop -------
tpm2_pcrextend 16:sha256=0000000000000000000000000000000000000000000000000000000000000001
probe 1 attest "$addr" "$work/bundle.pem" aegis.test "$AE_TPM_TCTI" "$work/tampered"
expect "$work/err" "pcr_policy_no_match"
probe 1 x509 "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" "$work/model2"
expect "$work/err" "node's latest attestation failed (pcr_policy_no_match)"
tpm2_pcrreset 16 >/dev/null

# ---- the server restarts: the datastore keeps nodes and entries ----------------
stop_server
start_server
probe 0 attest "$addr" "$work/bundle.pem" aegis.test "$AE_TPM_TCTI" "$work/agent"
probe 0 x509 "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" "$work/model3"
expect "$work/out" "spiffe://aegis.test/model"

# ---- the audit log, read with sqlite3 ---------------------------------------
if command -v sqlite3 >/dev/null; then
        sqlite3 "$work/aegis.sqlite3" \
                "select kind, accepted, reason from audit order by seq" >"$work/audit" ||
                fail "sqlite3 could not read the datastore"
        expect "$work/audit" "attestation|1|"
        expect "$work/audit" "attestation|0|ek_cert_untrusted"
        expect "$work/audit" "attestation|0|pcr_policy_no_match"
        expect "$work/audit" "svid_refused|0|node_attestation_failed"
        expect "$work/audit" "entry_created|"
fi
echo "server_e2e: $checks checks passed"
