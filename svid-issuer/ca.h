/* The signing CA of a trust domain: its key and certificate on disk, the
 * chain above it, and the trust bundle relying parties verify SVIDs with.
 *
 * A CA directory holds (all PEM):
 *
 *   ca-key.pem   the signing key, PKCS#8, mode 0600 (no group/other bits:
 *                anything wider is refused, AE_SVID_CA_KEY_MODE)
 *   ca-cert.pem  the signing certificate: cA=TRUE and keyUsage
 *                keyCertSign+cRLSign (both critical), URI SAN
 *                spiffe://<trust domain> (no path), SKI and AKI
 *   chain.pem    only for a CA signed by an upstream: the certificates above
 *                ca-cert.pem, issuer first, ending with the upstream's
 *                self-signed root
 *   bundle.pem   the trust bundle: every root currently trusted, the
 *                current one first
 *   ca.csr       only for the upstream flow: the request the upstream signs
 *   retired/     keys and certificates replaced by ae_ca_rotate, kept
 *                (0600, in a 0700 directory) until their certificate
 *                expires, then removed by the next rotation
 *   .lock        flock(2) target: writers take it exclusively without
 *                waiting (AE_SVID_CA_BUSY), ae_ca_load shares it and waits
 *
 * Two ways to get a CA:
 *
 *   - self-signed: ae_ca_init makes a root that signs SVIDs directly. The
 *     bundle is that root; ae_ca_rotate replaces it.
 *   - signed by an upstream CA that Aegis never holds the key of (the CSR
 *     flow, as an operator's PKI expects): ae_ca_csr generates the key and
 *     writes ca.csr; the upstream signs it (openssl x509 -req, an enterprise
 *     CA, another Aegis root); ae_ca_install takes the issued certificate
 *     and the upstream chain. The bundle is the upstream root. Rotation is
 *     the upstream's job (a new CSR in a new directory):
 *     ae_ca_rotate refuses with AE_SVID_CA_ROTATE_UPSTREAM.
 *
 * Every function takes `now` (seconds since the epoch) rather than reading
 * the clock, so validity is decided at one instant and tests can move it.
 * *reason (may be NULL) is written on every return: AE_SVID_OK or why the
 * call refused. Errors: -EINVAL (trust domain, options), -EEXIST (a CA is
 * already there), -ENOENT (a file or the directory is missing), -EBUSY
 * (another writer holds the lock), -EACCES (key file mode), -EBADMSG (a file
 * does not parse), -EOPNOTSUPP (key type, rotating an upstream-signed CA),
 * -EPROTO (files that parse but break a rule: key mismatch, not a CA, no
 * SPIFFE ID, chain or bundle wrong), -EKEYEXPIRED (expired or not yet
 * valid), else the system's errno or -EIO / -ENOMEM (AE_SVID_INTERNAL).
 * A refused call changes nothing on disk. */
#pragma once

#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/svid_reason.h"

#define AE_CA_KEY_FILE "ca-key.pem"
#define AE_CA_CERT_FILE "ca-cert.pem"
#define AE_CA_CHAIN_FILE "chain.pem"
#define AE_CA_BUNDLE_FILE "bundle.pem"
#define AE_CA_CSR_FILE "ca.csr"
#define AE_CA_RETIRED_DIR "retired"
#define AE_CA_LOCK_FILE ".lock"

/* CA certificate lifetime: default one year; 1 hour .. 20 years. */
#define AE_CA_TTL_DEFAULT (365 * 24 * 3600LL)
#define AE_CA_TTL_MIN 3600LL
#define AE_CA_TTL_MAX (20 * 365 * 24 * 3600LL)
/* notBefore of every certificate Aegis signs lies this far before `now`, so
 * a peer whose clock runs a little behind already accepts it. */
#define AE_SVID_BACKDATE_S 30

struct ae_ca_options {
        const char *trust_domain;     /* e.g. "example.org" */
        enum ae_ca_key_type key_type; /* P-256 default (0) */
        int64_t ttl_s;                /* CA certificate lifetime; 0 = default 1 year */
};

/* Opaque: signing key, signing cert, chain to the root, trust bundle. */
struct ae_ca;

/* A self-signed CA in dir: created (0700) if missing; an existing directory
 * is used if it holds no CA yet (AE_SVID_CA_EXISTS if ca-key.pem,
 * ca-cert.pem or bundle.pem is there). ca-key.pem is created with O_EXCL,
 * mode 0600. Writes ca-key.pem, ca-cert.pem (valid from now - backdate to
 * now + ttl) and bundle.pem (that root). */
AE_MUST_USE int ae_ca_init(const char *dir, const struct ae_ca_options *opt, time_t now,
                           enum ae_svid_reason *reason);

/* Upstream flow, step 1: dir as for ae_ca_init; writes ca-key.pem and ca.csr
 * (PEM PKCS#10, signed by the new key) asking for subject O=Aegis,
 * CN=Aegis CA, URI SAN spiffe://<trust domain>, cA=TRUE and keyUsage
 * keyCertSign+cRLSign (the upstream decides what it copies). opt->ttl_s is not used: the upstream sets the
 * lifetime. */
AE_MUST_USE int ae_ca_csr(const char *dir, const struct ae_ca_options *opt,
                          enum ae_svid_reason *reason);

/* Upstream flow, step 2: cert_path holds the certificate the upstream issued
 * for ca.csr (one PEM certificate), chain_path the certificates above it,
 * issuer first, ending with the upstream's self-signed root (a root alone
 * when the upstream root signed it directly). The certificate must match
 * ca-key.pem, pass every check of ae_ca_load at `now`, not be self-signed
 * (AE_SVID_CA_CHAIN_MISMATCH), and carry the trust domain ca.csr asked for
 * (AE_SVID_CA_TRUST_DOMAIN; AE_SVID_CA_CSR_MALFORMED if ca.csr names
 * none). Writes
 * ca-cert.pem, chain.pem and bundle.pem (the upstream root).
 * AE_SVID_CA_EXISTS if ca-cert.pem is already there. */
AE_MUST_USE int ae_ca_install(const char *dir, const char *cert_path, const char *chain_path,
                              time_t now, enum ae_svid_reason *reason);

/* Read and check the CA in dir at `now`: the key (mode, PEM, type), the
 * certificate (PEM, matches the key, CA, one spiffe://<td> URI SAN, valid
 * at now), chain.pem when the certificate is not self-signed (each link
 * verified at now, ends in a root), bundle.pem (roots only, holding the CA's
 * root). Roots in bundle.pem that have expired at `now` are left out of
 * ae_ca_bundle(); the file is not rewritten. The caller frees *ret with
 * ae_ca_free. */
AE_MUST_USE int ae_ca_load(const char *dir, time_t now, struct ae_ca **ret,
                           enum ae_svid_reason *reason);

/* Replace a self-signed CA's key and root: a new key of the same type, a new
 * root with the same lifetime as the old one, valid from now. bundle.pem
 * becomes the new root followed by every old root still valid at `now`, so
 * SVIDs the old key issued keep verifying until the old root expires. The
 * old key and certificate move to retired/; retired ones whose certificate
 * has expired at `now` are removed. The current CA must pass the checks of
 * ae_ca_load except its validity period: an expired CA can be rotated. */
AE_MUST_USE int ae_ca_rotate(const char *dir, time_t now, enum ae_svid_reason *reason);

void ae_ca_free(struct ae_ca *ca);
AE_DEFINE_CLEANUP(struct ae_ca *, ae_ca_free)

/* Borrowed views, valid until ae_ca_free. */
const char *ae_ca_trust_domain(const struct ae_ca *ca);
EVP_PKEY *ae_ca_key(const struct ae_ca *ca);
X509 *ae_ca_cert(const struct ae_ca *ca);
/* Intermediates above the signing cert, root excluded; may be empty. */
STACK_OF(X509) *ae_ca_chain(const struct ae_ca *ca);
/* The trust bundle: every root currently trusted (not expired at load). */
STACK_OF(X509) *ae_ca_bundle(const struct ae_ca *ca);
/* The root the signing cert chains to (the signing cert itself when it is
 * self-signed). */
X509 *ae_ca_root(const struct ae_ca *ca);
/* The last second every certificate from the signing cert up to its root is
 * valid: no SVID may outlive it. */
time_t ae_ca_not_after(const struct ae_ca *ca);
/* The CA key's type (it decides the signature algorithm). */
enum ae_ca_key_type ae_ca_key_type(const struct ae_ca *ca);

/* Write the bundle (the roots of ae_ca_bundle, PEM) to path: replaced
 * atomically (a temporary file renamed over it), mode 0644. */
AE_MUST_USE int ae_ca_write_bundle(const struct ae_ca *ca, const char *path);
