#!/usr/bin/env bash
# agent_pog_e2e.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT: Proof of
# Geofencing through the daemons, on the swtpm_attest and gpsd_smoke
# fixtures. The agent binds a fix from gpsd (the inside scenario: Berlin)
# into every quote; the server finds it in zone berlin-mitte, so an entry
# that asks for aegis_tpm:geo_zone:berlin-mitte is the workload's, with the
# zone in its SVID's claims. Then the node is relocated (the agent restarted
# with a receiver in Paris, seconds later): the server refuses the teleport
# (location_implausible) and the workload has no identity.
set -euo pipefail

aegis=${1:?usage: agent_pog_e2e.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT}
server_bin=${2:?}
agent_bin=${3:?}
proto_root=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
: "${AE_SWTPM_DIR:?run through ctest (fixtures swtpm_attest, gpsd_smoke)}"
: "${AE_GPSD_INSIDE_PORT:?run through ctest (fixture gpsd_smoke)}"
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
require_grpcio
work=$(mktemp -d "$AE_SWTPM_DIR/agent_pog_e2e.XXXXXX")
trap daemons_cleanup EXIT

LOCATION_JSON='{ "required": false, "max_age_s": 60, "min_mode": 3, "max_accuracy_m": 50,
  "max_speed_mps": 340,
  "zones": { "berlin-mitte": { "circle": { "center": [13.405, 52.52], "radius_m": 3000 } } } }'
write_policy
start_server
write_agent_config "{ \"gpsd\": \"$AE_GPSD_INSIDE_HOST:$AE_GPSD_INSIDE_PORT\",
  \"serial\": \"test-receiver\", \"timeout_s\": 10 }"

hash=$(python_hash)
entry -spiffeID spiffe://aegis.test/node/berlin -parentID spiffe://aegis.test/spire/server \
        -selector aegis_tpm:geo_zone:berlin-mitte
entry -spiffeID spiffe://aegis.test/model -parentID spiffe://aegis.test/node/berlin \
        -selector "aegis_exe:sha256:$hash"
# Only a node that is also PoG at this level: the same workload, by level.
entry -spiffeID spiffe://aegis.test/model-pog -parentID spiffe://aegis.test/node/berlin \
        -selector "aegis_exe:sha256:$hash" -selector aegis_tpm:level:pog
ok
start_agent

# ---- Berlin: PoG, the zone in the claims -----------------------------------------
wait_fetch spiffe://aegis.test/model 40
"$aegis" svid inspect "$work/svid.pem" >"$work/inspect" 2>&1 || fail "svid inspect"
for want in pog berlin-mitte test-receiver "$hash"; do
        grep -qF -- "$want" "$work/inspect" || { cat "$work/inspect" >&2; fail "claims lack $want"; }
        ok
done
grep -q 'level=pog' "$work/server.log" || fail "server did not log a PoG attestation"
ok

# ---- relocated: the same TPM with a receiver in Paris, seconds later -------------
stop_agent
write_agent_config "{ \"gpsd\": \"$AE_GPSD_OUTSIDE_HOST:$AE_GPSD_OUTSIDE_PORT\",
  \"serial\": \"test-receiver\", \"timeout_s\": 10 }"
start_agent
for _ in $(seq 200); do
        grep -q 'attestation refused' "$work/agent.log" && break
        sleep 0.1
done
grep -q 'attestation refused' "$work/agent.log" || fail "the relocated node was not refused"
ok
grep -q 'location_implausible' "$work/server.log" || fail "server log lacks location_implausible"
ok
fetch || true
grep -qE 'status (PERMISSION_DENIED|UNAVAILABLE)' "$work/fetch.out" ||
        { cat "$work/fetch.out" >&2; fail "the relocated node's workload still has an identity"; }
ok
if command -v sqlite3 >/dev/null; then
        sqlite3 "$work/aegis.sqlite3" "select accepted, reason from audit where kind = 'attestation'" \
                >"$work/audit"
        grep -qx '1|' "$work/audit" || fail "audit lacks the accepted attestation"
        grep -qx '0|location_implausible' "$work/audit" || fail "audit lacks the teleport"
        ok
fi
echo "agent_pog_e2e: $checks checks passed"
