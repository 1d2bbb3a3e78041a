#!/usr/bin/env bash
# agent_tpm_restart.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT: the TPM
# goes away under a running agent and comes back. The agent runs on a TPM
# of its own (a node of the swtpm_attest fixture, so the fixture's main TPM
# is left alone), and a workload holds its SVID. The simulator is killed:
# the agent's re-attestations fail with a clear error, it keeps serving the
# SVIDs it has and retries. The simulator starts again on the same state
# (PCRs afresh, an unorderly shutdown behind it): the next attempt is
# accepted and the workload keeps its identity throughout.
set -euo pipefail

aegis=${1:?usage: agent_tpm_restart.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT}
server_bin=${2:?}
agent_bin=${3:?}
proto_root=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
require_grpcio
swtpm_fixture=$here/../fixtures/swtpm-fixture
node=tpm_restart
work=$(mktemp -d "$AE_SWTPM_DIR/agent_tpm_restart.XXXXXX")
trap daemons_cleanup EXIT
"$swtpm_fixture" drop "$AE_SWTPM_DIR" "$node" # an interrupted earlier run's
AGENT_TCTI=$("$swtpm_fixture" node "$AE_SWTPM_DIR" "$node")
cleanup_hook="$swtpm_fixture drop $AE_SWTPM_DIR $node"

write_policy
start_server
write_agent_config
model_on_base_entries
start_agent
wait_fetch spiffe://aegis.test/model 30

# count PATTERN: lines of the agent's log that match.
count() { grep -c -- "$1" "$work/agent.log" || true; }

# ---- the TPM is gone ------------------------------------------------------------
"$swtpm_fixture" kill "$AE_SWTPM_DIR" "$node"
for _ in $(seq 300); do
        [ "$(count 'TPM unavailable')" -ge 2 ] && break
        sleep 0.1
done
[ "$(count 'TPM unavailable')" -ge 2 ] || fail "the agent did not report the TPM gone (twice: it retries)"
ok
grep -m1 'TPM unavailable' "$work/agent.log" | grep -qF "TPM unavailable: Input/output error: Tss2_TctiLdr_Initialize: tcti:IO failure (0xa000a) tcti=\"$AGENT_TCTI\"" ||
        fail "the agent's error does not say why: $(grep -m1 'TPM unavailable' "$work/agent.log")"
ok
fetch || true
fetched spiffe://aegis.test/model || fail "no SVID while the TPM is gone"
ok
kill -0 "$agent_pid" || fail "the agent exited"
ok

# ---- the TPM is back ------------------------------------------------------------
attested_before=$(count 'node attested')
"$swtpm_fixture" revive "$AE_SWTPM_DIR" "$node"
for _ in $(seq 900); do # the retry backs off up to 60 s
        [ "$(count 'node attested')" -gt "$attested_before" ] && break
        sleep 0.1
done
[ "$(count 'node attested')" -gt "$attested_before" ] || fail "no attestation after the TPM came back"
ok
grep -q 'attestation refused' "$work/agent.log" && fail "an attestation was refused"
ok
wait_fetch spiffe://aegis.test/model 15
if command -v sqlite3 >/dev/null; then
        sqlite3 "$work/aegis.sqlite3" \
                "select accepted, count(*) from audit where kind = 'attestation' group by accepted" \
                >"$work/audit"
        grep -q '^1|' "$work/audit" || fail "audit lacks accepted attestations"
        grep -q '^0|' "$work/audit" && fail "audit holds a rejected attestation: $(cat "$work/audit")"
        ok
fi
echo "agent_tpm_restart: $checks checks passed"
