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
work=$(mktemp -d "$AE_SWTPM_DIR/server_e2e.XXXXXX")
server_pid=
checks=0
cleanup() {
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
export TPM2TOOLS_TCTI=$AE_TPM_TCTI

fail() {
        echo "FAIL: $*" >&2
        [ -f "$work/server.log" ] && { echo "--- server log" >&2; tail -20 "$work/server.log" >&2; }
        exit 1
}
ok() { checks=$((checks + 1)); }

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

tpm2_flushcontext -t >/dev/null 2>&1 || true
tpm2_pcrreset 16 >/dev/null

# ---- a policy with the TPM's PCRs as they are, a CA, a server ----------------
golden=$(tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 |
        sed -n 's/^ *\([0-9]\+\) *: 0x\([0-9A-Fa-f]\{64\}\)$/"\1": "\2"/p' | paste -sd, -)
cat >"$work/policy.json" <<JSON
{
  "version": 1,
  "trust_domain": "aegis.test",
  "ek": { "trust": "ca", "ca_bundle": "$AE_EK_CA_BUNDLE" },
  "pcrs": {
    "quote": { "sha256": [0, 1, 2, 3, 4, 5, 6, 7, 16] },
    "golden": { "base": { "sha256": { $golden } } }
  }
}
JSON
"$aegis" ca init --dir "$work/ca" --trust-domain aegis.test >/dev/null
cp "$work/ca/bundle.pem" "$work/bundle.pem"
cat >"$work/server.json" <<JSON
{
  "policy": "policy.json",
  "ca_dir": "ca",
  "datastore": "aegis.sqlite3",
  "listen": "127.0.0.1:0",
  "server_names": ["localhost"],
  "admin_socket": "$work/admin.sock",
  "reattestation_max_age_s": 600
}
JSON

start_server() {
        : >"$work/server.out"
        "$server_bin" -config "$work/server.json" >"$work/server.out" 2>>"$work/server.log" &
        server_pid=$!
        for _ in $(seq 100); do
                grep -q 'listening on' "$work/server.out" && break
                kill -0 "$server_pid" 2>/dev/null || fail "aegis-server exited"
                sleep 0.1
        done
        port=$(sed -n 's/.*(port \([0-9]\+\)).*/\1/p' "$work/server.out")
        [ -n "$port" ] || fail "aegis-server did not say its port"
        addr=127.0.0.1:$port
}
start_server
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
probe 0 jwt "$addr" "$work/bundle.pem" aegis.test "$work/agent" "$model" spiffe://aegis.test/db
payload=$(cut -d. -f2 "$work/out" | tr '_-' '/+')
while [ $((${#payload} % 4)) -ne 0 ]; do payload=$payload=; done
echo "$payload" | base64 -d | grep -qF '"sub":"spiffe://aegis.test/model"' || fail "JWT sub"
ok
probe 0 bundle "$addr" "$work/bundle.pem" aegis.test "$work/agent"
expect "$work/out" "aegis.test roots=1 jwt_keys=1"

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
kill "$server_pid"
wait "$server_pid" || true
server_pid=
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
