#include "svid-issuer/jwt_alg.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "common/cleanup.h"
#include "common/ossl.h"

AE_DEFINE_CLEANUP(ECDSA_SIG *, ECDSA_SIG_free)

enum kind { RSA_PKCS1, RSA_PSS, ECDSA };

static const struct {
        const char *name;
        enum kind kind;
        const EVP_MD *(*md)(void);
        int curve;    /* ECDSA: the one curve this alg is defined on */
        size_t coord; /* ECDSA: bytes of r and of s */
} algs[AE_JWT_ALG_COUNT] = {
        [AE_JWT_RS256] = { "RS256", RSA_PKCS1, EVP_sha256, NID_undef, 0 },
        [AE_JWT_RS384] = { "RS384", RSA_PKCS1, EVP_sha384, NID_undef, 0 },
        [AE_JWT_RS512] = { "RS512", RSA_PKCS1, EVP_sha512, NID_undef, 0 },
        [AE_JWT_ES256] = { "ES256", ECDSA, EVP_sha256, NID_X9_62_prime256v1, 32 },
        [AE_JWT_ES384] = { "ES384", ECDSA, EVP_sha384, NID_secp384r1, 48 },
        [AE_JWT_ES512] = { "ES512", ECDSA, EVP_sha512, NID_secp521r1, 66 },
        [AE_JWT_PS256] = { "PS256", RSA_PSS, EVP_sha256, NID_undef, 0 },
        [AE_JWT_PS384] = { "PS384", RSA_PSS, EVP_sha384, NID_undef, 0 },
        [AE_JWT_PS512] = { "PS512", RSA_PSS, EVP_sha512, NID_undef, 0 },
};

int ae_jwt_alg_from_name(const char *name, enum ae_jwt_alg *ret)
{
        ENSURE(name && ret, -EINVAL);
        for (int a = 0; a < AE_JWT_ALG_COUNT; a++)
                if (strcmp(name, algs[a].name) == 0) {
                        *ret = (enum ae_jwt_alg)a;
                        return 0;
                }
        return -ENOENT;
}

const char *ae_jwt_alg_name(enum ae_jwt_alg alg)
{
        return (unsigned)alg < AE_JWT_ALG_COUNT ? algs[alg].name : NULL;
}

/* NID of an EC key's named curve, NID_undef for anything else. */
static int ec_curve(const EVP_PKEY *key)
{
        char name[64];
        size_t n = 0;
        int nid;

        if (!EVP_PKEY_is_a(key, "EC") ||
            EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                           &n) != 1)
                return NID_undef;
        nid = OBJ_sn2nid(name);
        return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

static bool rsa_ok(const EVP_PKEY *key)
{
        int bits;

        /* "RSA" only: an RSA-PSS-restricted key carries parameters of its
         * own that a JWS alg would silently override. */
        if (!EVP_PKEY_is_a(key, "RSA"))
                return false;
        bits = EVP_PKEY_get_bits(key);
        return bits >= AE_JWT_RSA_BITS_MIN && bits <= AE_JWT_RSA_BITS_MAX;
}

int ae_jwt_alg_for_key(const EVP_PKEY *key, enum ae_jwt_alg *ret)
{
        ENSURE(key && ret, -EINVAL);
        if (rsa_ok(key)) {
                *ret = AE_JWT_RS256;
                return 0;
        }
        switch (ec_curve(key)) {
        case NID_X9_62_prime256v1:
                *ret = AE_JWT_ES256;
                return 0;
        case NID_secp384r1:
                *ret = AE_JWT_ES384;
                return 0;
        case NID_secp521r1:
                *ret = AE_JWT_ES512;
                return 0;
        default:
                return -EOPNOTSUPP;
        }
}

bool ae_jwt_alg_fits_key(enum ae_jwt_alg alg, const EVP_PKEY *key)
{
        if ((unsigned)alg >= AE_JWT_ALG_COUNT || !key)
                return false;
        if (algs[alg].kind == ECDSA)
                return ec_curve(key) == algs[alg].curve;
        return rsa_ok(key);
}

/* A digest-sign or -verify context set up for alg's hash and padding. */
static int md_ctx(EVP_PKEY *key, enum ae_jwt_alg alg, bool sign, EVP_MD_CTX **ret)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL; /* owned by ctx */

        ENSURE_ALLOC(ctx);
        if (sign)
                ENSURE_OSSL(EVP_DigestSignInit(ctx, &pctx, algs[alg].md(), NULL, key));
        else
                ENSURE_OSSL(EVP_DigestVerifyInit(ctx, &pctx, algs[alg].md(), NULL, key));
        if (algs[alg].kind == RSA_PSS) {
                /* RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash. */
                ENSURE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0, -EIO);
                ENSURE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0, -EIO);
        }
        *ret = TAKE_PTR(ctx);
        return 0;
}

/* OpenSSL's DER ECDSA-Sig-Value as JOSE's r||s, each coord bytes. */
static int ecdsa_der_to_jose(const uint8_t *der, size_t der_len, size_t coord, uint8_t *out)
{
        const unsigned char *p = der;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        const BIGNUM *r, *sv;

        ENSURE(s, -EIO);
        ECDSA_SIG_get0(s, &r, &sv);
        ENSURE(BN_bn2binpad(r, out, (int)coord) == (int)coord, -EIO);
        ENSURE(BN_bn2binpad(sv, out + coord, (int)coord) == (int)coord, -EIO);
        return 0;
}

int ae_jwt_sign(EVP_PKEY *key, enum ae_jwt_alg alg, const void *in, size_t len, uint8_t *sig,
                size_t cap, size_t *ret_len)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
        uint8_t raw[AE_JWT_SIG_MAX + 16];
        size_t raw_len = sizeof(raw), out_len;

        ENSURE(key && (in || len == 0) && sig && ret_len, -EINVAL);
        ENSURE(ae_jwt_alg_fits_key(alg, key), -EINVAL);
        out_len = algs[alg].kind == ECDSA ? 2 * algs[alg].coord : (size_t)EVP_PKEY_get_size(key);
        ENSURE(cap >= out_len, -ENOBUFS);

        GUARD(md_ctx(key, alg, true, &ctx));
        ENSURE_OSSL(EVP_DigestSign(ctx, raw, &raw_len, in, len));
        if (algs[alg].kind == ECDSA) {
                GUARD(ecdsa_der_to_jose(raw, raw_len, algs[alg].coord, sig));
        } else {
                ENSURE(raw_len == out_len, -EIO);
                memcpy(sig, raw, raw_len);
        }
        *ret_len = out_len;
        return 0;
}

/* JOSE r||s back to the DER OpenSSL verifies (malloc'd into *ret_der). */
static int ecdsa_jose_to_der(const uint8_t *sig, size_t coord, uint8_t **ret_der, int *ret_len)
{
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = ECDSA_SIG_new();
        _cleanup_(BN_freep) BIGNUM *r = BN_bin2bn(sig, (int)coord, NULL);
        _cleanup_(BN_freep) BIGNUM *sv = BN_bin2bn(sig + coord, (int)coord, NULL);
        uint8_t *der = NULL;
        int len;

        ENSURE(s && r && sv, -ENOMEM);
        ENSURE_OSSL(ECDSA_SIG_set0(s, r, sv));
        r = sv = NULL; /* owned by s now */
        len = i2d_ECDSA_SIG(s, &der);
        ENSURE(len > 0, -ENOMEM);
        *ret_der = der;
        *ret_len = len;
        return 0;
}

static void openssl_freep(uint8_t **p)
{
        OPENSSL_free(*p);
}

int ae_jwt_verify(EVP_PKEY *key, enum ae_jwt_alg alg, const void *in, size_t len,
                  const uint8_t *sig, size_t sig_len)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
        _cleanup_(openssl_freep) uint8_t *der = NULL;
        const uint8_t *check = sig;
        size_t check_len = sig_len;
        int der_len = 0, r;

        ENSURE(key && (in || len == 0) && (sig || sig_len == 0), -EINVAL);
        ENSURE(ae_jwt_alg_fits_key(alg, key), -EINVAL);
        /* Fixed sizes first: anything else is not a signature of this key. */
        if (algs[alg].kind == ECDSA) {
                ENSURE(sig_len == 2 * algs[alg].coord, -EBADMSG);
                GUARD(ecdsa_jose_to_der(sig, algs[alg].coord, &der, &der_len));
                check = der;
                check_len = (size_t)der_len;
        } else {
                ENSURE(sig_len == (size_t)EVP_PKEY_get_size(key), -EBADMSG);
        }

        GUARD(md_ctx(key, alg, false, &ctx));
        r = EVP_DigestVerify(ctx, check, check_len, in, len);
        if (r != 1) {
                /* A forged or garbled signature leaves errors behind; they
                 * are the signer's, not ours to report. */
                ERR_clear_error();
                return -EBADMSG;
        }
        return 0;
}
