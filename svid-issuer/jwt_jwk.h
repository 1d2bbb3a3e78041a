/* One public key as an RFC 7517 JWK: EC (RFC 7518 6.2: crv P-256, P-384,
 * P-521; x and y the full coordinate size) and RSA (6.3: n, e as
 * minimal-length unsigned integers). Key material only; the set around it
 * (kid, use) is jwt_jwks.c's job. */
#pragma once

#include <openssl/types.h>

#include "common/guard.h"

struct json_t;

/* Add the key's public members (kty, crv/x/y or n/e) to the JSON object
 * obj. -EOPNOTSUPP for a key ae_jwt_alg_for_key would refuse, -ENOMEM. */
AE_MUST_USE int ae_jwt_jwk_add_public(EVP_PKEY *key, struct json_t *obj);

/* The key id Aegis gives a JWT signing key: the first 16 bytes of the
 * sha256 of its SubjectPublicKeyInfo DER, lowercase hex (the agent's
 * issuer source and the server name the CA key alike). */
#define AE_JWT_KID_SIZE 33
AE_MUST_USE int ae_jwt_kid_for_key(EVP_PKEY *key, char kid[AE_JWT_KID_SIZE]);

/* The public key a JWK object describes. -EOPNOTSUPP for a kty or crv this
 * reader does not know (a bundle reader skips those, as the SPIFFE bundle
 * standard asks); -EBADMSG for a known type with bad material: members
 * missing or mistyped, not strict base64url, wrong sizes, not leading-zero
 * free, a point off the curve, an RSA key outside the accepted sizes or
 * with an even modulus or exponent (or the exponent 1), or private key
 * members (a public bundle must never carry them). Every check is
 * deterministic: readers of one bundle always agree. */
AE_MUST_USE int ae_jwt_jwk_to_public(const struct json_t *jwk, EVP_PKEY **ret);
