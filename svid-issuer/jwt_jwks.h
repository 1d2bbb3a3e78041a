/* The JWT half of a SPIFFE bundle: an RFC 7517 JWK Set whose JWT-SVID keys
 * carry "use":"jwt-svid" and a "kid" (JWT-SVID standard section 6; SPIFFE
 * Trust Domain and Bundle standard section 4).
 *
 * Reading follows the bundle standard: elements with another or no "use"
 * (x509-svid roots, say) and unknown key types are skipped, other top-level
 * members (spiffe_sequence, spiffe_refresh_hint) are allowed and ignored.
 * It is strict about everything it does use: JSON without duplicate keys,
 * bounded sizes, strict base64url, keys checked by OpenSSL, unique kids. A
 * bundle belongs to one trust domain: it only vouches for SPIFFE IDs in it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <openssl/types.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "svid-issuer/jwt_alg.h"

/* Largest JWK Set text read, and most elements in its "keys". */
#define AE_JWKS_MAX (64 * 1024)
#define AE_JWKS_KEYS_MAX 64
/* kid: 1..AE_JWT_KID_MAX printable ASCII characters, no space. */
#define AE_JWT_KID_MAX 128

struct ae_jwks;

/* One JWT-SVID key of a bundle (plain data owned by the bundle). */
struct ae_jwks_key {
        char kid[AE_JWT_KID_MAX + 1];
        EVP_PKEY *key;
        bool has_alg; /* the JWK restricts itself to alg */
        enum ae_jwt_alg alg;
};

/* Whether kid[0..len) is an acceptable key ID (see AE_JWT_KID_MAX). */
bool ae_jwt_kid_valid(const char *kid, size_t len);

/* The JWK Set text {"keys":[{"kty":..,"kid":..,"use":"jwt-svid",...},...]}
 * for the public halves of keys[i] named kids[i]. *ret_json is malloc'd,
 * NUL-terminated. -EINVAL for an invalid or repeated kid or n over
 * AE_JWKS_KEYS_MAX, -EOPNOTSUPP for an unsupported key. */
AE_MUST_USE int ae_jwks_from_keys(EVP_PKEY *const *keys, const char *const *kids, size_t n,
                                  char **ret_json);

/* Read a JWK Set for trust_domain from json[0..len) (no NUL needed).
 * -EINVAL for bad arguments or trust domain, -E2BIG over AE_JWKS_MAX bytes or
 * AE_JWKS_KEYS_MAX elements, -EBADMSG for anything malformed, -ENOMEM.
 * On failure *ret_why (may be NULL) gets a short static text naming the
 * problem. A set without usable JWT-SVID keys is valid and trusts nothing. */
AE_MUST_USE int ae_jwks_parse(const char *trust_domain, const char *json, size_t len,
                              struct ae_jwks **ret, const char **ret_why);

/* Accepts NULL. */
void ae_jwks_free(struct ae_jwks *jwks);
AE_DEFINE_CLEANUP(struct ae_jwks *, ae_jwks_free)

const char *ae_jwks_trust_domain(const struct ae_jwks *jwks);
/* How many JWT-SVID keys the set holds. */
size_t ae_jwks_count(const struct ae_jwks *jwks);
/* The i-th key (i < count), NULL otherwise. */
const struct ae_jwks_key *ae_jwks_key_at(const struct ae_jwks *jwks, size_t i);
/* The key named kid (NUL-terminated), NULL when there is none. */
const struct ae_jwks_key *ae_jwks_find(const struct ae_jwks *jwks, const char *kid);
