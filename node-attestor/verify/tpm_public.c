#include "node-attestor/verify/tpm_public.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "common/ossl.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/kdf.h"


#define RSA_DEFAULT_EXPONENT 65537u
/* SP 800-56B (and OpenSSL) require a modulus without factors below 752. */
#define RSA_SMALL_FACTOR_LIMIT 752

/* A key that does not build or check is a verdict on the input: leave
 * nothing of it on OpenSSL's error queue. */
static int bad_key(void)
{
        ERR_clear_error();
        return -EBADMSG;
}

/* Coordinate size of an accepted curve, 0 otherwise. */
static size_t ecc_coord_size(TPMI_ECC_CURVE curve)
{
        switch (curve) {
        case TPM2_ECC_NIST_P256:
                return 32;
        case TPM2_ECC_NIST_P384:
                return 48;
        default:
                return 0;
        }
}

static const char *ecc_group_name(TPMI_ECC_CURVE curve)
{
        return curve == TPM2_ECC_NIST_P256 ? "P-256" : "P-384";
}

static int check_rsa(const TPMT_PUBLIC *p)
{
        const TPMS_RSA_PARMS *parms = &p->parameters.rsaDetail;
        const TPM2B_PUBLIC_KEY_RSA *n = &p->unique.rsa;

        ENSURE(parms->keyBits == 2048 || parms->keyBits == 3072 || parms->keyBits == 4096,
               -EBADMSG);
        ENSURE(n->size == parms->keyBits / 8, -EBADMSG);
        /* keyBits is a claim about the key; a modulus with leading zero bytes
         * would be a weaker key than the one advertised. */
        ENSURE(n->buffer[0] & 0x80, -EBADMSG);
        return 0;
}

static int check_ecc(const TPMT_PUBLIC *p)
{
        size_t coord = ecc_coord_size(p->parameters.eccDetail.curveID);

        ENSURE(coord > 0, -EBADMSG);
        /* The TPM writes coordinates at full size; so does every KDFe
         * partner, so a short one would not interoperate. */
        ENSURE(p->unique.ecc.x.size == coord && p->unique.ecc.y.size == coord, -EBADMSG);
        return 0;
}

/* The structural rules of ae_tpm_public_parse, for a public area that may
 * also have been built by hand: sizes are checked before any buffer is read. */
static int check_structure(const TPMT_PUBLIC *p)
{
        ENSURE(ae_kdf_md(p->nameAlg), -EBADMSG);
        switch (p->type) {
        case TPM2_ALG_RSA:
                return check_rsa(p);
        case TPM2_ALG_ECC:
                return check_ecc(p);
        default:
                return -EBADMSG;
        }
}

/* The RSA rules of SP 800-56B's public key check that give the same verdict
 * every time: odd modulus, odd exponent above 1, no factor below 752.
 * OpenSSL's EVP_PKEY_public_check adds a Miller-Rabin test with random bases
 * whose verdict on a crafted modulus can differ from one call to the next; a
 * public area must be accepted or refused the same way each time. */
static int check_rsa_key(const BIGNUM *n, const BIGNUM *e)
{
        ENSURE(BN_is_odd(n), -EBADMSG);
        ENSURE(BN_is_odd(e) && !BN_is_one(e), -EBADMSG);
        /* Odd divisors, not just primes: a composite one only repeats the
         * verdict of its prime factors. */
        for (BN_ULONG d = 3; d < RSA_SMALL_FACTOR_LIMIT; d += 2) {
                BN_ULONG rem = BN_mod_word(n, d);

                ENSURE(rem != (BN_ULONG)-1, -EIO);
                ENSURE(rem != 0, -EBADMSG);
        }
        return 0;
}

static int rsa_params(const TPMT_PUBLIC *p, OSSL_PARAM_BLD *bld, BIGNUM **n, BIGNUM **e)
{
        uint32_t exponent = p->parameters.rsaDetail.exponent;

        *n = BN_bin2bn(p->unique.rsa.buffer, p->unique.rsa.size, NULL);
        ENSURE_ALLOC(*n);
        *e = BN_new();
        ENSURE_ALLOC(*e);
        ENSURE_OSSL(BN_set_word(*e, exponent ? exponent : RSA_DEFAULT_EXPONENT));
        GUARD(check_rsa_key(*n, *e));
        ENSURE_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, *n));
        ENSURE_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, *e));
        return 0;
}

static int ecc_params(const TPMT_PUBLIC *p, OSSL_PARAM_BLD *bld, uint8_t *point, size_t cap)
{
        size_t coord = p->unique.ecc.x.size;

        ENSURE(1 + 2 * coord <= cap, -EIO);
        point[0] = POINT_CONVERSION_UNCOMPRESSED;
        memcpy(point + 1, p->unique.ecc.x.buffer, coord);
        memcpy(point + 1 + coord, p->unique.ecc.y.buffer, coord);
        ENSURE_OSSL(OSSL_PARAM_BLD_push_utf8_string(
                bld, OSSL_PKEY_PARAM_GROUP_NAME, ecc_group_name(p->parameters.eccDetail.curveID),
                0));
        ENSURE_OSSL(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                     1 + 2 * coord));
        return 0;
}

/* Build the key from parameters. An EC key is then checked to be a point on
 * its curve and not the point at infinity (deterministic). The "quick" check
 * skips OpenSSL's order·Q = O test: the curves Aegis accepts (P-256, P-384)
 * have prime order and cofactor 1, so every point on them other than
 * infinity has that order, and the skipped scalar multiplication was most of
 * a verification's cost. An RSA key was checked by check_rsa_key. */
static int build_key(bool rsa, const OSSL_PARAM *params, EVP_PKEY **ret)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL, *check = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        ctx = EVP_PKEY_CTX_new_from_name(NULL, rsa ? "RSA" : "EC", NULL);
        ENSURE(ctx, -EIO);
        ENSURE_OSSL(EVP_PKEY_fromdata_init(ctx));
        ENSURE(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, (OSSL_PARAM *)params) == 1,
               bad_key());
        if (!rsa) {
                check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
                ENSURE(check, -EIO);
                ENSURE(EVP_PKEY_public_check_quick(check) == 1, bad_key());
        }

        *ret = TAKE_PTR(key);
        return 0;
}

int ae_tpm_public_to_evp(const TPM2B_PUBLIC *pub, EVP_PKEY **ret)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = NULL;
        _cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
        _cleanup_(BN_freep) BIGNUM *n = NULL, *e = NULL;
        const TPMT_PUBLIC *p;
        uint8_t point[1 + 2 * TPM2_MAX_ECC_KEY_BYTES];

        ENSURE(pub && ret, -EINVAL);
        p = &pub->publicArea;
        GUARD(check_structure(p));

        bld = OSSL_PARAM_BLD_new();
        ENSURE_ALLOC(bld);
        if (p->type == TPM2_ALG_RSA)
                GUARD(rsa_params(p, bld, &n, &e));
        else
                GUARD(ecc_params(p, bld, point, sizeof(point)));
        params = OSSL_PARAM_BLD_to_param(bld);
        ENSURE_ALLOC(params);
        return build_key(p->type == TPM2_ALG_RSA, params, ret);
}

int ae_tpm_public_parse(const uint8_t *buf, size_t len, TPM2B_PUBLIC *ret)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        return ae_tpm_public_parse_key(buf, len, ret, &key);
}

int ae_tpm_public_parse_key(const uint8_t *buf, size_t len, TPM2B_PUBLIC *ret, EVP_PKEY **ret_key)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        TPM2B_PUBLIC pub = { 0 };
        size_t off = 0;

        ENSURE(ret && ret_key && (buf || len == 0), -EINVAL);
        ENSURE(len <= AE_ATTEST_TPM_PUBLIC_MAX, -EMSGSIZE);
        /* The size field must cover exactly the rest: what the TPM hashes into
         * the name is the TPMT_PUBLIC, so no byte may sit outside it. */
        ENSURE(len >= 2 && ((size_t)buf[0] << 8 | buf[1]) == len - 2, -EBADMSG);
        ENSURE(Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &pub) == TSS2_RC_SUCCESS,
               -EBADMSG);
        ENSURE(off == len, -EBADMSG);
        GUARD(check_structure(&pub.publicArea));
        /* A key that OpenSSL cannot use is no key: check it now, so a parsed
         * public area always names a usable key. */
        GUARD(ae_tpm_public_to_evp(&pub, &key));

        *ret = pub;
        *ret_key = TAKE_PTR(key);
        return 0;
}

int ae_tpm_public_name(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap, size_t *ret_len)
{
        const EVP_MD *md;
        uint8_t area[sizeof(TPMT_PUBLIC)], digest[EVP_MAX_MD_SIZE];
        size_t off = 0, md_len;
        unsigned int out_len = 0;

        ENSURE(pub && buf && ret_len, -EINVAL);
        GUARD(check_structure(&pub->publicArea));
        md = ae_kdf_md(pub->publicArea.nameAlg);
        md_len = (size_t)EVP_MD_get_size(md);
        ENSURE(cap >= 2 + md_len, -ENOBUFS);

        /* Re-marshalled from the parsed structure: for bytes that parsed
         * exactly, the same bytes the TPM hashed. */
        ENSURE(Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, area, sizeof(area), &off) ==
                       TSS2_RC_SUCCESS,
               -EBADMSG);
        ENSURE_OSSL(EVP_Digest(area, off, digest, &out_len, md, NULL));
        ENSURE(out_len == md_len, -EIO);

        buf[0] = (uint8_t)(pub->publicArea.nameAlg >> 8);
        buf[1] = (uint8_t)pub->publicArea.nameAlg;
        memcpy(buf + 2, digest, md_len);

        *ret_len = 2 + md_len;
        return 0;
}

int ae_tpm_public_matches_cert(const TPM2B_PUBLIC *pub, const X509 *cert)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        EVP_PKEY *cert_key;

        ENSURE(pub && cert, -EINVAL);
        cert_key = X509_get0_pubkey(cert);
        if (!cert_key) {
                ERR_clear_error();
                return -EINVAL;
        }
        GUARD(ae_tpm_public_to_evp(pub, &key));
        /* 1 is equal; 0 different key, -1 different type, -2 not comparable:
         * all of them mean this certificate is not for this key. */
        if (EVP_PKEY_eq(key, cert_key) != 1) {
                ERR_clear_error();
                return -EKEYREJECTED;
        }
        return 0;
}
