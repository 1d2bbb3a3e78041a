#!/usr/bin/env bash
# agent_gpsd_loss.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT NMEA_SCENARIO_BIN:
# gpsd goes away under a running agent. The agent has a TPM of its own (a
# node of the swtpm_attest fixture) and a gpsd of its own (gpsd-fixture
# --only inside: Berlin), so nothing shared is disturbed. A workload is
# registered twice: once under a node alias that asks for zone
# berlin-mitte (Proof of Geofencing) and once under one that asks only for
# the PCR policy (Proof of Residency).
#   1. gpsd is there: the workload holds both SVIDs.
#   2. gpsd is killed; the policy does not require a location: the next
#      re-attestation is PoR, the PoG SVID lapses, the PoR one stays.
#   3. The server restarts with a policy that requires a location: the
#      node is refused (location_missing) and the workload has nothing.
set -euo pipefail

aegis=${1:?usage: agent_gpsd_loss.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT NMEA_SCENARIO_BIN}
server_bin=${2:?}
agent_bin=${3:?}
proto_root=${4:?}
nmea_bin=${5:?}
here=$(cd "$(dirname "$0")" && pwd)
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
require_grpcio
command -v gpsfake >/dev/null || { echo "skipped: gpsfake (Debian gpsd-clients)"; exit 77; }
swtpm_fixture=$here/../fixtures/swtpm-fixture
gpsd_fixture=$here/../fixtures/gpsd-fixture
node=gpsd_loss
work=$(mktemp -d "$AE_SWTPM_DIR/agent_gpsd_loss.XXXXXX")
trap daemons_cleanup EXIT
"$swtpm_fixture" drop "$AE_SWTPM_DIR" "$node" # an interrupted earlier run's
AGENT_TCTI=$("$swtpm_fixture" node "$AE_SWTPM_DIR" "$node")
cleanup() {
        "$gpsd_fixture" stop "$work/gpsd"
        "$swtpm_fixture" drop "$AE_SWTPM_DIR" "$node"
}
cleanup_hook=cleanup
"$gpsd_fixture" start "$work/gpsd" "$nmea_bin" --only inside >/dev/null
. "$work/gpsd/fixture.env"

LOCATION_JSON='{ "required": false, "max_age_s": 60, "min_mode": 3, "max_accuracy_m": 50,
  "max_speed_mps": 340,
  "zones": { "berlin-mitte": { "circle": { "center": [13.405, 52.52], "radius_m": 3000 } } } }'
write_policy
start_server
write_agent_config "{ \"gpsd\": \"$AE_GPSD_INSIDE_HOST:$AE_GPSD_INSIDE_PORT\",
  \"serial\": \"test-receiver\", \"timeout_s\": 3 }"
hash=$(python_hash)
entry -spiffeID spiffe://aegis.test/node/berlin -parentID spiffe://aegis.test/spire/server \
        -selector aegis_tpm:geo_zone:berlin-mitte
entry -spiffeID spiffe://aegis.test/node/base -parentID spiffe://aegis.test/spire/server \
        -selector aegis_tpm:pcr_policy:base
entry -spiffeID spiffe://aegis.test/pog-model -parentID spiffe://aegis.test/node/berlin \
        -selector "aegis_exe:sha256:$hash"
entry -spiffeID spiffe://aegis.test/por-model -parentID spiffe://aegis.test/node/base \
        -selector "aegis_exe:sha256:$hash"
start_agent

# wait_ids SECONDS WANT...: until a fetch prints exactly the SPIFFE IDs WANT.
wait_ids() {
        local deadline=$((SECONDS + $1)) want
        shift
        want=$(printf '%s\n' "$@" | sort)
        while [ $SECONDS -lt $deadline ]; do
                fetch || true
                [ "$(sort "$work/fetch.out")" = "$want" ] && { ok; return 0; }
                sleep 0.5
        done
        cat "$work/fetch.out" >&2
        fail "the workload did not get exactly $* within the time"
}

# ---- 1. gpsd is there: PoG and PoR -------------------------------------------
wait_ids 40 spiffe://aegis.test/pog-model spiffe://aegis.test/por-model
grep -q 'level=pog' "$work/server.log" || fail "the server did not log a PoG attestation"
ok

# ---- 2. gpsd is killed: PoG lapses, PoR continues ---------------------------------
# An attestation that read its fix just before the stop may still be
# accepted as PoG after it, so the test waits for the latest one to be PoR
# rather than for the count to rise.
"$gpsd_fixture" stop "$work/gpsd"
latest_por() { grep 'node attested' "$work/server.log" | tail -n1 | grep -q 'level=por'; }
for _ in $(seq 300); do
        latest_por && grep -q 'no location fix' "$work/agent.log" && break
        sleep 0.1
done
grep -q 'no location fix' "$work/agent.log" || fail "the agent did not say it had no fix"
ok
latest_por || fail "the attestation without gpsd was not PoR"
ok
wait_ids 20 spiffe://aegis.test/por-model
kill -0 "$agent_pid" || fail "the agent exited"
ok

# ---- 3. a policy that requires a location: refused, nothing left ---------------------
stop_server
/usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1])); p["location"]["required"] = True
json.dump(p, open(sys.argv[1], "w"))' "$work/policy.json"
start_server
for _ in $(seq 300); do
        grep -q 'attestation refused' "$work/agent.log" && break
        sleep 0.1
done
grep -q 'attestation refused' "$work/agent.log" || fail "the node without a fix was not refused"
ok
wait_fetch "status PERMISSION_DENIED" 20
if command -v sqlite3 >/dev/null; then
        sqlite3 "$work/aegis.sqlite3" \
                "select accepted, reason from audit where kind = 'attestation' order by seq" \
                >"$work/audit"
        tail -n1 "$work/audit" | grep -qx '0|location_missing' ||
                fail "the last audited attestation is not location_missing: $(tail -n1 "$work/audit")"
        ok
fi
echo "agent_gpsd_loss: $checks checks passed"
