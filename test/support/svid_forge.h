/* Test certificates built in C, good and deliberately bad: CAs for trust
 * domains, X509-SVID leaves with any mix of URI SANs, basicConstraints,
 * keyUsage, validity and claims, signed by whichever key the test says.
 * Independent of the issuer's minting code, so a relying-party test does
 * not inherit the issuer's view of what an SVID is. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "svid-issuer/claims.h"

#define AE_FORGE_URIS_MAX 4

struct ae_forge_opts {
        const char *subject_cn;               /* NULL: "aegis test <random>" */
        const char *uris[AE_FORGE_URIS_MAX];  /* URI SANs, in order */
        size_t n_uris;
        const char *dns;                      /* a DNS SAN as well, NULL: none */
        bool ca;                              /* basicConstraints cA=true (critical) */
        int pathlen;                          /* with ca: -1 none, else pathLenConstraint */
        bool no_basic_constraints;
        bool no_key_usage;
        bool key_usage_not_critical;          /* keyUsage without the critical flag */
        unsigned key_usage;                   /* KU_* bits; 0: the role's default */
        bool eku;                             /* serverAuth + clientAuth */
        int64_t not_before, not_after;        /* s since the epoch */
        const struct ae_claims *claims;       /* NULL: no claims extension */
        const char *raw_claims;               /* claims extension octets as given */
        bool duplicate_san;                   /* the SAN extension twice */
        bool unknown_critical;                /* an unknown critical extension */
        bool skid;                            /* subjectKeyIdentifier (CAs always) */
};

/* A fresh P-256 key; aborts on failure (tests only). */
EVP_PKEY *ae_forge_key(void);

/* A certificate for subject_key with o, issued by issuer (NULL: self-signed
 * with subject_key) and signed with sign_key (NULL: the issuer's key, that
 * is subject_key when self-signed). The issuer name comes from issuer, so a
 * wrong sign_key forges a signature under a real CA's name. Aborts on
 * failure. */
X509 *ae_forge_cert(const struct ae_forge_opts *o, EVP_PKEY *subject_key, X509 *issuer,
                    EVP_PKEY *sign_key);

/* Defaults: a root CA of trust domain td (URI SAN spiffe://td, keyCertSign
 * and cRLSign), valid [now - 1 day, now + 1 year). */
void ae_forge_ca_opts(struct ae_forge_opts *o, const char *td_uri, int64_t now);
/* Defaults: an X509-SVID leaf for id (digitalSignature, EKU both ways),
 * valid [now - 60 s, now + 1 hour), with claims (may be NULL). */
void ae_forge_leaf_opts(struct ae_forge_opts *o, const char *id, int64_t now,
                        const struct ae_claims *claims);

/* Valid PoG claims for id: zone eu-de, code hash 11..11, EK hash 22..22,
 * attested at attested_at. */
void ae_forge_claims(struct ae_claims *c, const char *id, int64_t attested_at);

/* Convenience: a root CA for td ("spiffe://td" URI SAN). */
void ae_forge_root(const char *td, int64_t now, EVP_PKEY **ret_key, X509 **ret_cert);
/* Convenience: a default leaf for id signed by ca. */
void ae_forge_leaf(const char *id, int64_t now, const struct ae_claims *claims, X509 *ca,
                   EVP_PKEY *ca_key, EVP_PKEY **ret_key, X509 **ret_cert);

/* Write certs (n of them) as PEM to path; key (may be NULL) as PKCS#8 PEM
 * to key_path. Aborts on failure. */
void ae_forge_write_pem(const char *path, X509 *const *certs, size_t n);
void ae_forge_write_key(const char *key_path, EVP_PKEY *key);
/* PEM text of certs (malloc'd, NUL-terminated). */
char *ae_forge_pem(X509 *const *certs, size_t n, size_t *ret_len);
