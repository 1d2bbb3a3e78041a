/* Fixed keys for the JWT fuzz targets: a fuzz input must be able to carry a
 * valid signature, so the keys cannot change between runs. Test keys only,
 * published here on purpose; nothing trusts them. */
#pragma once

#include <stdint.h>

#include <openssl/types.h>

struct ae_jwks;

#define AE_FUZZ_JWT_TD "example.org"
#define AE_FUZZ_JWT_OTHER_TD "other.org"
#define AE_FUZZ_JWT_AUD "reports"
/* The validators' clock: seeds carry exp after it. */
#define AE_FUZZ_JWT_NOW INT64_C(1795238400)
#define AE_FUZZ_JWT_LEEWAY 5

/* P-256 (kid "k256" in example.org, "o1" in other.org) and RSA-2048 (kid
 * "rsa" in example.org). Made on first use; never freed (the process
 * ends). NULL if OpenSSL fails. */
EVP_PKEY *ae_fuzz_jwt_p256(void);
EVP_PKEY *ae_fuzz_jwt_rsa(void);
/* The bundles of the two trust domains, in that order. */
const struct ae_jwks *const *ae_fuzz_jwt_bundles(void);
