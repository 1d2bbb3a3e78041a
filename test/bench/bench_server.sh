#!/usr/bin/env bash
# bench_server.sh svid AEGIS AEGIS_SERVER BENCH_SERVER_SVID [SECONDS]
# bench_server.sh agent_start AEGIS AEGIS_SERVER AEGIS_AGENT BENCH_AGENT_START [RUNS]
#
# The daemons' benchmarks on the swtpm_attest fixture: aegis-server set up
# as the daemon tests set it up (test/integration/daemons_lib.sh: the
# fixture's EK CA, the TPM's PCRs as golden set "base", a fresh CA), entries
# made with aegis entry create, then the bench program, whose BENCH lines
# are the output. The entries' parent is this node's agent ID, known from
# the EK certificate before anything attests.
#   svid:        $ENTRIES entries that name a code hash (so every SVID
#                carries the claims), for bench_server_svid
#                (BatchNewX509SVID throughput; SECONDS per shape, default 3)
#   agent_start: one entry for the bench program's own executable, an
#                agent configuration, then bench_agent_start (exec of
#                aegis-agent to the workload's first SVID; RUNS, default 10)
set -euo pipefail

mode=${1:?usage: see bench_server.sh}
aegis=${2:?}
server_bin=${3:?}
: "${AE_SWTPM_DIR:?run through ctest (fixture swtpm_attest)}"
here=$(cd "$(dirname "$0")/../integration" && pwd)
agent_bin='' proto_root=''
# shellcheck source=../integration/daemons_lib.sh
. "$here/daemons_lib.sh"
work=$(mktemp -d "$AE_SWTPM_DIR/bench_server.XXXXXX")
trap daemons_cleanup EXIT

ENTRIES=50

# create_entry ARGS...: the new entry's ID.
create_entry() {
        "$aegis" entry create -socketPath "$work/admin.sock" "$@" >"$work/entry" 2>&1 ||
                { cat "$work/entry" >&2; fail "aegis entry create $*"; }
        sed -n 's/^Entry ID *: //p' "$work/entry"
}

write_policy
start_server
ek_id=$(openssl x509 -inform DER -in "$AE_TPM_EK_RSA_CERT" -noout -pubkey |
        openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
agent_id=spiffe://aegis.test/spire/agent/aegis_tpm/$ek_id

case $mode in
svid)
        bench=${4:?}
        : >"$work/entries"
        for i in $(seq -w 0 $((ENTRIES - 1))); do
                hash=$(printf 'workload %s' "$i" | sha256sum | cut -d' ' -f1)
                id=$(create_entry -spiffeID "spiffe://aegis.test/bench/w$i" -parentID "$agent_id" \
                        -selector "aegis_exe:sha256:$hash")
                [ -n "$id" ] || fail "entry $i"
                echo "$id spiffe://aegis.test/bench/w$i" >>"$work/entries"
        done
        "$bench" "127.0.0.1:$port" "$work/ca/bundle.pem" aegis.test "$AE_TPM_TCTI" \
                "$work/entries" "${5:-3}" || fail "bench_server_svid"
        ;;
agent_start)
        agent_bin=${4:?}
        bench=${5:?}
        hash=$(sha256sum "$(readlink -f "$bench")" | cut -d' ' -f1)
        id=$(create_entry -spiffeID spiffe://aegis.test/bench/first -parentID "$agent_id" \
                -selector "aegis_exe:sha256:$hash")
        [ -n "$id" ] || fail "entry"
        write_agent_config
        "$bench" "$agent_bin" "$work/agent.json" "$work/agent.sock" \
                spiffe://aegis.test/bench/first "$work" "${6:-10}" \
                "127.0.0.1:$port" "$work/ca/bundle.pem" aegis.test "$AE_TPM_TCTI" "$id" ||
                fail "bench_agent_start"
        ;;
*)
        fail "unknown mode $mode"
        ;;
esac
