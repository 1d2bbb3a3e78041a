#include "node-attestor/verify/quote_check.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "common/ct.h"
#include "common/ossl.h"

AE_DEFINE_CLEANUP(ECDSA_SIG *, ECDSA_SIG_free)

const EVP_MD *ae_tpm_hash_md(TPMI_ALG_HASH alg)
{
        switch (alg) {
        case TPM2_ALG_SHA1: return EVP_sha1();
        case TPM2_ALG_SHA256: return EVP_sha256();
        case TPM2_ALG_SHA384: return EVP_sha384();
        case TPM2_ALG_SHA512: return EVP_sha512();
        default: return NULL;
        }
}

int ae_ak_scheme(const TPM2B_PUBLIC *ak, TPMI_ALG_SIG_SCHEME *ret_scheme, TPMI_ALG_HASH *ret_hash)
{
        const TPMT_PUBLIC *p = &ak->publicArea;
        TPMI_ALG_SIG_SCHEME scheme;
        TPMI_ALG_HASH hash;

        if (p->type == TPM2_ALG_ECC && p->parameters.eccDetail.scheme.scheme == TPM2_ALG_ECDSA) {
                scheme = TPM2_ALG_ECDSA;
                hash = p->parameters.eccDetail.scheme.details.ecdsa.hashAlg;
        } else if (p->type == TPM2_ALG_RSA &&
                   p->parameters.rsaDetail.scheme.scheme == TPM2_ALG_RSASSA) {
                scheme = TPM2_ALG_RSASSA;
                hash = p->parameters.rsaDetail.scheme.details.rsassa.hashAlg;
        } else {
                return -EINVAL;
        }
        /* SHA-1 signatures are not evidence any more. */
        ENSURE(hash == TPM2_ALG_SHA256 || hash == TPM2_ALG_SHA384 || hash == TPM2_ALG_SHA512,
               -EINVAL);
        *ret_scheme = scheme;
        *ret_hash = hash;
        return 0;
}

/* ECDSA (r, s) from the TPM as the DER OpenSSL verifies. */
static int ecdsa_der(const TPMS_SIGNATURE_ECDSA *e, uint8_t **ret_der, int *ret_len)
{
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = ECDSA_SIG_new();
        _cleanup_(BN_freep) BIGNUM *r = NULL, *sv = NULL;
        uint8_t *der = NULL;
        int len;

        ENSURE_ALLOC(s);
        r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
        sv = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
        ENSURE_ALLOC(r);
        ENSURE_ALLOC(sv);
        ENSURE_OSSL(ECDSA_SIG_set0(s, r, sv));
        r = sv = NULL; /* owned by s now */
        len = i2d_ECDSA_SIG(s, &der);
        ENSURE(len > 0, -EIO);
        *ret_der = der;
        *ret_len = len;
        return 0;
}

/* 1: valid, 0: invalid, <0: internal failure. */
static int verify_signature(EVP_PKEY *key, const TPMT_SIGNATURE *sig, TPMI_ALG_HASH hash,
                            const uint8_t *attest, size_t attest_len)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        const EVP_MD *md = ae_tpm_hash_md(hash);
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned digest_len;
        const uint8_t *s;
        uint8_t *der = NULL;
        size_t s_len;
        int r, der_len;

        ENSURE(md, -EINVAL);
        ENSURE_OSSL(EVP_Digest(attest, attest_len, digest, &digest_len, md, NULL));
        ctx = EVP_PKEY_CTX_new(key, NULL);
        ENSURE_ALLOC(ctx);
        ENSURE(EVP_PKEY_verify_init(ctx) == 1, -EIO);
        ENSURE(EVP_PKEY_CTX_set_signature_md(ctx, md) == 1, -EIO);
        if (sig->sigAlg == TPM2_ALG_ECDSA) {
                GUARD(ecdsa_der(&sig->signature.ecdsa, &der, &der_len));
                s = der;
                s_len = (size_t)der_len;
        } else {
                ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1, -EIO);
                s = sig->signature.rsassa.sig.buffer;
                s_len = sig->signature.rsassa.sig.size;
        }
        r = EVP_PKEY_verify(ctx, s, s_len, digest, digest_len);
        OPENSSL_free(der);
        ERR_clear_error();
        return r == 1 ? 1 : 0; /* a malformed signature is just invalid */
}

static int parse(const uint8_t *attest, size_t attest_len, const uint8_t *sig, size_t sig_len,
                 TPMS_ATTEST *ret_attest, TPMT_SIGNATURE *ret_sig)
{
        size_t off = 0;

        ENSURE(attest && sig, -EBADMSG);
        ENSURE(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &off, ret_attest) ==
                       TSS2_RC_SUCCESS && off == attest_len,
               -EBADMSG);
        off = 0;
        ENSURE(Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, sig_len, &off, ret_sig) == TSS2_RC_SUCCESS &&
                       off == sig_len,
               -EBADMSG);
        return 0;
}

int ae_quote_check(const TPM2B_PUBLIC *ak, EVP_PKEY *ak_key, const uint8_t *attest,
                   size_t attest_len, const uint8_t *sig, size_t sig_len,
                   const uint8_t *expected_extra, size_t extra_len,
                   const TPML_PCR_SELECTION *requested, const struct ae_pcr_values *values,
                   struct ae_quote_info *ret_info, enum ae_attest_reason *ret_reason)
{
        TPMS_ATTEST a;
        TPMT_SIGNATURE s;
        TPMI_ALG_SIG_SCHEME scheme;
        TPMI_ALG_HASH hash, sig_hash;
        uint8_t digest[EVP_MAX_MD_SIZE];
        size_t digest_len, used;
        int r;

        ENSURE(ak && ak_key && requested && values && ret_info && ret_reason, -EINVAL);
        ENSURE(ae_ak_scheme(ak, &scheme, &hash) == 0, -EINVAL); /* validated by the caller */
        memset(&a, 0, sizeof(a));
        memset(&s, 0, sizeof(s));

#define REJECT(reason)                                                         \
        do {                                                                   \
                *ret_reason = (reason);                                        \
                return 0;                                                      \
        } while (0)

        if (parse(attest, attest_len, sig, sig_len, &a, &s) < 0)
                REJECT(AE_ATTEST_QUOTE_MALFORMED);
        if (a.magic != TPM2_GENERATED_VALUE || a.type != TPM2_ST_ATTEST_QUOTE)
                REJECT(AE_ATTEST_QUOTE_NOT_A_QUOTE);

        sig_hash = s.sigAlg == TPM2_ALG_ECDSA    ? s.signature.ecdsa.hash
                   : s.sigAlg == TPM2_ALG_RSASSA ? s.signature.rsassa.hash
                                                 : TPM2_ALG_NULL;
        if (s.sigAlg != scheme || sig_hash != hash)
                REJECT(AE_ATTEST_QUOTE_SIGNATURE_SCHEME);
        r = verify_signature(ak_key, &s, hash, attest, attest_len);
        GUARD(r);
        if (r != 1)
                REJECT(AE_ATTEST_QUOTE_SIGNATURE_INVALID);

        /* The signature holds: from here on the fields are the TPM's own. */
        if (!ae_ct_equal_len(a.extraData.buffer, a.extraData.size, expected_extra, extra_len))
                REJECT(AE_ATTEST_QUOTE_NONCE_MISMATCH);
        if (!ae_pcr_selection_equal(&a.attested.quote.pcrSelect, requested))
                REJECT(AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH);
        /* Values for PCRs nobody quoted would be unverified claims: refuse
         * them as well as missing ones. */
        r = ae_pcr_digest(requested, values, hash, digest, sizeof(digest), &digest_len, &used);
        if (r == -ENOENT || (r == 0 && used != values->count))
                REJECT(AE_ATTEST_PCR_VALUES_INCOMPLETE);
        GUARD(r);
        if (!ae_ct_equal_len(a.attested.quote.pcrDigest.buffer, a.attested.quote.pcrDigest.size,
                             digest, digest_len))
                REJECT(AE_ATTEST_PCR_DIGEST_MISMATCH);
#undef REJECT

        ret_info->clock = a.clockInfo;
        ENSURE(digest_len <= sizeof(ret_info->pcr_digest), -EOVERFLOW);
        memcpy(ret_info->pcr_digest, digest, digest_len);
        ret_info->pcr_digest_len = digest_len;
        ret_info->firmware_version = a.firmwareVersion;
        *ret_reason = AE_ATTEST_OK;
        return 0;
}
