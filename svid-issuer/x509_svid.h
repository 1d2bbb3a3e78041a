/* Minting X.509-SVIDs (SPIFFE X509-SVID standard) with a loaded CA, and
 * writing them out as the files SPIFFE tools read.
 *
 * A minted leaf has:
 *   - subject O=Aegis (fixed and non-empty, so the URI SAN may stay
 *     non-critical, section 3.1; the identity is the SAN, never the subject);
 *     issuer = the CA certificate's subject;
 *   - a random positive 128-bit serial number (RAND_bytes);
 *   - notBefore = now - AE_SVID_BACKDATE_S (not before the CA's own
 *     notBefore), notAfter = now + ttl, capped at ae_ca_not_after();
 *   - exactly one URI SAN, the SPIFFE ID (section 2), then the request's DNS
 *     names, if any (section 2 allows other SAN types beside the URI);
 *   - basicConstraints cA=FALSE, critical (4.1);
 *   - keyUsage critical: digitalSignature, plus keyEncipherment for an RSA
 *     subject key; never keyCertSign or cRLSign (4.3);
 *   - extKeyUsage serverAuth + clientAuth (4.4);
 *   - subjectKeyIdentifier (SHA-1 of the key, RFC 5280 4.2.1.2 method 1) and
 *     authorityKeyIdentifier (the CA's SKI);
 *   - with claims: the attestation-claims extension, non-critical
 *     (claims.h, DESIGN.md section 6).
 * Signed by the CA key: ECDSA-SHA256 (P-256), ECDSA-SHA384 (P-384),
 * RSA PKCS#1 v1.5 SHA-256 (RSA). */
#pragma once

#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/guard.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/svid_reason.h"

struct ae_claims;

/* Leaf lifetime: default one hour, at most 30 days. */
#define AE_X509_SVID_TTL_DEFAULT 3600LL
#define AE_X509_SVID_TTL_MAX (30 * 24 * 3600LL)
/* DNS names a leaf may carry, and the longest (RFC 1035). */
#define AE_X509_SVID_DNS_NAMES_MAX 16
#define AE_X509_SVID_DNS_NAME_MAX 253

/* The fixed subject of every leaf. */
#define AE_X509_SVID_SUBJECT_O "Aegis"

struct ae_x509_svid_request {
        const char *spiffe_id;  /* must be in the CA's trust domain and have a path */
        EVP_PKEY *public_key;   /* the workload's key (P-256/P-384/RSA>=2048) */
        int64_t ttl_s;          /* 0 = default 3600; capped by the CA's own notAfter */
        const struct ae_claims *claims; /* NULL = no claims extension; else
                                         * workload_id must equal spiffe_id */
        /* DNS SANs (a server's host names, an entry's dns_names): each a
         * host name of LDH labels, "*." allowed as the first label. */
        const char *const *dns_names;
        size_t n_dns_names;
};

/* Mint a leaf for req, signed by ca, valid from `now`. ca is only read:
 * threads may mint with one loaded CA at the same time. Checked in this order,
 * each with its reason: SPIFFE ID (AE_SVID_ID_INVALID, AE_SVID_ID_NO_PATH,
 * AE_SVID_ID_FOREIGN_TRUST_DOMAIN; -EINVAL), DNS names (AE_SVID_DNS_NAME_INVALID;
 * -EINVAL), key (AE_SVID_KEY_UNSUPPORTED;
 * -EOPNOTSUPP), TTL (negative or above AE_X509_SVID_TTL_MAX:
 * AE_SVID_TTL_INVALID; -EINVAL), claims (ae_claims_validate's reason, then
 * AE_SVID_CLAIMS_ID_MISMATCH; -EINVAL), the CA at `now` (AE_SVID_CA_EXPIRED,
 * AE_SVID_CA_NOT_YET_VALID; -EKEYEXPIRED). -ENOMEM / -EIO (AE_SVID_INTERNAL)
 * for OpenSSL failures. *reason (may be NULL) is written on every return;
 * *ret (free with X509_free) only on success. */
AE_MUST_USE int ae_x509_svid_mint(const struct ae_ca *ca, const struct ae_x509_svid_request *req,
                                  time_t now, X509 **ret, enum ae_svid_reason *reason);

/* The chain an SVID is handed out with: the leaf, then the CA's signing
 * cert unless it is the root, then the intermediates (never the root).
 * *ret holds references; free with sk_X509_pop_free(.., X509_free). */
AE_MUST_USE int ae_x509_svid_chain(X509 *leaf, const struct ae_ca *ca, STACK_OF(X509) **ret);

/* PEM files as SPIFFE tools expect them: cert_path gets the leaf, then the
 * CA's chain (the signing cert if it is not the root, then the
 * intermediates; never the root); key_path (skipped when NULL, with key
 * NULL) gets key as unencrypted PKCS#8, mode 0600. The trust bundle is
 * written with ae_ca_write_bundle. Each file is replaced atomically (a
 * temporary file in the same directory renamed over it); cert_path gets mode
 * 0644. -EINVAL for a key that does not match the leaf. */
AE_MUST_USE int ae_x509_svid_write_files(const char *cert_path, const char *key_path, X509 *leaf,
                                         EVP_PKEY *key, const struct ae_ca *ca);

/* Key generation helper for callers (key_gen.h):
 *   int ae_svid_key_generate(enum ae_ca_key_type type, EVP_PKEY **ret); */
