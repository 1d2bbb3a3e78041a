# daemons_lib.sh: sourced by the tests that run aegis-server and aegis-agent
# on the swtpm_attest fixture (server_e2e.sh, agent_e2e.sh,
# agent_pog_e2e.sh, the agent fault tests), and by server_sigkill.sh, which
# runs the server alone without a TPM. The caller sets aegis,
# server_bin, agent_bin, proto_root, here and work, and may set
# LOCATION_JSON (the policy's "location" member) before write_policy,
# AGENT_TCTI (another TPM than the fixture's main one) before
# write_agent_config, more_pids (other processes to stop on exit) and
# cleanup_hook (a command run on exit, before $work goes).

server_pid= agent_pid=
more_pids=()
cleanup_hook=
checks=0
export TPM2TOOLS_TCTI=${AE_TPM_TCTI:-}

# On exit: stop the daemons (they stop gracefully on SIGTERM, so a
# sanitizer build reports leaks then) and fail the test when any log
# holds a sanitizer report.
daemons_cleanup() {
        local rc=$? reports= p
        for p in "$agent_pid" "${more_pids[@]}"; do
                [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
        done
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        [ -n "$TPM2TOOLS_TCTI" ] && { tpm2_pcrreset 16 >/dev/null 2>&1 || true; }
        [ -n "$cleanup_hook" ] && { $cleanup_hook || true; }
        reports=$(grep -l 'Sanitizer' "$work"/*.log 2>/dev/null || true)
        if [ -n "$reports" ]; then
                echo "FAIL: sanitizer reports in $reports" >&2
                grep -h -A20 'Sanitizer' $reports >&2 || true
                rc=1
        fi
        rm -rf "$work"
        exit "$rc"
}

fail() {
        echo "FAIL: $*" >&2
        for f in server.log agent.log; do
                [ -f "$work/$f" ] && { echo "--- $f" >&2; tail -25 "$work/$f" >&2; }
        done
        exit 1
}
ok() { checks=$((checks + 1)); }

require_grpcio() {
        /usr/bin/python3 -c 'import grpc, grpc_tools, cryptography' 2>/dev/null || {
                echo "skipped: python3-grpcio, python3-grpc-tools, python3-cryptography"
                exit 77
        }
}

# A policy for aegis.test: the fixture's EK CA, the TPM's PCRs as they are
# now as golden set "base", and $LOCATION_JSON when set.
write_policy() {
        local golden location=
        tpm2_flushcontext -t >/dev/null 2>&1 || true
        tpm2_pcrreset 16 >/dev/null
        golden=$(tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 |
                sed -n 's/^ *\([0-9]\+\) *: 0x\([0-9A-Fa-f]\{64\}\)$/"\1": "\2"/p' | paste -sd, -)
        [ -n "${LOCATION_JSON:-}" ] && location=", \"location\": $LOCATION_JSON"
        cat >"$work/policy.json" <<JSON
{
  "version": 1,
  "trust_domain": "aegis.test",
  "ek": { "trust": "ca", "ca_bundle": "$AE_EK_CA_BUNDLE" },
  "pcrs": {
    "quote": { "sha256": [0, 1, 2, 3, 4, 5, 6, 7, 16] },
    "golden": { "base": { "sha256": { $golden } } }
  }$location
}
JSON
        "$aegis" ca init --dir "$work/ca" --trust-domain aegis.test >/dev/null
        cat >"$work/server.json" <<JSON
{ "policy": "policy.json", "ca_dir": "ca", "datastore": "aegis.sqlite3",
  "listen": "127.0.0.1:0", "admin_socket": "$work/admin.sock",
  "reattestation_max_age_s": 60 }
JSON
}

# Start aegis-server; $port is its port. The first start fixes the port in
# the configuration, so a restart is found where the agent knows it.
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
        sed -i "s/127.0.0.1:0/127.0.0.1:$port/" "$work/server.json"
}

stop_server() {
        kill "$server_pid"
        wait "$server_pid" || true
        server_pid=
}

# write_agent_config [GNSS_JSON]: the agent's configuration.
write_agent_config() {
        local gnss=
        [ -n "${1:-}" ] && gnss=", \"gnss\": $1"
        cat >"$work/agent.json" <<JSON
{ "trust_domain": "aegis.test", "server_address": "127.0.0.1:$port",
  "server_name": "localhost", "trust_bundle": "ca/bundle.pem",
  "socket_path": "$work/agent.sock", "tpm": { "tcti": "${AGENT_TCTI:-$AE_TPM_TCTI}" },
  "reattest_interval_s": 5, "sync_interval_s": 1$gnss }
JSON
}

start_agent() {
        : >"$work/agent.out"
        "$agent_bin" -config "$work/agent.json" >"$work/agent.out" 2>>"$work/agent.log" &
        agent_pid=$!
        for _ in $(seq 100); do
                grep -q 'serving the Workload API' "$work/agent.out" && return 0
                kill -0 "$agent_pid" 2>/dev/null || fail "aegis-agent exited"
                sleep 0.1
        done
        fail "aegis-agent did not start serving"
}

stop_agent() {
        kill "$agent_pid"
        wait "$agent_pid" || true
        agent_pid=
}

# entry ARGS...: aegis entry create on the admin socket.
entry() {
        "$aegis" entry create -socketPath "$work/admin.sock" "$@" >/dev/null ||
                fail "entry create $*"
}

# One FetchX509SVID with Debian's grpcio as this interpreter: output in
# $work/fetch.out, the SVID in $work/svid.pem.
fetch() {
        /usr/bin/python3 "$here/workload_fetch.py" --proto-root "$proto_root" \
                --socket "$work/agent.sock" --stubs "$work/stubs" --out "$work/svid" \
                >"$work/fetch.out" 2>&1
}

# fetched WANT: the last fetch printed WANT as a line of its own (a SPIFFE
# ID) or at the start of one ("status CODE").
fetched() {
        awk -v w="$1" '$0 == w || index($0, w " ") == 1 { found = 1 } END { exit !found }' \
                "$work/fetch.out"
}

# wait_fetch WANT SECONDS: until a fetch prints WANT, at most SECONDS.
wait_fetch() {
        local want=$1 deadline=$((SECONDS + $2))
        while [ $SECONDS -lt $deadline ]; do
                fetch || true
                fetched "$want" && { ok; return 0; }
                sleep 0.5
        done
        cat "$work/fetch.out" >&2
        fail "workload did not get '$want' within $2 s"
}

# The sha256 a workload entry names for this interpreter.
python_hash() {
        sha256sum "$(readlink -f /usr/bin/python3)" | cut -d' ' -f1
}

# model_on_base_entries: the usual pair. Nodes whose PCRs match "base" are
# spiffe://aegis.test/node/base, and this interpreter's hash under such a
# node is spiffe://aegis.test/model. Sets hash.
model_on_base_entries() {
        hash=$(python_hash)
        entry -spiffeID spiffe://aegis.test/node/base -parentID spiffe://aegis.test/spire/server \
                -selector aegis_tpm:pcr_policy:base
        entry -spiffeID spiffe://aegis.test/model -parentID spiffe://aegis.test/node/base \
                -selector "aegis_exe:sha256:$hash"
}
