/* Helpers for the CA and X.509-SVID tests: temporary directories, files,
 * and certificates built with OpenSSL's own configuration-string extension
 * code (not the issuer's builders), so a test that reads what the issuer
 * wrote does not share its assumptions. Everything aborts the test on
 * failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/x509.h>

#include "svid-issuer/claims.h"

/* A directory for the whole test case, made in the parent process before the
 * tests fork and removed after them, failed or not (unchecked fixture). */
void ctu_base_setup(void);
void ctu_base_teardown(void);
/* A fresh directory below the base, for one test. buf holds PATH_MAX. */
void ctu_tmpdir(char *buf);
/* "<dir>/<name>" in a static rotating buffer (four at a time). */
const char *ctu_path(const char *dir, const char *name);

void ctu_write(const char *path, const void *data, size_t len, mode_t mode);
/* The file's bytes (NUL-terminated; free them); NULL if it does not exist. */
uint8_t *ctu_read(const char *path, size_t *len);
mode_t ctu_mode(const char *path);
bool ctu_exists(const char *path);

/* "P-256", "P-384", "P-521", "RSA:1024", "RSA:2048", "ED25519". */
EVP_PKEY *ctu_key(const char *spec);
X509 *ctu_load_cert(const char *path);
EVP_PKEY *ctu_load_key(const char *path);
void ctu_write_certs(const char *path, X509 *const *certs, size_t n);
void ctu_write_key(const char *path, EVP_PKEY *key, mode_t mode);

struct ctu_cert {
        EVP_PKEY *key;        /* the subject's key */
        X509 *issuer;         /* NULL: self-signed */
        EVP_PKEY *issuer_key; /* NULL: key (self-signed) */
        const char *cn;       /* subject CN, NULL: "ctu" */
        const char *bc;       /* basicConstraints value, e.g. "critical,CA:TRUE"; NULL: none */
        const char *ku;       /* keyUsage value; NULL: none */
        const char *san;      /* subjectAltName value, e.g. "URI:spiffe://td"; NULL: none */
        time_t not_before, not_after;
};
/* A certificate as described, SKI and AKI included, signed with SHA-256. */
X509 *ctu_cert(const struct ctu_cert *c);
/* A CA certificate of td ("spiffe://td"), valid [now - 1 h, now + 1 year). */
X509 *ctu_ca_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *td, time_t now);

/* Sign the CSR in csr_path as an upstream would: its key and its requested
 * extensions, issued by issuer, valid [now - 1 h, now + 30 days). san
 * overrides the SAN (NULL: copy the request's). */
X509 *ctu_sign_csr(const char *csr_path, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
                   time_t now);

/* RFC 5280 path validation of leaf through untrusted to one of roots at now,
 * for TLS client and server use: 0 or the X509_V_ERR_* code. */
int ctu_verify(X509 *leaf, STACK_OF(X509) *untrusted, STACK_OF(X509) *roots, time_t now);

/* Valid PoR claims for id. */
void ctu_claims(struct ae_claims *c, const char *id);

/* Whether the extension nid is present and critical: -1 absent, 0, 1. */
int ctu_ext_critical(X509 *x, int nid);
