#!/usr/bin/env bash
# X.509-SVIDs as the openssl CLI sees them (a tool Aegis did not write):
#   - for each CA key type, minted SVIDs verify (`openssl verify`, strict,
#     for TLS client and server) and carry the X509-SVID rules, read back
#     with `openssl x509 -text/-ext`;
#   - rotation with overlap: an SVID minted before rotation verifies with
#     the bundle after it; once the old root expires the bundle drops it;
#   - an upstream CA played by openssl (root -> intermediate -> Aegis CA via
#     ca.csr and `openssl x509 -req`), checked with
#     `openssl verify -CAfile bundle -untrusted chain`.
set -euo pipefail
tool=$1
command -v openssl >/dev/null || { echo "openssl CLI not found" >&2; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/aegis-svid-x509-XXXXXX")
trap 'rm -rf "$work"' EXIT
now=$(date +%s)
td=example.org
id=spiffe://$td/ns/prod/web

fail() { echo "svid_x509_openssl: $*" >&2; exit 1; }
epoch() { date -d "$1" +%s; }
# The value line(s) of one extension in `openssl x509 -ext` output.
ext() { openssl x509 -in "$1" -noout -ext "$2" | tail -n +2 | sed 's/^ *//'; }
ext_header() { openssl x509 -in "$1" -noout -ext "$2" | head -n 1; }
ncerts() { grep -c -- '-----BEGIN CERTIFICATE-----' "$1"; }
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }

# check_leaf SVID CA_CERT LEAF_KEY SIG_ALG [UNTRUSTED]: every X509-SVID rule
# on a leaf; it verifies with the bundle beside it (and the untrusted chain).
check_leaf() {
  local svid=$1 ca=$2 leafkey=$3 sig=$4 untrusted=() text uris nb na
  [ $# -lt 5 ] || untrusted=(-untrusted "$5")
  text=$(openssl x509 -in "$svid" -noout -text)
  # Section 2: exactly one URI SAN, the SPIFFE ID.
  uris=$(ext "$svid" subjectAltName | tr ',' '\n' | sed 's/^ *//' | grep -c '^URI:' || true)
  [ "$uris" = 1 ] || fail "$svid: $uris URI SANs"
  [ "$(ext "$svid" subjectAltName)" = "URI:$id" ] || fail "$svid: SAN $(ext "$svid" subjectAltName)"
  # 3.1: a subject (so the SAN may be non-critical): the fixed O=Aegis.
  [ "$(openssl x509 -in "$svid" -noout -subject)" = "subject=O = Aegis" ] || fail "$svid: subject"
  # 4.1: cA=FALSE, critical.
  [ "$(ext_header "$svid" basicConstraints)" = "X509v3 Basic Constraints: critical" ] ||
    fail "$svid: basicConstraints not critical"
  [ "$(ext "$svid" basicConstraints)" = "CA:FALSE" ] || fail "$svid: not CA:FALSE"
  # 4.3: keyUsage critical; digitalSignature (+ keyEncipherment for RSA),
  # never keyCertSign or cRLSign.
  [ "$(ext_header "$svid" keyUsage)" = "X509v3 Key Usage: critical" ] || fail "$svid: KU not critical"
  if [ "$leafkey" = rsa2048 ]; then want="Digital Signature, Key Encipherment"; else want="Digital Signature"; fi
  [ "$(ext "$svid" keyUsage)" = "$want" ] || fail "$svid: key usage $(ext "$svid" keyUsage)"
  # 4.4: serverAuth and clientAuth.
  [ "$(ext "$svid" extendedKeyUsage)" = "TLS Web Server Authentication, TLS Web Client Authentication" ] ||
    fail "$svid: EKU $(ext "$svid" extendedKeyUsage)"
  # SKI present; AKI = the signing certificate's SKI.
  [ -n "$(ext "$svid" subjectKeyIdentifier)" ] || fail "$svid: no SKI"
  [ "$(ext "$svid" authorityKeyIdentifier)" = "$(ext "$ca" subjectKeyIdentifier)" ] ||
    fail "$svid: AKI is not the CA's SKI"
  # Signature algorithm per CA key.
  grep -q "Signature Algorithm: $sig" <<<"$text" || fail "$svid: signature not $sig"
  # Serial: positive, at most 128 bits (32 hex digits).
  serial=$(openssl x509 -in "$svid" -noout -serial | cut -d= -f2)
  [ "${#serial}" -le 32 ] && [ -n "${serial//0/}" ] || fail "$svid: serial $serial"
  # Validity (minted at $now): backdated 30 s but not before the CA's own
  # notBefore, default TTL 3600 s.
  nb=$(epoch "$(openssl x509 -in "$svid" -noout -startdate | cut -d= -f2)")
  na=$(epoch "$(openssl x509 -in "$svid" -noout -enddate | cut -d= -f2)")
  ca_nb=$(epoch "$(openssl x509 -in "$ca" -noout -startdate | cut -d= -f2)")
  want_nb=$((now - 30 > ca_nb ? now - 30 : ca_nb))
  [ "$nb" = "$want_nb" ] && [ "$na" = $((now + 3600)) ] ||
    fail "$svid: validity $nb..$na, minted at $now, CA from $ca_nb"
  # The claims extension: present, non-critical, the workload's ID in it.
  grep -q '^ *1\.3\.6\.1\.4\.1\.55744\.1\.1: *$' <<<"$text" || fail "$svid: claims extension missing or critical"
  grep -q "\"workload_id\":\"$id\"" <<<"$text" || fail "$svid: claims do not name $id"
  # Strict RFC 5280 path validation, for both TLS roles.
  openssl verify -x509_strict -purpose sslclient -CAfile "$(dirname "$svid")/bundle.pem" \
    "${untrusted[@]}" "$svid" >/dev/null || fail "$svid: verify (client)"
  openssl verify -x509_strict -purpose sslserver -CAfile "$(dirname "$svid")/bundle.pem" \
    "${untrusted[@]}" "$svid" >/dev/null || fail "$svid: verify (server)"
}

# check_ca CA_CERT: a signing certificate of the trust domain.
check_ca() {
  local ca=$1
  [ "$(ext_header "$ca" basicConstraints)" = "X509v3 Basic Constraints: critical" ] || fail "$ca: BC"
  [ "$(ext "$ca" basicConstraints)" = "CA:TRUE" ] || fail "$ca: not CA:TRUE"
  [ "$(ext_header "$ca" keyUsage)" = "X509v3 Key Usage: critical" ] || fail "$ca: KU not critical"
  [ "$(ext "$ca" keyUsage)" = "Certificate Sign, CRL Sign" ] || fail "$ca: KU $(ext "$ca" keyUsage)"
  [ "$(ext "$ca" subjectAltName)" = "URI:spiffe://$td" ] || fail "$ca: SAN $(ext "$ca" subjectAltName)"
  [ -n "$(ext "$ca" subjectKeyIdentifier)" ] && [ -n "$(ext "$ca" authorityKeyIdentifier)" ] ||
    fail "$ca: SKI/AKI"
}

# 1. Every CA key type, EC and RSA leaves.
declare -A sig=([p256]=ecdsa-with-SHA256 [p384]=ecdsa-with-SHA384 [rsa2048]=sha256WithRSAEncryption)
for ct in p256 p384 rsa2048; do
  ca=$work/ca-$ct
  "$tool" init "$ca" $td $ct "$now"
  [ "$(stat -c %a "$ca")" = 700 ] && [ "$(stat -c %a "$ca/ca-key.pem")" = 600 ] || fail "$ca: modes"
  check_ca "$ca/ca-cert.pem"
  openssl verify -x509_strict -CAfile "$ca/bundle.pem" "$ca/ca-cert.pem" >/dev/null || fail "$ca: root"
  for lk in p256 rsa2048; do
    out=$work/svid-$ct-$lk
    mkdir "$out"
    "$tool" mint "$ca" "$id" $lk "$out" "$now" 0 claims
    check_leaf "$out/svid.pem" "$ca/ca-cert.pem" $lk "${sig[$ct]}"
    # svid.pem: the leaf alone under a self-signed CA; the key is PKCS#8,
    # owner-only, and belongs to the leaf.
    [ "$(ncerts "$out/svid.pem")" = 1 ] || fail "$out: svid.pem holds $(ncerts "$out/svid.pem") certificates"
    [ "$(stat -c %a "$out/svid.key")" = 600 ] || fail "$out: svid.key mode"
    head -n 1 "$out/svid.key" | grep -qx -- '-----BEGIN PRIVATE KEY-----' || fail "$out: key not PKCS#8"
    [ "$(openssl pkey -in "$out/svid.key" -pubout)" = "$(openssl x509 -in "$out/svid.pem" -noout -pubkey)" ] ||
      fail "$out: key does not match the certificate"
  done
done
# A bundle of another trust domain's CA does not verify these SVIDs.
"$tool" init "$work/foreign" other.org p256 "$now"
if openssl verify -CAfile "$work/foreign/bundle.pem" "$work/svid-p256-p256/svid.pem" >/dev/null 2>&1; then
  fail "an SVID verified against a foreign bundle"
fi

# 2. Rotation with overlap (CA lifetime one hour, times injected).
ca=$work/rot
mkdir "$work/before" "$work/after"
"$tool" init "$ca" $td p256 "$now" 3600
"$tool" mint "$ca" "$id" p256 "$work/before" "$now" 600
"$tool" rotate "$ca" $((now + 60))
"$tool" mint "$ca" "$id" p256 "$work/after" $((now + 60)) 600
[ "$(ncerts "$work/after/bundle.pem")" = 2 ] || fail "rotation: bundle holds $(ncerts "$work/after/bundle.pem") roots"
openssl verify -attime $((now + 120)) -CAfile "$work/after/bundle.pem" "$work/before/svid.pem" >/dev/null ||
  fail "rotation: the SVID minted before does not verify with the new bundle"
openssl verify -attime $((now + 120)) -CAfile "$work/after/bundle.pem" "$work/after/svid.pem" >/dev/null ||
  fail "rotation: the new SVID does not verify"
if openssl verify -attime $((now + 120)) -CAfile "$work/before/bundle.pem" "$work/after/svid.pem" >/dev/null 2>&1; then
  fail "rotation: the new key's SVID verified with the old root alone"
fi
"$tool" bundle "$ca" $((now + 3600 + 31)) "$work/late-bundle.pem"
[ "$(ncerts "$work/late-bundle.pem")" = 1 ] || fail "rotation: expired root still in the bundle"
[ "$(fingerprint "$work/late-bundle.pem")" = "$(fingerprint "$ca/ca-cert.pem")" ] ||
  fail "rotation: the bundle's root is not the new CA"

# 3. An upstream CA (openssl): root -> intermediate -> the Aegis CA.
up=$work/upstream
mkdir "$up"
cat >"$up/ca.ext" <<'EOF'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$up/root.key" \
  -out "$up/root.pem" -days 3650 -subj "/O=Corp/CN=Corp Root" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$up/inter.key" -out "$up/inter.csr" \
  -subj "/O=Corp/CN=Corp Issuing CA" 2>/dev/null
openssl x509 -req -in "$up/inter.csr" -CA "$up/root.pem" -CAkey "$up/root.key" -set_serial 2 \
  -days 365 -extfile "$up/ca.ext" -out "$up/inter.pem" 2>/dev/null
cat "$up/inter.pem" "$up/root.pem" >"$up/chain.pem"

sub=$work/sub
"$tool" csr "$sub" $td p256
openssl req -in "$sub/ca.csr" -noout -verify 2>/dev/null || fail "ca.csr signature"
openssl x509 -req -in "$sub/ca.csr" -CA "$up/inter.pem" -CAkey "$up/inter.key" -set_serial 3 \
  -days 30 -copy_extensions copyall -out "$up/issued.pem" 2>/dev/null
# openssl issued from the current time on: move `now` there.
now=$(date +%s)
# The wrong chain first: refused with its reason, nothing installed.
rc=0
err=$("$tool" install "$sub" "$up/issued.pem" "$up/root.pem" "$now" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q ca_chain_mismatch <<<"$err" || fail "install with a short chain: $rc $err"
[ ! -e "$sub/ca-cert.pem" ] || fail "a refused install left ca-cert.pem"
"$tool" install "$sub" "$up/issued.pem" "$up/chain.pem" "$now"
check_ca "$sub/ca-cert.pem"
mkdir "$work/sub-svid"
"$tool" mint "$sub" "$id" p256 "$work/sub-svid" "$now" 0 claims
s=$work/sub-svid
# svid.pem: leaf, the Aegis CA, the intermediate; never the root.
[ "$(ncerts "$s/svid.pem")" = 3 ] || fail "upstream: svid.pem holds $(ncerts "$s/svid.pem") certificates"
awk '/-----BEGIN CERTIFICATE-----/{n++} n>1' "$s/svid.pem" >"$s/chain.pem"
[ "$(fingerprint "$s/bundle.pem")" = "$(fingerprint "$up/root.pem")" ] || fail "upstream: bundle is not the root"
if grep -qF "$(sed -n 2p "$up/root.pem")" "$s/svid.pem"; then fail "upstream: svid.pem carries the root"; fi
if openssl verify -CAfile "$s/bundle.pem" "$s/svid.pem" >/dev/null 2>&1; then
  fail "upstream: verified without the chain"
fi
openssl verify -CAfile "$s/bundle.pem" -untrusted "$s/chain.pem" "$s/svid.pem" >/dev/null ||
  fail "upstream: verify -CAfile bundle -untrusted chain"
check_leaf "$s/svid.pem" "$sub/ca-cert.pem" p256 ecdsa-with-SHA256 "$s/chain.pem"
rc=0
err=$("$tool" rotate "$sub" "$now" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q ca_rotate_upstream <<<"$err" || fail "upstream: rotate: $rc $err"
echo "svid_x509_openssl: ok"
