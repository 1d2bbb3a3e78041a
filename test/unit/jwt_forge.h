/* Tokens with any header and payload, for tests of the JWT-SVID validator:
 * signed with any key and alg we support, with HMAC (the alg-confusion
 * attack), or not at all. Test code: failures abort the test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "svid-issuer/jwt_alg.h"

/* base64url(header) '.' base64url(payload) '.' base64url(signature by key
 * with alg over the first two parts). malloc'd. */
char *ae_test_jwt_forge(EVP_PKEY *key, enum ae_jwt_alg alg, const char *header,
                        const char *payload);

/* The same with HMAC over the first two parts, digest md ("SHA256"), keyed
 * with secret[0..n). malloc'd. */
char *ae_test_jwt_forge_hmac(const char *md, const void *secret, size_t n, const char *header,
                             const char *payload);

/* The first two parts and sig_b64 as the third, verbatim. malloc'd. */
char *ae_test_jwt_join(const char *header, const char *payload, const char *sig_b64);

/* base64url of text (NUL-terminated), malloc'd. */
char *ae_test_b64url(const void *data, size_t n);
