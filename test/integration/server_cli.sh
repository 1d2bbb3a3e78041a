#!/usr/bin/env bash
# server_cli.sh AEGIS AEGIS_SERVER: the operator's commands against a real
# aegis-server on its admin socket, no TPM needed (no agent attests here):
# aegis entry create/show/delete and aegis bundle show, every refusal with
# its exact text, output in spire-server's layout. Checked with tools Aegis
# did not write: openssl verify for the PEM bundle, python3's json for the
# SPIFFE bundle, sqlite3 for the audit log.
set -euo pipefail

aegis=${1:?usage: server_cli.sh AEGIS AEGIS_SERVER}
server_bin=${2:?usage: server_cli.sh AEGIS AEGIS_SERVER}
work=$(mktemp -d "${TMPDIR:-/tmp}/server_cli.XXXXXX")
server_pid=
mute_pid=
checks=0
cleanup() {
        for pid in $server_pid $mute_pid; do
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        rm -rf "$work"
}
trap cleanup EXIT

fail() {
        echo "FAIL: $*" >&2
        [ -f "$work/server.log" ] && { echo "--- server log" >&2; tail -20 "$work/server.log" >&2; }
        exit 1
}
ok() { checks=$((checks + 1)); }

# run WANT ARGS...: aegis's exit status must be WANT; output in $work/out,
# $work/err.
run() {
        local want=$1 rc=0
        shift
        "$aegis" "$@" >"$work/out" 2>"$work/err" || rc=$?
        [ "$rc" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "aegis $*: exit $rc, expected $want"; }
        ok
}
# The first line of stderr is exactly the text.
err_is() {
        [ "$(head -n1 "$work/err")" = "$1" ] || { cat "$work/err" >&2; fail "stderr is not: $1"; }
        ok
}
has() { grep -qxF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks the line: $2"; }; ok; }
lacks() { ! grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 has: $2"; }; ok; }
first_is() {
        [ "$(head -n1 "$work/out")" = "$1" ] || { cat "$work/out" >&2; fail "first line is not: $1"; }
        ok
}
entry_id() { sed -n 's/^Entry ID         : //p' "$work/out"; }
S=(-socketPath "$work/admin.sock")
td=aegis.test

# ---- a policy (no TPM will ever pass it), a CA, a server ---------------------
z64=0000000000000000000000000000000000000000000000000000000000000000
cat >"$work/policy.json" <<JSON
{
  "version": 1,
  "trust_domain": "$td",
  "ek": { "trust": "allowlist",
          "allowlist": ["5e1f0c2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100"] },
  "pcrs": {
    "quote": { "sha256": [0, 7] },
    "golden": { "made-up": { "sha256": { "0": "$z64", "7": "1111111111111111111111111111111111111111111111111111111111111111" } } }
  }
}
JSON
"$aegis" ca init --dir "$work/ca" --trust-domain "$td" >/dev/null
cat >"$work/server.json" <<JSON
{
  "policy": "policy.json",
  "ca_dir": "ca",
  "datastore": "aegis.sqlite3",
  "listen": "127.0.0.1:0",
  "server_names": ["localhost"],
  "admin_socket": "$work/admin.sock"
}
JSON
"$server_bin" -config "$work/server.json" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
        grep -q 'listening on' "$work/server.out" && break
        kill -0 "$server_pid" 2>/dev/null || fail "aegis-server exited"
        sleep 0.1
done
grep -q 'listening on' "$work/server.out" || fail "aegis-server did not say it is listening"
[ "$(stat -c %a "$work/admin.sock")" = 600 ] || fail "admin socket mode $(stat -c %a "$work/admin.sock")"
ok

# ---- usage errors (exit 2) before any call ----------------------------------
run 2 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/y
err_is "aegis entry: at least one -selector is required"
run 2 entry create "${S[@]}" -spiffeID spiffe://$td/x -selector a:b
err_is "aegis entry: -spiffeID and -parentID are required"
run 2 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/y -selector nocolon
err_is 'aegis entry: selector "nocolon" must be formatted as type:value'
run 2 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/y -selector a:b \
        -x509SVIDTTL soon
err_is "aegis entry: -x509SVIDTTL and -jwtSVIDTTL take seconds"
run 2 entry show "${S[@]}" -dns x.example
err_is "aegis entry: -dns is not an option of 'entry show'"
run 2 entry delete "${S[@]}"
err_is "aegis entry: -entryID is required"
run 2 entry update "${S[@]}"
err_is "aegis entry: unknown action"
run 2 bundle show "${S[@]}" -format der
err_is "aegis bundle: -format takes pem or spiffe"
run 0 entry --help
has "$work/out" "  -socketPath PATH  the server's admin socket; default \$AEGIS_SERVER_SOCKET"

# ---- no server there ---------------------------------------------------------
run 1 entry show -socketPath "$work/nothing.sock"
err_is "aegis entry show: no aegis-server socket at $work/nothing.sock (is aegis-server running? -socketPath or \$AEGIS_SERVER_SOCKET names another)"
run 1 bundle show -socketPath "$work/policy.json"
err_is "aegis bundle show: $work/policy.json is not a socket"
# A socket nobody listens on (a server that died), then one that accepts and
# never answers: the 10 s deadline.
/usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
        "$work/stale.sock"
run 1 entry show -socketPath "$work/stale.sock"
case "$(head -n1 "$work/err")" in
"aegis entry show: aegis-server at $work/stale.sock unavailable: "*) ok ;;
*) cat "$work/err" >&2; fail "stale socket" ;;
esac
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c = s.accept()
time.sleep(60)' "$work/mute.sock" &
mute_pid=$!
for _ in $(seq 50); do [ -S "$work/mute.sock" ] && break; sleep 0.1; done
run 1 bundle show -socketPath "$work/mute.sock"
err_is "aegis bundle show: aegis-server at $work/mute.sock did not answer within 10 s"
kill "$mute_pid"
wait "$mute_pid" 2>/dev/null || true
mute_pid=

# ---- create: the printout, exactly -------------------------------------------
run 0 entry show "${S[@]}"
[ "$(cat "$work/out")" = "Found 0 entries" ] || fail "empty server: $(cat "$work/out")"
ok

run 0 entry create "${S[@]}" -spiffeID spiffe://$td/node/eu -parentID spiffe://$td/spire/server \
        -selector aegis_tpm:geo_zone:eu-de
node_eu=$(entry_id)
[[ "$node_eu" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
        fail "entry id $node_eu"
ok
cat >"$work/want" <<EOF
Entry ID         : $node_eu
SPIFFE ID        : spiffe://$td/node/eu
Parent ID        : spiffe://$td/spire/server
Revision         : 0
X509-SVID TTL    : default
JWT-SVID TTL     : default
Selector         : aegis_tpm:geo_zone:eu-de

EOF
diff -u "$work/want" "$work/out" >&2 || fail "create printout (node alias)"
ok

hash=$(printf 'model v1' | sha256sum | cut -d' ' -f1)
run 0 entry create "${S[@]}" -spiffeID spiffe://$td/model -parentID spiffe://$td/node/eu \
        -selector "aegis_exe:sha256:$hash" -selector aegis_tpm:geo_zone:eu-de \
        -x509SVIDTTL 600 -jwtSVIDTTL 120 -dns model.aegis.test -dns api.aegis.test -hint model-v1
model=$(entry_id)
cat >"$work/want" <<EOF
Entry ID         : $model
SPIFFE ID        : spiffe://$td/model
Parent ID        : spiffe://$td/node/eu
Revision         : 0
X509-SVID TTL    : 600
JWT-SVID TTL     : 120
Selector         : aegis_exe:sha256:$hash
Selector         : aegis_tpm:geo_zone:eu-de
DNS name         : model.aegis.test
DNS name         : api.aegis.test
Hint             : model-v1

EOF
diff -u "$work/want" "$work/out" >&2 || fail "create printout (workload)"
ok
cp "$work/out" "$work/model.created"

# The same hash under the same parent, without the zone: a different entry.
run 0 entry create "${S[@]}" -spiffeID spiffe://$td/model-any -parentID spiffe://$td/node/eu \
        -selector "aegis_exe:sha256:$hash"
model_any=$(entry_id)
# SPIRE's double-dash spelling works too.
run 0 entry create --socketPath "$work/admin.sock" --spiffeID spiffe://$td/downstream \
        --parentID spiffe://$td/spire/agent/aegis_tpm/00 --selector aegis_exe:uid:0 --admin \
        --downstream
downstream=$(entry_id)
has "$work/out" "Downstream       : true"
has "$work/out" "Admin            : true"
[ "$(sed -n 5p "$work/out")" = "Downstream       : true" ] || fail "Downstream after Revision"
ok

# ---- refusals: exit 1, the server's reason word for word ----------------------
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/model -parentID spiffe://$td/node/eu \
        -selector aegis_tpm:geo_zone:eu-de -selector "aegis_exe:sha256:$hash"
err_is "aegis entry create: an entry with this SPIFFE ID, parent and selectors exists"
[ ! -s "$work/out" ] || fail "a refused create printed an entry"
ok
run 1 entry create "${S[@]}" -spiffeID 'spiffe://aegis.test/a//b' -parentID spiffe://$td/node/eu \
        -selector aegis_exe:uid:0
err_is 'aegis entry create: -spiffeID "spiffe://aegis.test/a//b": not a SPIFFE ID: path has an empty segment'
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID 'https://aegis.test/node' \
        -selector aegis_exe:uid:0
err_is 'aegis entry create: -parentID "https://aegis.test/node": not a SPIFFE ID: scheme is not "spiffe://" (lowercase)'
run 1 entry create "${S[@]}" -spiffeID spiffe://$td -parentID spiffe://$td/node/eu \
        -selector aegis_exe:uid:0
err_is "aegis entry create: SPIFFE ID invalid or without a path"
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://other.test/node \
        -selector aegis_exe:uid:0
err_is "aegis entry create: parent ID in another trust domain than the SPIFFE ID"
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/node/eu \
        -selector aegis_exe:
err_is "aegis entry create: selector value empty, too long or not printable"
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/node/eu \
        -selector aegis_exe:uid:0 -selector aegis_exe:uid:0
err_is "aegis entry create: selector repeated"
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/node/eu \
        -selector aegis_exe:uid:0 -x509SVIDTTL 2592001
err_is "aegis entry create: SVID TTL out of range"
run 1 entry create "${S[@]}" -spiffeID spiffe://$td/x -parentID spiffe://$td/node/eu \
        -selector aegis_exe:uid:0 -dns bad_name.example
err_is "aegis entry create: DNS name invalid"

# ---- show: all, by ID, by parent, by SPIFFE ID, by selectors -----------------
run 0 entry show "${S[@]}"
first_is "Found 4 entries"
for id in "$node_eu" "$model" "$model_any" "$downstream"; do has "$work/out" "Entry ID         : $id"; done
[ "$(grep -c '^Entry ID ' "$work/out")" = 4 ] || fail "show lists each entry once"
ok

run 0 entry show "${S[@]}" -entryID "$model"
first_is "Found 1 entry"
diff -u "$work/model.created" <(tail -n +2 "$work/out") >&2 || fail "show -entryID differs from create"
ok
run 1 entry show "${S[@]}" -entryID 00000000-0000-4000-8000-000000000000
err_is "aegis entry show: entry not found"
run 0 entry show "${S[@]}" -entryID "$model" -parentID spiffe://$td/spire/server
first_is "Found 0 entries"

run 0 entry show "${S[@]}" -parentID spiffe://$td/node/eu
first_is "Found 2 entries"
has "$work/out" "Entry ID         : $model"
has "$work/out" "Entry ID         : $model_any"
run 0 entry show "${S[@]}" -spiffeID spiffe://$td/model
first_is "Found 1 entry"
has "$work/out" "Entry ID         : $model"
run 0 entry show "${S[@]}" -selector "aegis_exe:sha256:$hash"
first_is "Found 2 entries"
lacks "$work/out" "$node_eu"
run 0 entry show "${S[@]}" -selector "aegis_exe:sha256:$hash" -selector aegis_tpm:geo_zone:eu-de
first_is "Found 1 entry"
has "$work/out" "Entry ID         : $model"
run 0 entry show "${S[@]}" -selector aegis_tpm:geo_zone:eu-de
first_is "Found 2 entries"
has "$work/out" "Entry ID         : $node_eu"
run 0 entry show "${S[@]}" -parentID spiffe://$td/spire/server -spiffeID spiffe://$td/model
first_is "Found 0 entries"
run 1 entry show "${S[@]}" -spiffeID 'spiffe://Aegis.test/model'
err_is 'aegis entry show: -spiffeID "spiffe://Aegis.test/model": not a SPIFFE ID: trust domain is not lowercase'
# The socket from the environment, and a relative -socketPath.
AEGIS_SERVER_SOCKET=$work/admin.sock run 0 entry show -spiffeID spiffe://$td/model-any
first_is "Found 1 entry"
pushd "$work" >/dev/null
run 0 entry show -socketPath admin.sock -spiffeID spiffe://$td/model-any
popd >/dev/null
first_is "Found 1 entry"

# ---- more than one page (ListEntries pages of 100) ---------------------------
for i in $(seq 1 105); do
        "$aegis" entry create "${S[@]}" -spiffeID "spiffe://$td/bulk/w$i" \
                -parentID spiffe://$td/bulk -selector "aegis_exe:uid:$i" >/dev/null ||
                fail "bulk create $i"
done
ok
run 0 entry show "${S[@]}" -parentID spiffe://$td/bulk
first_is "Found 105 entries"
[ "$(grep '^SPIFFE ID ' "$work/out" | sort -u | wc -l)" = 105 ] || fail "105 distinct entries"
ok
run 0 entry show "${S[@]}"
first_is "Found 109 entries"

# ---- delete --------------------------------------------------------------------
run 0 entry delete "${S[@]}" -entryID "$model"
[ "$(cat "$work/out")" = "Deleted entry with ID: $model" ] || fail "delete printout: $(cat "$work/out")"
ok
run 1 entry delete "${S[@]}" -entryID "$model"
err_is "aegis entry delete: entry not found"
run 1 entry delete "${S[@]}" -entryID not-an-id
err_is "aegis entry delete: entry not found"
run 1 entry show "${S[@]}" -entryID "$model"
err_is "aegis entry show: entry not found"
run 0 entry show "${S[@]}" -parentID spiffe://$td/node/eu
first_is "Found 1 entry"
lacks "$work/out" "$model"
has "$work/out" "Entry ID         : $model_any"
# Deleted, it can be created again (a new ID).
run 0 entry create "${S[@]}" -spiffeID spiffe://$td/model -parentID spiffe://$td/node/eu \
        -selector "aegis_exe:sha256:$hash" -selector aegis_tpm:geo_zone:eu-de
[ "$(entry_id)" != "$model" ] || fail "a re-created entry reused the deleted ID"
ok

# ---- bundle show ---------------------------------------------------------------
run 0 bundle show "${S[@]}"
cp "$work/out" "$work/bundle-show.pem"
openssl verify -CAfile "$work/bundle-show.pem" "$work/ca/ca-cert.pem" >/dev/null ||
        fail "openssl verify with the shown bundle"
ok
openssl x509 -in "$work/bundle-show.pem" -outform DER >"$work/shown.der"
openssl x509 -in "$work/ca/bundle.pem" -outform DER >"$work/bundle.der"
cmp -s "$work/shown.der" "$work/bundle.der" || fail "shown root differs from bundle.pem's"
ok
[ "$(grep -c 'BEGIN CERTIFICATE' "$work/bundle-show.pem")" = \
  "$(grep -c 'BEGIN CERTIFICATE' "$work/ca/bundle.pem")" ] || fail "number of roots"
ok
run 0 bundle show "${S[@]}" -format pem
cmp -s "$work/out" "$work/bundle-show.pem" || fail "-format pem is the default"
ok

run 0 bundle show "${S[@]}" -format spiffe
cp "$work/out" "$work/bundle.json"
kid=$(openssl pkey -in "$work/ca/ca-key.pem" -pubout -outform DER | sha256sum | cut -c1-32)
/usr/bin/python3 - "$work/bundle.json" "$work/bundle.der" "$kid" <<'PY' || fail "SPIFFE bundle JSON"
import base64, json, sys
doc = json.load(open(sys.argv[1]))
der = open(sys.argv[2], "rb").read()
keys = doc["keys"]
x509 = [k for k in keys if k.get("use") == "x509-svid"]
jwt = [k for k in keys if k.get("use") == "jwt-svid"]
assert len(x509) == 1 and len(jwt) == 1 and len(keys) == 2, keys
assert base64.b64decode(x509[0]["x5c"][0], validate=True) == der, "x5c is not the root"
assert x509[0]["kty"] == "EC" and x509[0]["crv"] == "P-256" and "kid" not in x509[0]
assert jwt[0]["kid"] == sys.argv[3], (jwt[0]["kid"], sys.argv[3])
assert jwt[0]["kty"] == "EC" and "x5c" not in jwt[0]
assert isinstance(doc["spiffe_sequence"], int) and doc["spiffe_refresh_hint"] > 0
PY
ok
# Aegis's own strict reader takes it: an SVID of this CA verifies with it.
mkdir "$work/svid"
"$aegis" svid mint --ca "$work/ca" --id spiffe://$td/w --out "$work/svid" >/dev/null ||
        fail "svid mint"
run 0 svid verify --bundle "$td=$work/bundle.json" "$work/svid/svid.pem"

# ---- the audit log, read with sqlite3 ---------------------------------------
if command -v sqlite3 >/dev/null; then
        sqlite3 "$work/aegis.sqlite3" "select kind from audit order by seq" >"$work/audit" ||
                fail "sqlite3 could not read the datastore"
        [ "$(grep -c '^entry_created$' "$work/audit")" = 110 ] || fail "entry_created records"
        ok
        [ "$(grep -c '^entry_deleted$' "$work/audit")" = 1 ] || fail "entry_deleted records"
        ok
fi
echo "server_cli: $checks checks passed"
