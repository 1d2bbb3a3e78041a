#!/usr/bin/env bash
# agent_e2e.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT: the whole chain on
# the swtpm_attest fixture. aegis-server verifies, aegis-agent attests its
# node through the TPM and serves the Workload API, and a workload fetches
# its SVID with Debian's grpcio (workload_fetch.py, a client we did not
# write). Then: the server restarts (the agent keeps serving and
# reconnects), the node is tampered with (PCR 16 extended: the next
# re-attestation is refused and the workload loses its SVID), and healed.
set -euo pipefail

aegis=${1:?usage: agent_e2e.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT}
server_bin=${2:?}
agent_bin=${3:?}
proto_root=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
require_grpcio
work=$(mktemp -d "$AE_SWTPM_DIR/agent_e2e.XXXXXX")
trap daemons_cleanup EXIT

write_policy
start_server
first_port=$port
write_agent_config

model_on_base_entries
ok
start_agent

# ---- the workload's first SVID --------------------------------------------------
wait_fetch spiffe://aegis.test/model 30
openssl verify -CAfile "$work/ca/bundle.pem" "$work/svid.pem" >/dev/null || fail "SVID chain"
ok
cmp -s <(openssl x509 -in "$work/svid-bundle.pem") <(openssl x509 -in "$work/ca/bundle.pem") ||
        fail "bundle differs from the CA's"
ok
"$aegis" svid inspect "$work/svid.pem" >"$work/inspect" 2>&1 || fail "svid inspect"
grep -qF "$hash" "$work/inspect" || fail "claims lack the code hash"
ok
grep -q 'node attested' "$work/agent.log" || fail "agent log does not say it attested"
ok

# ---- renewal at half-life: a 6 s SVID is replaced every 3 s or so, the model's
# kept; no fetch meanwhile misses either ----------------------------------------
entry -spiffeID spiffe://aegis.test/short -parentID spiffe://aegis.test/node/base \
        -selector "aegis_exe:sha256:$hash" -x509SVIDTTL 6
wait_fetch spiffe://aegis.test/short 15
serials() {
        /usr/bin/python3 "$here/workload_fetch.py" --proto-root "$proto_root" \
                --socket "$work/agent.sock" --stubs "$work/stubs" --serials >"$work/serials" 2>&1 ||
                { cat "$work/serials" >&2; fail "a fetch during renewals failed"; }
        [ "$(wc -l <"$work/serials")" -eq 2 ] || { cat "$work/serials" >&2; fail "a fetch lacked an SVID"; }
        sed -n 's|^spiffe://aegis.test/short ||p' "$work/serials" >>"$work/short.serials"
        sed -n 's|^spiffe://aegis.test/model ||p' "$work/serials" >>"$work/model.serials"
}
: >"$work/short.serials"
: >"$work/model.serials"
deadline=$((SECONDS + 9))
while [ $SECONDS -lt $deadline ]; do serials; sleep 0.2; done
ok
[ "$(sort -u "$work/short.serials" | wc -l)" -ge 2 ] ||
        fail "the 6 s SVID was not renewed in 9 s: $(sort -u "$work/short.serials" | tr '\n' ' ')"
ok
[ "$(sort -u "$work/model.serials" | wc -l)" -eq 1 ] || fail "the model's SVID was refetched"
ok

# ---- the server restarts: the agent keeps serving, then reconnects ---------------
stop_server
fetch || true
fetched spiffe://aegis.test/model || fail "no SVID while the server is down"
ok
attested_before=$(grep -c 'node attested' "$work/agent.log")
start_server
[ "$port" = "$first_port" ] || fail "server came back on another port"
for _ in $(seq 300); do
        [ "$(grep -c 'node attested' "$work/agent.log")" -gt "$attested_before" ] && break
        sleep 0.1
done
[ "$(grep -c 'node attested' "$work/agent.log")" -gt "$attested_before" ] ||
        fail "agent did not attest to the restarted server"
ok
wait_fetch spiffe://aegis.test/model 15

# ---- tampering: PCR 16 extended; at the next re-attestation the node is
# refused and the workload loses its identity --------------------------------
tpm2_pcrextend 16:sha256=0000000000000000000000000000000000000000000000000000000000000001
wait_fetch "status PERMISSION_DENIED" 30
grep -q 'attestation refused' "$work/agent.log" || fail "agent log does not say it was refused"
ok
grep -q 'pcr_policy_no_match' "$work/server.log" || fail "server log lacks the reason"
ok

# ---- healed: the agent re-attests and the workload gets its SVID back --------
tpm2_pcrreset 16 >/dev/null
wait_fetch spiffe://aegis.test/model 90
echo "agent_e2e: $checks checks passed"
