/* JWT-SVIDs (SPIFFE JWT-SVID standard): minting them with the trust
 * domain's JWT key, and validating untrusted tokens against JWT bundles
 * (jwt_jwks.h), one per trust domain.
 *
 * A token is JWS Compact Serialization (standard 5.1) of
 *
 *   header  {"alg":"ES256","kid":"<kid>","typ":"JWT"}
 *   payload {"sub":"spiffe://td/w","aud":"a" | ["a","b"],"exp":N,"iat":N,
 *            <claims members>}
 *
 * aud is a single string when there is one value, an array otherwise.
 *
 * Attestation claims (claims.h, DESIGN.md section 6): the JWT-SVID carries
 * the same JSON as the X.509 extension, its members placed at the top level
 * of the payload. The minter appends the claims object's members ("v",
 * "level", "grc.workload", "grc.tpm-attestation", "grc.geolocation"),
 * byte for byte as ae_claims_encode writes them, after the registered
 * claims: payload = registered claims' object without its closing brace,
 * ',', claims object without its opening brace. A validator sees claims when
 * the payload has any member named "v", "level" or "grc.<something>"; then
 * those members together must be valid claims (claims.h rules, unknown
 * "grc.*" objects ignored, AE_JWT_CLAIMS_INVALID otherwise) naming sub as
 * their workload_id (AE_JWT_CLAIMS_SUB_MISMATCH). Other members (iss, jti,
 * private claims) are allowed and ignored (standard section 3).
 *
 * Validation, in this order, each failure with its reason (jwt_reason.h):
 *   1. size (AE_JWT_TOKEN_MAX) and form: exactly three parts of strict
 *      base64url (no padding, no whitespace, zero unused bits);
 *   2. header: a JSON object without duplicate members; alg first (standard
 *      4: "before processing"): "none" in any case is AE_JWT_ALG_NONE, any
 *      alg outside RS/PS/ES 256/384/512 (HS256 included: a public key must
 *      never turn into an HMAC secret) AE_JWT_ALG_NOT_ALLOWED; then only
 *      alg, kid and typ may appear (standard 2); typ, if present, is JWT or
 *      JOSE; kid is required (the bundle standard gives every JWT key one,
 *      so it is how the key is found);
 *   3. payload: a JSON object without duplicate members; sub a SPIFFE ID
 *      with a path; the bundle of sub's trust domain, and only that one,
 *      must hold kid; alg must fit that key (its type, curve and the JWK's
 *      own "alg" if any); then the signature over the first two parts;
 *   4. aud (string or non-empty array of strings) contains audience; exp
 *      present and now < exp + leeway; nbf, if present, <= now + leeway;
 *      iat, if present, <= now + leeway. Times are JSON numbers (RFC 7519
 *      NumericDate: fractions allowed, rounded towards refusal) in
 *      0..AE_JWT_TIME_MAX;
 *   5. the attestation claims, as above.
 * Nothing is written to *ret unless every check passes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/jwt_alg.h"
#include "svid-issuer/jwt_jwks.h"
#include "svid-issuer/jwt_reason.h"

/* Largest token read or written, in characters. */
#define AE_JWT_TOKEN_MAX 16384
/* Largest decoded JOSE header (alg, a 128-character kid and typ fit many
 * times over). */
#define AE_JWT_HEADER_MAX 1024
/* Largest decoded payload a token of AE_JWT_TOKEN_MAX can carry. */
#define AE_JWT_PAYLOAD_MAX (AE_JWT_TOKEN_MAX / 4 * 3)
/* aud: at most this many values (the standard recommends one), each
 * 1..AE_JWT_AUD_VALUE_MAX bytes. */
#define AE_JWT_AUD_MAX 8
#define AE_JWT_AUD_VALUE_MAX 512
/* Minted lifetimes, in seconds. */
#define AE_JWT_SVID_TTL_MAX (24 * 3600)
/* Latest time a token may name: 9999-12-31T23:59:59Z. */
#define AE_JWT_TIME_MAX INT64_C(253402300799)
/* Most clock skew a validator may allow, in seconds. */
#define AE_JWT_LEEWAY_MAX 600
/* Most bundles (trust domains) one validation looks through. */
#define AE_JWT_BUNDLES_MAX 64

/* The trust domain's JWT signing key, by the name its bundle gives it. */
struct ae_jwt_signer {
        EVP_PKEY *key;            /* private; P-256/384/521 or RSA 2048..8192 */
        const char *kid;          /* as in the bundle (ae_jwks_from_keys) */
        const char *trust_domain; /* the only SPIFFE IDs this key vouches for */
};

/* What to mint. */
struct ae_jwt_svid_params {
        const char *spiffe_id;          /* sub: with a path, in the signer's trust domain */
        const char *const *aud;         /* 1..AE_JWT_AUD_MAX values */
        size_t n_aud;
        int64_t ttl_s;                  /* 1..AE_JWT_SVID_TTL_MAX */
        const struct ae_claims *claims; /* NULL: a token without attestation claims */
};

/* A validated JWT-SVID. Plain data. */
struct ae_jwt_svid {
        struct ae_spiffe_id sub;
        enum ae_jwt_alg alg;
        char kid[AE_JWT_KID_MAX + 1];
        size_t n_aud;
        char aud[AE_JWT_AUD_MAX][AE_JWT_AUD_VALUE_MAX + 1];
        int64_t exp; /* s since the epoch; fractions rounded down */
        bool has_iat;
        int64_t iat; /* fractions rounded up */
        bool has_nbf;
        int64_t nbf; /* fractions rounded up */
        bool has_claims;
        struct ae_claims claims;
};

/* Mint a token for p, issued at now, expiring at now + ttl_s, signed with
 * the alg ae_jwt_alg_for_key picks for signer->key. *ret_token is malloc'd,
 * NUL-terminated. *reason (may be NULL) is always written:
 *   -EINVAL: AE_JWT_SUB_INVALID, AE_JWT_SUB_FOREIGN_TRUST_DOMAIN,
 *            AE_JWT_AUD_MISSING, AE_JWT_AUD_INVALID (a value empty, too long
 *            or not UTF-8), AE_JWT_TTL_INVALID, AE_JWT_KID_INVALID,
 *            AE_JWT_CLAIMS_INVALID, AE_JWT_CLAIMS_SUB_MISMATCH, or
 *            AE_JWT_INTERNAL for NULL arguments, an invalid trust domain or a
 *            time outside 0..AE_JWT_TIME_MAX;
 *   -EOPNOTSUPP: AE_JWT_KEY_UNSUPPORTED;
 *   -EMSGSIZE: AE_JWT_TOKEN_TOO_LARGE (over AE_JWT_TOKEN_MAX);
 *   -ENOMEM / -EIO: AE_JWT_INTERNAL (an OpenSSL failure, e.g. a public key). */
AE_MUST_USE int ae_jwt_svid_mint(const struct ae_jwt_signer *signer,
                                 const struct ae_jwt_svid_params *p, time_t now,
                                 char **ret_token, enum ae_jwt_reason *reason);

/* Validate token[0..len) (no NUL needed) for audience at now, allowing
 * leeway_s (0..AE_JWT_LEEWAY_MAX) of clock skew, against bundles[0..n)
 * (distinct trust domains, at most AE_JWT_BUNDLES_MAX). 0 and *ret when
 * every check above passes. A refused token is -EMSGSIZE (too large) or
 * -EBADMSG; bad arguments -EINVAL; -ENOMEM / -EIO internal failures (those
 * three with AE_JWT_INTERNAL). *reason (may be NULL) is always written. */
AE_MUST_USE int ae_jwt_svid_validate(const char *token, size_t len,
                                     const struct ae_jwks *const *bundles, size_t n_bundles,
                                     const char *audience, time_t now, int64_t leeway_s,
                                     struct ae_jwt_svid *ret, enum ae_jwt_reason *reason);

/* UNVERIFIED: the header and payload a token carries, for display only
 * (`svid inspect`). Nothing about them is checked but their form: three
 * strict base64url parts within the size limits, header and payload JSON
 * objects without duplicate members. The signature, key, sub, aud, times
 * and claims are NOT checked; never authorise anything with the result.
 * *ret_header and *ret_payload are malloc'd compact JSON, escaped to ASCII
 * (safe for a terminal). Errors and *reason (may be NULL) as
 * ae_jwt_svid_validate for steps 1 and the JSON syntax checks
 * (AE_JWT_HEADER_MALFORMED, AE_JWT_PAYLOAD_MALFORMED). */
AE_MUST_USE int ae_jwt_svid_decode_unverified(const char *token, size_t len, char **ret_header,
                                              char **ret_payload, enum ae_jwt_reason *reason);
