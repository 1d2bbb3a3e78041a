/* Signing a certificate over the TBSCertificate cert_tbs.c writes, instead
 * of with X509_sign_ctx: that one encodes the whole certificate with
 * OpenSSL's template encoder and fetches and decodes the signer's
 * AlgorithmIdentifier twice for every signature, together a third of a
 * leaf SVID's minting time beside the ECDSA signature itself.
 *
 * The signature is put into the certificate as X509_sign_ctx puts it: the
 * signer's AlgorithmIdentifier in the TBSCertificate and outside it, the
 * signature BIT STRING with no unused bits. X509 has no setter for these
 * (X509_REQ has X509_REQ_set0_signature); X509_get0_tbs_sigalg and
 * X509_get0_signature hand out the certificate's own objects, const so
 * that readers leave them alone. Writing them is sound for a certificate
 * still being built by its only owner, which is the only kind signed
 * here. */
#include "svid-issuer/cert_build.h"

#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "common/ossl.h"

/* Memory an OpenSSL object takes over and frees with OPENSSL_free. */
static inline void ossl_bytes_freep(uint8_t **p)
{
        OPENSSL_free(*p);
}

int ae_cert_signer_alg(const EVP_MD_CTX *signer, X509_ALGOR **ret)
{
        EVP_PKEY_CTX *pctx;
        unsigned char aid[128];
        const unsigned char *p = aid;
        OSSL_PARAM params[2];
        X509_ALGOR *alg;
        size_t len;

        ENSURE(signer && ret, -EINVAL);
        pctx = EVP_MD_CTX_get_pkey_ctx(signer);
        ENSURE(pctx, -EINVAL);
        /* What ASN1_item_sign_ctx asks a provider's signature for. */
        params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid,
                                                      sizeof(aid));
        params[1] = OSSL_PARAM_construct_end();
        ENSURE(EVP_PKEY_CTX_get_params(pctx, params) == 1, -EIO);
        len = params[0].return_size;
        ENSURE(len > 0 && len <= sizeof(aid), -EIO);
        alg = d2i_X509_ALGOR(NULL, &p, (long)len);
        ENSURE(alg, -EIO);
        if (p != aid + len) {
                X509_ALGOR_free(alg);
                return -EIO;
        }
        *ret = alg;
        return 0;
}

/* The signature, in memory from OPENSSL_malloc: the certificate's BIT
 * STRING takes it over. */
static int sign_bytes(const EVP_MD_CTX *signer, const uint8_t *tbs, size_t tbs_len,
                      uint8_t **ret, size_t *ret_len)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_(ossl_bytes_freep) uint8_t *sig = NULL;
        size_t len;
        int size;

        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(EVP_MD_CTX_copy_ex(ctx, signer));
        /* The copy signs once and is thrown away: finalising it in place
         * spares EVP_DigestSign a copy of the whole signing context. */
        EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
        /* The key's largest signature, known since it was loaded (asking
         * the signature operation costs a few percent of a P-256 sign). */
        size = EVP_PKEY_get_size(EVP_PKEY_CTX_get0_pkey(EVP_MD_CTX_get_pkey_ctx(ctx)));
        ENSURE(size > 0, -EIO);
        len = (size_t)size;
        sig = OPENSSL_malloc(len);
        ENSURE_ALLOC(sig);
        ENSURE_OSSL(EVP_DigestSign(ctx, sig, &len, tbs, tbs_len));
        ENSURE(len > 0 && len <= (size_t)size, -EIO);
        *ret = TAKE_PTR(sig);
        *ret_len = len;
        return 0;
}

int ae_cert_sign_tbs(X509 *x, const EVP_MD_CTX *signer, const X509_ALGOR *alg)
{
        _cleanup_free_ uint8_t *tbs = NULL;
        _cleanup_(ossl_bytes_freep) uint8_t *sig = NULL;
        const ASN1_BIT_STRING *csig;
        const X509_ALGOR *calg;
        ASN1_BIT_STRING *bits;
        size_t tbs_len = 0, sig_len = 0;

        ENSURE(x && signer && alg, -EINVAL);
        GUARD(ae_cert_tbs_encode(x, alg, &tbs, &tbs_len));
        GUARD(sign_bytes(signer, tbs, tbs_len, &sig, &sig_len));

        /* Nothing of x changed before here. */
        X509_get0_signature(&csig, &calg, x);
        ENSURE(X509_set_version(x, X509_VERSION_3) == 1, -ENOMEM);
        ENSURE(X509_ALGOR_copy((X509_ALGOR *)X509_get0_tbs_sigalg(x), alg) == 1, -ENOMEM);
        ENSURE(X509_ALGOR_copy((X509_ALGOR *)calg, alg) == 1, -ENOMEM);
        bits = (ASN1_BIT_STRING *)csig;
        ASN1_STRING_set0(bits, TAKE_PTR(sig), (int)sig_len);
        /* No unused bits, said explicitly (else the encoder counts the
         * trailing zero bits of the last octet). */
        bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
        bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
        return 0;
}
