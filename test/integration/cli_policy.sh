#!/usr/bin/env bash
# aegis policy check: the shipped example is valid; a broken copy is refused
# with the JSON path of the problem; usage errors exit 2.
set -euo pipefail
aegis=$1 example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$aegis" policy check "$example")
grep -q "valid" <<<"$out" && grep -q "golden sets    swtpm-fresh (3 PCRs)" <<<"$out" ||
  { echo "unexpected output for the example: $out" >&2; exit 1; }

sed 's/"16": "0000/"17": "0000/' "$example" >"$work/bad.json"
rc=0
out=$("$aegis" policy check "$work/bad.json") || rc=$?
[ "$rc" -eq 1 ] || { echo "broken policy: exit $rc, expected 1" >&2; exit 1; }
grep -qF 'invalid: $.pcrs.golden.swtpm-fresh.sha256.17: PCR 17 of sha256 is not in $.pcrs.quote' <<<"$out" ||
  { echo "unexpected output for the broken policy: $out" >&2; exit 1; }

rc=0
"$aegis" policy >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "usage error: exit $rc, expected 2" >&2; exit 1; }
echo "cli_policy: ok"
