#!/usr/bin/env bash
# agent_fleet.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT [N]: a fleet of N
# nodes (default 20), each an aegis-agent on a TPM of its own (nodes of the
# swtpm_attest fixture, EK certificates from the trusted manufacturer CA),
# all started at once against one aegis-server. Every node must be
# accepted, under an agent ID of its own, and every agent must then serve a
# workload its SVID.
set -euo pipefail

aegis=${1:?usage: agent_fleet.sh AEGIS AEGIS_SERVER AEGIS_AGENT PROTO_ROOT [N]}
server_bin=${2:?}
agent_bin=${3:?}
proto_root=${4:?}
fleet=${5:-20}
here=$(cd "$(dirname "$0")" && pwd)
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
require_grpcio
swtpm_fixture=$here/../fixtures/swtpm-fixture
work=$(mktemp -d "$AE_SWTPM_DIR/agent_fleet.XXXXXX")
trap daemons_cleanup EXIT
nodes=()
for i in $(seq -w "$fleet"); do nodes+=("fleet$i"); done
drop_nodes() {
        local n
        for n in "${nodes[@]}"; do "$swtpm_fixture" drop "$AE_SWTPM_DIR" "$n"; done
}
drop_nodes # an interrupted earlier run's
cleanup_hook=drop_nodes
for n in "${nodes[@]}"; do
        "$swtpm_fixture" node "$AE_SWTPM_DIR" "$n" >/dev/null &
done
wait || fail "could not make the fleet's TPMs"

write_policy
start_server
model_on_base_entries

# ---- every agent at once ----------------------------------------------------
for n in "${nodes[@]}"; do
        cat >"$work/$n.json" <<JSON
{ "trust_domain": "aegis.test", "server_address": "127.0.0.1:$port",
  "server_name": "localhost", "trust_bundle": "ca/bundle.pem",
  "socket_path": "$work/$n.sock", "tpm": { "tcti": "$(cat "$AE_SWTPM_DIR/$n/tcti")" },
  "sync_interval_s": 1 }
JSON
done
for n in "${nodes[@]}"; do
        "$agent_bin" -config "$work/$n.json" >/dev/null 2>"$work/$n.log" &
        more_pids+=($!)
done

# attested: how many agents say they are.
attested() { grep -l 'node attested' "$work"/fleet*.log | wc -l; }
started=$SECONDS
for _ in $(seq 1200); do
        [ "$(attested)" -eq "$fleet" ] && break
        sleep 0.1
done
[ "$(attested)" -eq "$fleet" ] || fail "only $(attested) of $fleet agents attested"
echo "all $fleet agents attested within $((SECONDS - started)) s of their start"
ok
grep -l 'attestation refused\|attestation failed' "$work"/fleet*.log && fail "an agent was refused"
ok
ids=$(sed -n 's/.*node attested spiffe_id=\(spiffe:[^ ]*\).*/\1/p' "$work"/fleet*.log | sort -u | wc -l)
[ "$ids" -eq "$fleet" ] || fail "$fleet agents under $ids agent IDs"
ok
if command -v sqlite3 >/dev/null; then
        audit=$(sqlite3 "$work/aegis.sqlite3" "select accepted, count(*), count(distinct ek_id)
                from audit where kind = 'attestation' group by accepted")
        [ "$audit" = "1|$fleet|$fleet" ] || fail "audit: '$audit', not $fleet accepted from $fleet EKs"
        ok
fi

# ---- every agent serves its workload ---------------------------------------------
for n in "${nodes[@]}"; do
        for _ in $(seq 60); do
                /usr/bin/python3 "$here/workload_fetch.py" --proto-root "$proto_root" \
                        --socket "$work/$n.sock" --stubs "$work/stubs" >"$work/fetch.out" 2>&1 &&
                        break
                sleep 0.5
        done
        fetched spiffe://aegis.test/model || { cat "$work/fetch.out" >&2; fail "$n: no SVID"; }
        ok
done
echo "agent_fleet: $fleet agents attested concurrently; $checks checks passed"
