#!/usr/bin/env bash
# server_refusals.sh AEGIS AEGIS_SERVER PROBE CLIENT: aegis-server's refusals
# on the swtpm_attest fixture, each with its exact gRPC status and message,
# and the datastore (read with sqlite3) unchanged by every one of them
# except for the audit records a refusal is meant to leave.
#
# CLIENT (server_refusals.c) builds the requests, malformed ones included,
# and prints what the server answered; PROBE (server_probe.c) is the agent's
# own client; AEGIS is the operator's CLI. The order matters: the node is
# attested, made stale, healed, then banned for good.
set -euo pipefail

aegis=${1:?usage: server_refusals.sh AEGIS AEGIS_SERVER PROBE CLIENT}
server_bin=${2:?}
probe=${3:?}
client=${4:?}
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
work=$(mktemp -d "$AE_SWTPM_DIR/server_refusals.XXXXXX")
trap daemons_cleanup EXIT

write_policy
start_server
addr=127.0.0.1:$port
bundle=$work/ca/bundle.pem
sock=$work/admin.sock
db=$work/aegis.sqlite3
ek_id=$(openssl x509 -inform DER -in "$AE_TPM_EK_RSA_CERT" -noout -pubkey |
        openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
agent_id=spiffe://aegis.test/spire/agent/aegis_tpm/$ek_id
zeros=$(printf '0%.0s' $(seq 64))

# ---- helpers ------------------------------------------------------------------
# run ARGS...: CLIENT's answer in $work/out (it exits 0 whatever the server said).
run() {
        "$client" "$@" >"$work/out" 2>"$work/err" ||
                { cat "$work/out" "$work/err" >&2; fail "server_refusals $*: local failure"; }
}
# same WANT WHAT: $work/out is exactly WANT.
same() {
        if [ "$(cat "$work/out")" != "$1" ]; then
                echo "--- expected" >&2; printf '%s\n' "$1" >&2
                echo "--- got" >&2; cat "$work/out" >&2
                fail "$2"
        fi
        ok
}
# refused WANT ARGS...: run, and the answer is WANT.
refused() {
        local want=$1
        shift
        run "$@"
        same "$want" "$*"
}
# The datastore apart from the audit log: nodes (every column), their
# selectors and zones, entries.
rows() {
        sqlite3 -quote "$db" "select * from nodes order by spiffe_id;
                select * from node_selectors order by node_id, pos;
                select * from node_zones order by node_id, pos;
                select id from entries order by id"
}
audit_mark() { sqlite3 "$db" "select coalesce(max(seq), 0) from audit"; }
# snapshot: remember rows and the audit log's end.
snapshot() { rows >"$work/rows.before"; mark=$(audit_mark); }
# unchanged WHAT [AUDIT]: rows as at the snapshot, and the audit records
# since then exactly AUDIT ("kind|accepted|reason|detail" lines; none if
# not given).
unchanged() {
        rows >"$work/rows.after"
        cmp -s "$work/rows.before" "$work/rows.after" ||
                { diff "$work/rows.before" "$work/rows.after" >&2; fail "$1 changed the datastore"; }
        ok
        sqlite3 "$db" "select kind, accepted, reason, detail from audit where seq > $mark
                order by seq" >"$work/audit"
        if [ "$(cat "$work/audit")" != "${2:-}" ]; then
                echo "--- expected audit records" >&2; printf '%s\n' "${2:-}" >&2
                echo "--- got" >&2; cat "$work/audit" >&2
                fail "$1: audit records"
        fi
        ok
}
# cli WANT_RC WANT_OUT WANT_ERR ARGS...: aegis ARGS exits WANT_RC with
# exactly that stdout and stderr.
cli() {
        local rc=0 want_rc=$1 want_out=$2 want_err=$3
        shift 3
        "$aegis" "$@" >"$work/out" 2>"$work/err" || rc=$?
        [ "$rc" -eq "$want_rc" ] || { cat "$work/out" "$work/err" >&2; fail "aegis $*: exit $rc"; }
        [ "$(cat "$work/out")" = "$want_out" ] || { cat "$work/out" >&2; fail "aegis $*: stdout"; }
        [ "$(cat "$work/err")" = "$want_err" ] || { cat "$work/err" >&2; fail "aegis $*: stderr"; }
        ok
}
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }

# ---- AttestAgent out of order: refused before anything is verified ----------
snapshot
first="INVALID_ARGUMENT first message must carry params with data and a CSR"
refused "$first" attest "$addr" "$bundle" response-garbage
refused "$first" attest "$addr" "$bundle" empty
refused "$first" attest "$addr" "$bundle" params-nocsr
refused "$first" attest "$addr" "$bundle" params-nodata
refused "INVALID_ARGUMENT attestation type not supported: use aegis_tpm" \
        attest "$addr" "$bundle" params-type:join_token
refused "INVALID_ARGUMENT stream closed before the params" attest "$addr" "$bundle" close
again="INVALID_ARGUMENT params may be sent only once, in the first message"
refused "challenge
$again" attest "$addr" "$bundle" params read params
# Sent at once, the second params may come before or after the challenge is
# out: the refusal is the same either way.
run attest "$addr" "$bundle" params params
[ "$(tail -n 1 "$work/out")" = "$again" ] && [ "$(grep -cvx challenge "$work/out")" -eq 1 ] ||
        { cat "$work/out" >&2; fail "a second params at once"; }
ok
refused "challenge
INVALID_ARGUMENT second message must be the challenge response" \
        attest "$addr" "$bundle" params read empty
refused "challenge
INVALID_ARGUMENT stream closed before the challenge response" \
        attest "$addr" "$bundle" params read close
unchanged "AttestAgent protocol errors"

# ---- AttestAgent: a CSR the server would not sign, refused before the challenge,
# and answers that do not come from the TPM ----------------------------------
snapshot
refused "INVALID_ARGUMENT attestation refused: CSR is not one DER PKCS#10 request (csr_malformed)" \
        attest "$addr" "$bundle" params-csr:garbage
refused "INVALID_ARGUMENT attestation refused: CSR self-signature does not verify (csr_signature)" \
        attest "$addr" "$bundle" params-csr:badsig
refused "INVALID_ARGUMENT attestation refused: CSR key type unsupported (EC P-256/P-384, RSA >= 2048) (csr_key)" \
        attest "$addr" "$bundle" params-csr:ed25519
refused "INVALID_ARGUMENT attestation refused: CSR empty or too large (csr_size)" \
        attest "$addr" "$bundle" params-csr:empty
refused "challenge
PERMISSION_DENIED attestation refused: message malformed (message_malformed)" \
        attest "$addr" "$bundle" params read response-garbage
refused "challenge
PERMISSION_DENIED attestation refused: credential activation answer wrong (credential_mismatch)" \
        attest "$addr" "$bundle" params read response-wrongsecret
unchanged "refused attestations" "attestation|0|csr_malformed|CSR is not one DER PKCS#10 request
attestation|0|csr_signature|CSR self-signature does not verify
attestation|0|csr_key|CSR key type unsupported (EC P-256/P-384, RSA >= 2048)
attestation|0|csr_size|CSR empty or too large
attestation|0|message_malformed|message malformed
attestation|0|credential_mismatch|credential activation answer wrong"

# ---- the node attests (this client's own flow, then the agent's) --------------
refused "challenge
result $agent_id
OK" attest "$addr" "$bundle" params read response
mkdir -p "$work/agent"
"$probe" attest "$addr" "$bundle" aegis.test "$AE_TPM_TCTI" "$work/agent" >"$work/out" 2>&1 ||
        { cat "$work/out" >&2; fail "server_probe attest"; }
ok
"$aegis" entry create -socketPath "$sock" -spiffeID spiffe://aegis.test/model \
        -parentID "$agent_id" -selector aegis_exe:uid:0 >"$work/entry" || fail "entry create"
entry=$(sed -n 's/^Entry ID *: //p' "$work/entry")
[ -n "$entry" ] || fail "no entry ID"
ok
as_agent() { run agent "$addr" "$bundle" "$work/agent" "$@"; }
as_agent entries
same "OK 1 entries" "entries"

# Answers that do not activate the credential name a known node but prove
# nothing about it: it stays as it was, and keeps its SVIDs.
snapshot
refused "challenge
PERMISSION_DENIED attestation refused: credential activation answer wrong (credential_mismatch)" \
        attest "$addr" "$bundle" params read response-wrongsecret
refused "challenge
PERMISSION_DENIED attestation refused: message malformed (message_malformed)" \
        attest "$addr" "$bundle" params read response-garbage
unchanged "answers without the TPM" "attestation|0|credential_mismatch|credential activation answer wrong
attestation|0|message_malformed|message malformed"
as_agent entries
same "OK 1 entries" "entries after answers without the TPM"

# ---- BatchNewX509SVID: bad CSRs get their own status, the rest is signed ------
snapshot
as_agent x509 "$entry" good garbage badsig ed25519 rsa1024 trailing empty
same "OK 7 results
OK spiffe://aegis.test/model
INVALID_ARGUMENT CSR is not one DER PKCS#10 request
INVALID_ARGUMENT CSR self-signature does not verify
INVALID_ARGUMENT CSR key type unsupported (EC P-256/P-384, RSA >= 2048)
INVALID_ARGUMENT CSR key type unsupported (EC P-256/P-384, RSA >= 2048)
INVALID_ARGUMENT CSR is not one DER PKCS#10 request
INVALID_ARGUMENT CSR empty or too large" "BatchNewX509SVID with bad CSRs"
# 256 params are one batch; 257 are refused whole.
as_agent x509-count "$entry" 257
same "INVALID_ARGUMENT more than 256 params" "257 params"
as_agent x509-count "$entry" 256
[ "$(head -n 1 "$work/out")" = "OK 256 results" ] &&
        [ "$(tail -n +2 "$work/out" | sort | uniq -c | sed 's/^ *//')" = \
          "256 INVALID_ARGUMENT CSR empty or too large" ] ||
        { head -3 "$work/out" >&2; fail "256 params"; }
ok
unchanged "BatchNewX509SVID refusals"

# ---- ListEntries: only by_parent_id is filtered; others are refused ----------
for f in spiffe_id selectors federates_with hint downstream; do
        refused "INVALID_ARGUMENT only the by_parent_id filter is supported" admin "$sock" list "$f"
done
refused "INVALID_ARGUMENT filter by_parent_id invalid" admin "$sock" list parent-invalid
refused "OK 0 entries" admin "$sock" list parent

# ---- the admin socket: another uid is refused --------------------------------
snapshot
chmod 711 "$work"
# Mode 0600: another uid cannot even connect (gRPC's own message).
run_nobody() {
        as_nobody "$client" "$@" >"$work/out" 2>"$work/err" ||
                { cat "$work/out" "$work/err" >&2; fail "as nobody: server_refusals $*"; }
}
run_nobody admin "$sock" list parent
[ "$(cut -d' ' -f1 "$work/out")" = UNAVAILABLE ] || { cat "$work/out" >&2; fail "0600 socket"; }
ok
# With the mode opened up, the server still refuses each call by its uid.
chmod 666 "$sock"
operator="PERMISSION_DENIED admin calls are for root and the server's user"
run_nobody admin "$sock" list parent
same "$operator" "ListEntries as nobody"
run_nobody admin "$sock" create /nobody /spire/server aegis_exe uid:65534
same "$operator" "BatchCreateEntry as nobody"
run_nobody admin "$sock" ban aegis.test "/spire/agent/aegis_tpm/$ek_id"
same "$operator" "BanAgent as nobody"
rc=0
as_nobody "$aegis" agent ban -socketPath "$sock" -spiffeID "$agent_id" >"$work/out" 2>"$work/err" ||
        rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$work/err")" = "aegis agent ban: admin calls are for root and the server's user" ] ||
        { cat "$work/err" >&2; fail "aegis agent ban as nobody: exit $rc"; }
ok
rc=0
as_nobody "$aegis" agent evict -socketPath "$sock" -spiffeID "$agent_id" >"$work/out" 2>"$work/err" ||
        rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$work/err")" = "aegis agent evict: admin calls are for root and the server's user" ] ||
        { cat "$work/err" >&2; fail "aegis agent evict as nobody: exit $rc"; }
ok
chmod 600 "$sock"
chmod 700 "$work"
unchanged "admin calls of another uid"

# ---- a node whose latest accepted attestation is too old ----------------------
stop_server
sed -i 's/"reattestation_max_age_s": 60/"reattestation_max_age_s": 10/' "$work/server.json"
grep -qF '"reattestation_max_age_s": 10' "$work/server.json" || fail "max age not set"
start_server
"$probe" attest "$addr" "$bundle" aegis.test "$AE_TPM_TCTI" "$work/agent" >"$work/out" 2>&1 ||
        { cat "$work/out" >&2; fail "server_probe attest"; }
attested=$(sqlite3 "$db" "select attested_at from nodes where spiffe_id = '$agent_id'")
sleep 11
snapshot
# stale WHAT ARGS...: as_agent ARGS is refused as stale, the age it names
# between the ages before and after the call.
stale() {
        local what=$1 before after age
        shift
        before=$(($(date +%s) - attested))
        as_agent "$@"
        after=$(($(date +%s) - attested))
        age=$(sed -n 's/^PERMISSION_DENIED node'\''s attestation is \([0-9]\+\)s old (limit 10s)$/\1/p' \
                "$work/out")
        [ -n "$age" ] && [ "$age" -ge "$before" ] && [ "$age" -le "$after" ] && [ "$age" -gt 10 ] ||
                { cat "$work/out" >&2; fail "$what: not refused as stale ($before..$after s)"; }
        ok
        echo "svid_refused|0|node_attestation_stale|$what: node's attestation is ${age}s old (limit 10s)" \
                >>"$work/stale.audit"
}
: >"$work/stale.audit"
stale /spire.api.server.entry.v1.Entry/GetAuthorizedEntries entries
stale /spire.api.server.svid.v1.SVID/BatchNewX509SVID x509 "$entry" good
unchanged "stale node's calls" "$(cat "$work/stale.audit")"
# A fresh attestation heals it.
"$probe" attest "$addr" "$bundle" aegis.test "$AE_TPM_TCTI" "$work/agent" >"$work/out" 2>&1 ||
        { cat "$work/out" >&2; fail "server_probe attest"; }
as_agent entries
same "OK 1 entries" "entries after re-attesting"
stop_server
sed -i 's/"reattestation_max_age_s": 10/"reattestation_max_age_s": 60/' "$work/server.json"
start_server

# ---- aegis agent ban: refusals first ---------------------------------------------
snapshot
cli 1 "" "aegis agent ban: agent not found: spiffe://aegis.test/spire/agent/aegis_tpm/$zeros has not attested to this server" \
        agent ban -socketPath "$sock" -spiffeID "spiffe://aegis.test/spire/agent/aegis_tpm/$zeros"
cli 1 "" "aegis agent ban: invalid agent ID: spiffe://other.test/spire/agent/aegis_tpm/$ek_id is not in trust domain aegis.test" \
        agent ban -socketPath "$sock" -spiffeID "spiffe://other.test/spire/agent/aegis_tpm/$ek_id"
cli 1 "" "aegis agent ban: invalid agent ID: spiffe://aegis.test/model is not an agent ID (its path starts /spire/agent/)" \
        agent ban -socketPath "$sock" -spiffeID spiffe://aegis.test/model
refused "INVALID_ARGUMENT invalid agent ID: the request names no agent" admin "$sock" ban-none
refused "INVALID_ARGUMENT invalid agent ID: path has a '.' or '..' segment" \
        admin "$sock" ban aegis.test /spire/agent/../x
cli 2 "" "aegis agent: -spiffeID is required
usage: aegis agent ban|evict [-socketPath PATH] -spiffeID ID
Try 'aegis agent --help'." agent ban -socketPath "$sock"
unchanged "refused bans"

# ---- the ban: the agent's SVID is refused at once, its re-attestation too -------
snapshot
cli 0 "Agent banned successfully" "" agent ban -socketPath "$sock" -spiffeID "$agent_id"
[ "$(sqlite3 "$db" "select banned from nodes where spiffe_id = '$agent_id'")" = 1 ] ||
        fail "node not banned"
ok
rows >"$work/rows.before"
banned="PERMISSION_DENIED agent banned"
as_agent entries
same "$banned" "GetAuthorizedEntries when banned"
as_agent x509 "$entry" good
same "$banned" "BatchNewX509SVID when banned"
as_agent jwt "$entry"
same "$banned" "NewJWTSVID when banned"
as_agent renew
same "$banned" "RenewAgent when banned"
# Re-attesting through the TPM is refused once the TPM has proved itself; an
# answer that proves nothing does not learn of the ban.
refused "challenge
PERMISSION_DENIED attestation refused: agent banned (agent_banned)" \
        attest "$addr" "$bundle" params read response
refused "challenge
PERMISSION_DENIED attestation refused: credential activation answer wrong (credential_mismatch)" \
        attest "$addr" "$bundle" params read response-wrongsecret
rc=0
"$probe" attest "$addr" "$bundle" aegis.test "$AE_TPM_TCTI" "$work/rebanned" >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -qxF "refused: 7 attestation refused: agent banned (agent_banned)" "$work/out" ||
        { cat "$work/out" >&2; fail "server_probe attest when banned: exit $rc"; }
ok
unchanged "a banned agent's calls" "agent_banned|1||BanAgent by uid 0
svid_refused|0|agent_banned|/spire.api.server.entry.v1.Entry/GetAuthorizedEntries: agent banned
svid_refused|0|agent_banned|/spire.api.server.svid.v1.SVID/BatchNewX509SVID: agent banned
svid_refused|0|agent_banned|/spire.api.server.svid.v1.SVID/NewJWTSVID: agent banned
svid_refused|0|agent_banned|/spire.api.server.agent.v1.Agent/RenewAgent: agent banned
attestation|0|agent_banned|agent banned
attestation|0|credential_mismatch|credential activation answer wrong
attestation|0|agent_banned|agent banned"
# The ban outlives a restart.
stop_server
start_server
as_agent entries
same "$banned" "GetAuthorizedEntries when banned, after a restart"

# ---- aegis agent evict: refusals first, then it lifts the ban -------------------
snapshot
cli 1 "" "aegis agent evict: agent not found: spiffe://aegis.test/spire/agent/aegis_tpm/$zeros has not attested to this server" \
        agent evict -socketPath "$sock" -spiffeID "spiffe://aegis.test/spire/agent/aegis_tpm/$zeros"
cli 1 "" "aegis agent evict: invalid agent ID: spiffe://aegis.test/model is not an agent ID (its path starts /spire/agent/)" \
        agent evict -socketPath "$sock" -spiffeID spiffe://aegis.test/model
cli 2 "" "aegis agent: -spiffeID is required
usage: aegis agent ban|evict [-socketPath PATH] -spiffeID ID
Try 'aegis agent --help'." agent evict -socketPath "$sock"
unchanged "refused evictions"
# Evicted, the node's record, selectors and zones are gone, and so is the ban:
# its old SVID speaks for nothing, and the node attests again as a new one.
cli 0 "Agent evicted successfully" "" agent evict -socketPath "$sock" -spiffeID "$agent_id"
[ "$(sqlite3 "$db" "select (select count(*) from nodes where spiffe_id = '$agent_id') +
        (select count(*) from node_selectors where node_id = '$agent_id') +
        (select count(*) from node_zones where node_id = '$agent_id')")" = 0 ] ||
        fail "the evicted node's rows remain"
ok
as_agent entries
same "PERMISSION_DENIED agent not attested" "GetAuthorizedEntries when evicted"
sqlite3 "$db" "select kind, accepted, reason, detail from audit where seq > $mark order by seq" \
        >"$work/audit"
[ "$(cat "$work/audit")" = "agent_deleted|1||DeleteAgent by uid 0
svid_refused|0|agent_not_attested|/spire.api.server.entry.v1.Entry/GetAuthorizedEntries: agent not attested" ] ||
        { cat "$work/audit" >&2; fail "audit records of the eviction"; }
ok
mkdir -p "$work/readmitted"
rc=0
"$probe" attest "$addr" "$bundle" aegis.test "$AE_TPM_TCTI" "$work/readmitted" >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/out" >&2; fail "server_probe attest after the eviction: exit $rc"; }
ok
[ "$(sqlite3 "$db" "select banned, last_result from nodes where spiffe_id = '$agent_id'")" = "0|accepted" ] ||
        fail "the node is not back, unbanned"
ok
echo "server_refusals: $checks checks passed"
