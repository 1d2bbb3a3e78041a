/* A relying party's trust bundle: the X.509 authorities of several trust
 * domains, each domain's roots in an X509_STORE of their own, so that an
 * SVID is only ever verified against the roots of the trust domain its
 * SPIFFE ID names (SPIFFE Trust Domain and Bundle standard, section 3).
 *
 * Every root is a trust anchor (as in go-spiffe): a bundle may hold an
 * intermediate CA a trust domain chose to publish, not only self-signed
 * certificates. A root must be a CA (basicConstraints cA=true, keyUsage,
 * if present, with keyCertSign). A root whose URI SAN names a SPIFFE trust
 * domain may only be added to that trust domain.
 *
 * Sources:
 *   - PEM text or a PEM file, for one named trust domain ("td=path"), or
 *     without a name: then each root must carry exactly one URI SAN, a
 *     SPIFFE ID whose trust domain it serves (SPIFFE CA certificates do);
 *   - SPIFFE bundle JSON (a JWK Set, section 4): elements with
 *     "use":"x509-svid" give one root each from their single "x5c" entry,
 *     whose key must equal the JWK's; other elements ("jwt-svid", unknown
 *     uses or key types) are skipped. The JSON does not name its trust
 *     domain, so the caller must.
 *
 * Every add is all or nothing: malformed input adds nothing. Load the
 * bundle first, then share it (ae_rp_bundle_ref): verifying with it from
 * several threads is safe, changing it while others verify is not. */
#pragma once

#include <stddef.h>

#include <openssl/x509.h> /* STACK_OF(X509) */

#include "common/cleanup.h"
#include "common/guard.h"

#define AE_RP_BUNDLE_DOMAINS_MAX 64
#define AE_RP_BUNDLE_ROOTS_MAX 64 /* per trust domain */
#define AE_RP_BUNDLE_FILE_MAX (1024 * 1024)

struct ae_rp_bundle;

/* An empty bundle with one reference. -ENOMEM. */
AE_MUST_USE int ae_rp_bundle_new(struct ae_rp_bundle **ret);
/* Another reference; returns b. */
struct ae_rp_bundle *ae_rp_bundle_ref(struct ae_rp_bundle *b);
/* Drop a reference; the last one frees. Accepts NULL. */
void ae_rp_bundle_unref(struct ae_rp_bundle *b);
AE_DEFINE_CLEANUP(struct ae_rp_bundle *, ae_rp_bundle_unref)

/* Errors of the adders below: -EINVAL for bad arguments or an invalid trust
 * domain name, -EBADMSG for malformed input or a certificate that cannot be
 * a root, -E2BIG past AE_RP_BUNDLE_DOMAINS_MAX / AE_RP_BUNDLE_ROOTS_MAX or
 * the file size limit, -ENOMEM, a file's open/read errno. *ret_why (may be
 * NULL) gets a short static text on failure. A root already present in its
 * trust domain is not added twice (and is not an error). */

/* Roots for trust domain td, or (td NULL) each for the one its URI SAN
 * names. The bundle takes its own references. */
AE_MUST_USE int ae_rp_bundle_add_roots(struct ae_rp_bundle *b, const char *td,
                                       STACK_OF(X509) *roots, const char **ret_why);
/* One root, as ae_rp_bundle_add_roots. */
AE_MUST_USE int ae_rp_bundle_add_root(struct ae_rp_bundle *b, const char *td, X509 *root,
                                      const char **ret_why);
/* Every certificate of PEM text pem[0..len) (at least one, nothing but PEM
 * certificates and the text around their blocks). */
AE_MUST_USE int ae_rp_bundle_add_pem(struct ae_rp_bundle *b, const char *td, const char *pem,
                                     size_t len, const char **ret_why);
/* The x509-svid roots of SPIFFE bundle JSON json[0..len) for td (not NULL). */
AE_MUST_USE int ae_rp_bundle_add_spiffe_json(struct ae_rp_bundle *b, const char *td,
                                             const char *json, size_t len, const char **ret_why);
/* A file of either form: JSON when its first non-blank byte is '{', PEM
 * otherwise. JSON needs td. */
AE_MUST_USE int ae_rp_bundle_load_file(struct ae_rp_bundle *b, const char *td, const char *path,
                                       const char **ret_why);
/* The command-line form: "td=path" (a valid trust domain name, '=', the
 * path) or a plain path (write ./a=b for a file named a=b). */
AE_MUST_USE int ae_rp_bundle_load_arg(struct ae_rp_bundle *b, const char *arg,
                                      const char **ret_why);

/* Trust domains with at least one root, in the order they were added. */
size_t ae_rp_bundle_count(const struct ae_rp_bundle *b);
/* The i-th trust domain's name, NULL past the end. */
const char *ae_rp_bundle_trust_domain(const struct ae_rp_bundle *b, size_t i);
/* The i-th trust domain's roots as a store (owned by the bundle), NULL past
 * the end. */
X509_STORE *ae_rp_bundle_store_at(const struct ae_rp_bundle *b, size_t i);
/* td's roots as a store (owned by the bundle); NULL for a trust domain the
 * bundle does not know. */
X509_STORE *ae_rp_bundle_store(const struct ae_rp_bundle *b, const char *td);
/* How many roots td has (0 for an unknown trust domain). */
size_t ae_rp_bundle_root_count(const struct ae_rp_bundle *b, const char *td);
