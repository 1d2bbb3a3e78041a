/* The key types the issuer signs with and certifies: generating one, and
 * telling which type a key is. One list for the CA's own key and for the
 * workload keys it puts in SVIDs, so both sides of a chain speak the same
 * algorithms (X.509-SVID signature rules: ECDSA-SHA256 for P-256,
 * ECDSA-SHA384 for P-384, RSA PKCS#1 v1.5 with SHA-256 for RSA). */
#pragma once

#include <openssl/types.h>

#include "common/guard.h"

enum ae_ca_key_type {
        AE_CA_KEY_P256 = 0, /* default: the zero value of ae_ca_options */
        AE_CA_KEY_P384,
        AE_CA_KEY_RSA2048,
        AE_CA_KEY_TYPE_COUNT
};

/* RSA moduli accepted in a key that is certified or signs: at least 2048
 * bits (NIST SP 800-57), at most 8192 (bounds what verifying costs). */
#define AE_SVID_RSA_BITS_MIN 2048
#define AE_SVID_RSA_BITS_MAX 8192

/* "p256", "p384", "rsa2048"; NULL outside the enum. */
const char *ae_ca_key_type_name(enum ae_ca_key_type type);
/* The type for one of the names above (exact match); -EINVAL otherwise. */
AE_MUST_USE int ae_ca_key_type_from_name(const char *name, enum ae_ca_key_type *ret);

/* A fresh key pair of type. -EINVAL outside the enum, -EIO if OpenSSL fails.
 * The caller frees *ret with EVP_PKEY_free. */
AE_MUST_USE int ae_svid_key_generate(enum ae_ca_key_type type, EVP_PKEY **ret);

/* The type of a public or private key: EC on P-256 or P-384, or RSA of
 * AE_SVID_RSA_BITS_MIN..MAX bits (any accepted size reports
 * AE_CA_KEY_RSA2048). -EOPNOTSUPP for any other key (Ed25519, P-521,
 * RSA-1024, DSA, ...). */
AE_MUST_USE int ae_svid_key_classify(const EVP_PKEY *key, enum ae_ca_key_type *ret);

/* The digest a key of this type signs certificates with: SHA-384 for P-384,
 * SHA-256 otherwise. NULL outside the enum. */
const EVP_MD *ae_svid_key_digest(enum ae_ca_key_type type);
