#!/usr/bin/env bash
# server_sigkill.sh AEGIS AEGIS_SERVER [ROUNDS]: aegis-server killed with
# SIGKILL while an operator's writes are in flight, ROUNDS times (default
# 10). In each round a writer creates entries and deletes ones created
# earlier through the admin socket, and records every call the server
# acknowledged; the server is killed at a random moment and started again
# on the same datastore. Every acknowledged create must be there, every
# acknowledged delete must be gone, and SQLite's integrity_check must pass.
# (datastore_sigkill does the same one layer down, without the server.)
set -euo pipefail

aegis=${1:?usage: server_sigkill.sh AEGIS AEGIS_SERVER [ROUNDS]}
server_bin=${2:?}
rounds=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/server_sigkill.XXXXXX")
# shellcheck source=daemons_lib.sh
. "$here/daemons_lib.sh"
trap daemons_cleanup EXIT
td=aegis.test
S=(-socketPath "$work/admin.sock")

# A policy no TPM passes (no agent attests here), a CA, a configuration.
cat >"$work/policy.json" <<JSON
{ "version": 1, "trust_domain": "$td",
  "ek": { "trust": "allowlist",
          "allowlist": ["5e1f0c2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100"] },
  "pcrs": { "quote": { "sha256": [0] },
            "golden": { "none": { "sha256": { "0": "$(printf '1%.0s' $(seq 64))" } } } } }
JSON
"$aegis" ca init --dir "$work/ca" --trust-domain "$td" >/dev/null
cat >"$work/server.json" <<JSON
{ "policy": "policy.json", "ca_dir": "ca", "datastore": "aegis.sqlite3",
  "listen": "127.0.0.1:0", "admin_socket": "$work/admin.sock" }
JSON

# writer ROUND: creates entries, and every third call deletes one created in
# an earlier round; acknowledged calls go to created (entry ID, SPIFFE ID)
# and deleted (entry ID). Ends at the first refusal: the server is gone. A
# delete the server was killed during is in doubt (it may have committed
# before the answer was lost), and goes to undecided; an undecided create
# is never looked for.
writer() {
        local round=$1 i=0 id victim
        touch "$work/created" "$work/deleted" "$work/undecided"
        while :; do
                i=$((i + 1))
                if [ $((i % 3)) -eq 0 ] &&
                        victim=$(comm -23 <(cut -d' ' -f1 "$work/created.before" | sort) \
                                <(sort "$work/deleted" "$work/undecided") | shuf -n1) &&
                        [ -n "$victim" ]; then
                        if ! "$aegis" entry delete "${S[@]}" -entryID "$victim" >/dev/null 2>&1; then
                                echo "$victim" >>"$work/undecided"
                                return 0
                        fi
                        echo "$victim" >>"$work/deleted"
                        continue
                fi
                "$aegis" entry create "${S[@]}" -spiffeID "spiffe://$td/w/$round/$i" \
                        -parentID "spiffe://$td/spire/agent/x" -selector "aegis_exe:uid:$i" \
                        >"$work/create.out" 2>/dev/null || return 0
                id=$(sed -n 's/^Entry ID *: //p' "$work/create.out")
                echo "$id spiffe://$td/w/$round/$i" >>"$work/created"
        done
}

# check: what the restarted server holds against what was acknowledged.
check() {
        "$aegis" entry show "${S[@]}" >"$work/show" || fail "entry show after the restart"
        sed -n 's/^Entry ID *: //p' "$work/show" | sort >"$work/present"
        local missing resurrected
        missing=$(comm -23 <(cut -d' ' -f1 "$work/created" | sort) \
                <(sort "$work/deleted" "$work/undecided") | comm -23 - "$work/present")
        [ -z "$missing" ] || fail "acknowledged entries lost: $missing"
        ok
        resurrected=$(sort "$work/deleted" | comm -12 - "$work/present")
        [ -z "$resurrected" ] || fail "acknowledged deletes undone: $resurrected"
        ok
        # An undecided delete is settled now: an entry still there stays
        # acknowledged; one gone counts as deleted from here on.
        sort "$work/undecided" | comm -23 - "$work/present" >>"$work/deleted"
        : >"$work/undecided"
        [ "$(sqlite3 "$work/aegis.sqlite3" 'pragma integrity_check')" = ok ] ||
                fail "integrity_check: $(sqlite3 "$work/aegis.sqlite3" 'pragma integrity_check')"
        ok
}

command -v sqlite3 >/dev/null || { echo "skipped: sqlite3"; exit 77; }
: >"$work/created"
: >"$work/deleted"
: >"$work/undecided"
for round in $(seq "$rounds"); do
        start_server
        cp "$work/created" "$work/created.before"
        writer "$round" &
        more_pids=($!) # stopped on exit if a check fails meanwhile
        sleep "$(shuf -i 300-1500 -n1)e-3"
        kill -KILL "$server_pid"
        wait "$server_pid" 2>/dev/null || true
        wait "${more_pids[0]}" || true
        more_pids=()
        start_server
        check
        kill "$server_pid"
        wait "$server_pid" || fail "aegis-server did not stop cleanly"
        server_pid=
done
echo "server_sigkill: $rounds rounds, $(wc -l <"$work/created") entries created and" \
        "$(wc -l <"$work/deleted") deleted while the server was killed; $checks checks passed"
