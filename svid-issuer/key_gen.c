#include "svid-issuer/key_gen.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

static const char *const type_names[AE_CA_KEY_TYPE_COUNT] = {
        [AE_CA_KEY_P256] = "p256",
        [AE_CA_KEY_P384] = "p384",
        [AE_CA_KEY_RSA2048] = "rsa2048",
};

const char *ae_ca_key_type_name(enum ae_ca_key_type type)
{
        if ((unsigned)type >= AE_CA_KEY_TYPE_COUNT)
                return NULL;
        return type_names[type];
}

int ae_ca_key_type_from_name(const char *name, enum ae_ca_key_type *ret)
{
        ENSURE(name && ret, -EINVAL);
        for (unsigned i = 0; i < AE_CA_KEY_TYPE_COUNT; i++)
                if (strcmp(name, type_names[i]) == 0) {
                        *ret = (enum ae_ca_key_type)i;
                        return 0;
                }
        return -EINVAL;
}

int ae_svid_key_generate(enum ae_ca_key_type type, EVP_PKEY **ret)
{
        EVP_PKEY *key;

        ENSURE(ret, -EINVAL);
        switch (type) {
        case AE_CA_KEY_P256:
                key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
                break;
        case AE_CA_KEY_P384:
                key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
                break;
        case AE_CA_KEY_RSA2048:
                key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)AE_SVID_RSA_BITS_MIN);
                break;
        default:
                return -EINVAL;
        }
        ENSURE(key, -EIO);
        *ret = key;
        return 0;
}

/* OpenSSL names the group by its short name ("prime256v1"); a key built
 * from parameters may carry the NIST name ("P-256") instead. */
static int ec_curve_nid(const EVP_PKEY *key)
{
        char group[64];
        size_t len = 0;
        int nid;

        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof(group), &len) != 1)
                return NID_undef;
        nid = OBJ_sn2nid(group);
        if (nid == NID_undef)
                nid = EC_curve_nist2nid(group);
        return nid;
}

int ae_svid_key_classify(const EVP_PKEY *key, enum ae_ca_key_type *ret)
{
        ENSURE(key && ret, -EINVAL);
        /* Exactly "EC" and "RSA": SM2 and RSA-PSS keys are other types. */
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
                switch (ec_curve_nid(key)) {
                case NID_X9_62_prime256v1:
                        *ret = AE_CA_KEY_P256;
                        return 0;
                case NID_secp384r1:
                        *ret = AE_CA_KEY_P384;
                        return 0;
                default:
                        return -EOPNOTSUPP;
                }
        }
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
                int bits = EVP_PKEY_get_bits(key);

                ENSURE(bits >= AE_SVID_RSA_BITS_MIN && bits <= AE_SVID_RSA_BITS_MAX, -EOPNOTSUPP);
                *ret = AE_CA_KEY_RSA2048;
                return 0;
        }
        return -EOPNOTSUPP;
}

const EVP_MD *ae_svid_key_digest(enum ae_ca_key_type type)
{
        switch (type) {
        case AE_CA_KEY_P256:
        case AE_CA_KEY_RSA2048:
                return EVP_sha256();
        case AE_CA_KEY_P384:
                return EVP_sha384();
        default:
                return NULL;
        }
}
