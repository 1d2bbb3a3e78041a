#include "soft_tpm_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

void soft_need(int ok, const char *what, const char *file, int line)
{
        if (!ok) {
                fprintf(stderr, "%s:%d: %s\n", file, line, what);
                abort();
        }
}

EVP_PKEY *soft_key_rsa(unsigned bits)
{
        EVP_PKEY *key = EVP_RSA_gen(bits);

        SOFT_NEED(key != NULL);
        return key;
}

EVP_PKEY *soft_key_ec(const char *group)
{
        EVP_PKEY *key = EVP_EC_gen(group);

        SOFT_NEED(key != NULL);
        return key;
}

static void bn_param(const EVP_PKEY *key, const char *name, uint8_t *out, size_t len)
{
        BIGNUM *bn = NULL;

        SOFT_NEED(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
        SOFT_NEED(BN_bn2binpad(bn, out, (int)len) == (int)len);
        BN_free(bn);
}

void soft_key_ek_public(const EVP_PKEY *key, TPMI_ALG_HASH name_alg, uint16_t sym_bits,
                        TPM2B_PUBLIC *ret)
{
        TPM2B_PUBLIC pub;
        TPMT_PUBLIC *p = &pub.publicArea;
        TPMT_SYM_DEF_OBJECT *sym;
        int bits = EVP_PKEY_get_bits(key);

        memset(&pub, 0, sizeof(pub));
        p->nameAlg = name_alg;
        p->objectAttributes = SOFT_EK_ATTRIBUTES;
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
                p->type = TPM2_ALG_RSA;
                sym = &p->parameters.rsaDetail.symmetric;
                p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
                p->parameters.rsaDetail.keyBits = (TPM2_KEY_BITS)bits;
                p->parameters.rsaDetail.exponent = 0;
                p->unique.rsa.size = (uint16_t)(bits / 8);
                bn_param(key, OSSL_PKEY_PARAM_RSA_N, p->unique.rsa.buffer, (size_t)bits / 8);
        } else {
                size_t coord = (size_t)(bits + 7) / 8;

                SOFT_NEED(bits == 256 || bits == 384);
                p->type = TPM2_ALG_ECC;
                sym = &p->parameters.eccDetail.symmetric;
                p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
                p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
                p->parameters.eccDetail.curveID = bits == 256 ? TPM2_ECC_NIST_P256
                                                              : TPM2_ECC_NIST_P384;
                p->unique.ecc.x.size = (uint16_t)coord;
                p->unique.ecc.y.size = (uint16_t)coord;
                bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, p->unique.ecc.x.buffer, coord);
                bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, p->unique.ecc.y.buffer, coord);
        }
        sym->algorithm = TPM2_ALG_AES;
        sym->keyBits.aes = sym_bits;
        sym->mode.aes = TPM2_ALG_CFB;
        *ret = pub;
}

size_t soft_public_marshal(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap)
{
        TPM2B_PUBLIC copy = *pub;
        size_t off = 0;

        /* Size 0 makes the marshaller compute the size field. */
        copy.size = 0;
        SOFT_NEED(Tss2_MU_TPM2B_PUBLIC_Marshal(&copy, buf, cap, &off) == TSS2_RC_SUCCESS);
        return off;
}
