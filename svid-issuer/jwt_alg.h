/* JWS algorithms a JWT-SVID may use (JWT-SVID standard 2.1: RFC 7518
 * sections 3.3-3.5), which keys fit them, and signing / verifying with them.
 *
 * There is deliberately no HMAC here: a validator that has only public keys
 * must never be talked into treating one as a shared secret ("alg
 * confusion"). The key a token names decides which algorithms can verify it,
 * never the token alone. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "common/guard.h"

enum ae_jwt_alg {
        AE_JWT_RS256,
        AE_JWT_RS384,
        AE_JWT_RS512,
        AE_JWT_ES256,
        AE_JWT_ES384,
        AE_JWT_ES512,
        AE_JWT_PS256,
        AE_JWT_PS384,
        AE_JWT_PS512,
        AE_JWT_ALG_COUNT
};

/* RSA moduli accepted, in bits: RFC 7518 3.3 asks for at least 2048; the cap
 * bounds what a verification of untrusted input can cost. */
#define AE_JWT_RSA_BITS_MIN 2048
#define AE_JWT_RSA_BITS_MAX 8192
/* Largest signature: an RSA-8192 one. */
#define AE_JWT_SIG_MAX (AE_JWT_RSA_BITS_MAX / 8)

/* The alg for a header value among those above (exact, case-sensitive).
 * -ENOENT for anything else, "none" and "HS256" included. */
AE_MUST_USE int ae_jwt_alg_from_name(const char *name, enum ae_jwt_alg *ret);
/* "ES256", ...; NULL outside the enum. */
const char *ae_jwt_alg_name(enum ae_jwt_alg alg);

/* The alg a key mints with: ES256 for P-256, ES384 for P-384, ES512 for
 * P-521, RS256 for RSA of AE_JWT_RSA_BITS_MIN..MAX bits. -EOPNOTSUPP for
 * any other key. */
AE_MUST_USE int ae_jwt_alg_for_key(const EVP_PKEY *key, enum ae_jwt_alg *ret);

/* Whether key can verify alg: ESxxx needs an EC key on that alg's curve,
 * RSxxx and PSxxx an RSA key of an accepted size. */
bool ae_jwt_alg_fits_key(enum ae_jwt_alg alg, const EVP_PKEY *key);

/* Sign in[0..len) with key: JOSE form (ECDSA as fixed-width r||s, RFC 7518
 * 3.4; not DER). -EINVAL if alg does not fit key, -ENOBUFS if cap is below
 * the signature's size, -EIO if OpenSSL fails. */
AE_MUST_USE int ae_jwt_sign(EVP_PKEY *key, enum ae_jwt_alg alg, const void *in, size_t len,
                            uint8_t *sig, size_t cap, size_t *ret_len);

/* Verify a JOSE-form signature. 0 when valid; -EBADMSG when it is not (wrong
 * length, not on the curve, mismatch: all the same to a validator); -EINVAL
 * if alg does not fit key; -ENOMEM / -EIO for internal failures. */
AE_MUST_USE int ae_jwt_verify(EVP_PKEY *key, enum ae_jwt_alg alg, const void *in, size_t len,
                              const uint8_t *sig, size_t sig_len);
