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
/usr/bin/python3 -c 'import grpc, grpc_tools, cryptography' 2>/dev/null || {
        echo "skipped: python3-grpcio, python3-grpc-tools, python3-cryptography"
        exit 77
}
work=$(mktemp -d "$AE_SWTPM_DIR/agent_e2e.XXXXXX")
server_pid= agent_pid=
checks=0
cleanup() {
        [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        tpm2_pcrreset 16 >/dev/null 2>&1 || true
        rm -rf "$work"
}
trap cleanup EXIT
export TPM2TOOLS_TCTI=$AE_TPM_TCTI

fail() {
        echo "FAIL: $*" >&2
        for f in server.log agent.log; do
                [ -f "$work/$f" ] && { echo "--- $f" >&2; tail -25 "$work/$f" >&2; }
        done
        exit 1
}
ok() { checks=$((checks + 1)); }

fetch() {
        /usr/bin/python3 "$here/workload_fetch.py" --proto-root "$proto_root" \
                --socket "$work/agent.sock" --stubs "$work/stubs" --out "$work/svid" \
                >"$work/fetch.out" 2>&1
}
# wait_fetch WANT SECONDS: until a fetch prints WANT (a SPIFFE ID or
# "status CODE"), at most SECONDS.
wait_fetch() {
        local want=$1 deadline=$((SECONDS + $2))
        while [ $SECONDS -lt $deadline ]; do
                fetch || true
                grep -qF -- "$want" "$work/fetch.out" && { ok; return 0; }
                sleep 0.5
        done
        cat "$work/fetch.out" >&2
        fail "workload did not get '$want' within $2 s"
}

tpm2_flushcontext -t >/dev/null 2>&1 || true
tpm2_pcrreset 16 >/dev/null

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
cat >"$work/server.json" <<JSON
{ "policy": "policy.json", "ca_dir": "ca", "datastore": "aegis.sqlite3",
  "listen": "127.0.0.1:0", "admin_socket": "$work/admin.sock",
  "reattestation_max_age_s": 60 }
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
}
start_server
first_port=$port
# The server listens on a fixed port from now on, so a restart is found
# where the agent knows it.
sed -i "s/127.0.0.1:0/127.0.0.1:$port/" "$work/server.json"

cat >"$work/agent.json" <<JSON
{ "trust_domain": "aegis.test", "server_address": "127.0.0.1:$port",
  "server_name": "localhost", "trust_bundle": "ca/bundle.pem",
  "socket_path": "$work/agent.sock", "tpm": { "tcti": "$AE_TPM_TCTI" },
  "reattest_interval_s": 5, "sync_interval_s": 1 }
JSON

# Entries: nodes whose PCRs match "base" are node/base; this interpreter's
# hash under it is the workload.
python=$(readlink -f /usr/bin/python3)
hash=$(sha256sum "$python" | cut -d' ' -f1)
"$aegis" entry create -socketPath "$work/admin.sock" -spiffeID spiffe://aegis.test/node/base \
        -parentID spiffe://aegis.test/spire/server -selector aegis_tpm:pcr_policy:base >/dev/null
"$aegis" entry create -socketPath "$work/admin.sock" -spiffeID spiffe://aegis.test/model \
        -parentID spiffe://aegis.test/node/base -selector "aegis_exe:sha256:$hash" >/dev/null
ok

"$agent_bin" -config "$work/agent.json" >"$work/agent.out" 2>>"$work/agent.log" &
agent_pid=$!
for _ in $(seq 100); do
        grep -q 'serving the Workload API' "$work/agent.out" && break
        kill -0 "$agent_pid" 2>/dev/null || fail "aegis-agent exited"
        sleep 0.1
done

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

# ---- the server restarts: the agent keeps serving, then reconnects ---------------
kill "$server_pid"
wait "$server_pid" || true
server_pid=
fetch || true
grep -qF spiffe://aegis.test/model "$work/fetch.out" || fail "no SVID while the server is down"
ok
start_server
[ "$port" = "$first_port" ] || fail "server came back on another port"
attested_before=$(grep -c 'node attested' "$work/agent.log")
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
