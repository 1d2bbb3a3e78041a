#include "node-attestor/verify/kdf.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/ct.h"
#include "common/ossl.h"


const EVP_MD *ae_kdf_md(TPMI_ALG_HASH hash_alg)
{
        switch (hash_alg) {
        case TPM2_ALG_SHA256:
                return EVP_sha256();
        case TPM2_ALG_SHA384:
                return EVP_sha384();
        case TPM2_ALG_SHA512:
                return EVP_sha512();
        default:
                return NULL;
        }
}

static void be32(uint8_t out[4], uint32_t v)
{
        out[0] = (uint8_t)(v >> 24);
        out[1] = (uint8_t)(v >> 16);
        out[2] = (uint8_t)(v >> 8);
        out[3] = (uint8_t)v;
}

/* What both KDFs require of their arguments. */
static int check_args(const EVP_MD *md, const uint8_t *key, size_t key_len, const char *label,
                      const uint8_t *u, size_t u_len, const uint8_t *v, size_t v_len,
                      uint32_t bits, const uint8_t *out)
{
        ENSURE(md, -EINVAL);
        ENSURE(key && key_len > 0, -EINVAL);
        ENSURE(label && out, -EINVAL);
        ENSURE(u || u_len == 0, -EINVAL);
        ENSURE(v || v_len == 0, -EINVAL);
        ENSURE(bits > 0 && bits % 8 == 0 && bits / 8 <= AE_KDF_OUT_MAX, -EINVAL);
        return 0;
}

/* One KDFa block. The key is set for every block: HMAC keeps no state
 * between them that could be reused. */
static int kdfa_block(EVP_MAC_CTX *ctx, const OSSL_PARAM *params, const uint8_t *key,
                      size_t key_len, uint32_t counter, const char *label, const uint8_t *u,
                      size_t u_len, const uint8_t *v, size_t v_len, uint32_t bits,
                      uint8_t *block, size_t block_cap)
{
        uint8_t cnt[4], len[4];
        size_t out_len = 0;

        be32(cnt, counter);
        be32(len, bits);
        ENSURE_OSSL(EVP_MAC_init(ctx, key, key_len, params));
        ENSURE_OSSL(EVP_MAC_update(ctx, cnt, sizeof(cnt)));
        ENSURE_OSSL(EVP_MAC_update(ctx, (const uint8_t *)label, strlen(label) + 1));
        if (u_len > 0)
                ENSURE_OSSL(EVP_MAC_update(ctx, u, u_len));
        if (v_len > 0)
                ENSURE_OSSL(EVP_MAC_update(ctx, v, v_len));
        ENSURE_OSSL(EVP_MAC_update(ctx, len, sizeof(len)));
        ENSURE_OSSL(EVP_MAC_final(ctx, block, &out_len, block_cap));
        return 0;
}

int ae_kdfa(TPMI_ALG_HASH hash_alg, const uint8_t *key, size_t key_len, const char *label,
            const uint8_t *context_u, size_t u_len, const uint8_t *context_v, size_t v_len,
            uint32_t bits, uint8_t *ret_out)
{
        const EVP_MD *md = ae_kdf_md(hash_alg);
        _cleanup_(EVP_MAC_freep) EVP_MAC *mac = NULL;
        _cleanup_(EVP_MAC_CTX_freep) EVP_MAC_CTX *ctx = NULL;
        OSSL_PARAM params[2];
        uint8_t out[AE_KDF_OUT_MAX], block[EVP_MAX_MD_SIZE];
        size_t n, md_len, done = 0;
        int r = 0;

        GUARD(check_args(md, key, key_len, label, context_u, u_len, context_v, v_len, bits,
                         ret_out));
        n = bits / 8;
        md_len = (size_t)EVP_MD_get_size(md);

        mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
        ENSURE(mac, -EIO);
        ctx = EVP_MAC_CTX_new(mac);
        ENSURE_ALLOC(ctx);
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)EVP_MD_get0_name(md), 0);
        params[1] = OSSL_PARAM_construct_end();

        /* n <= AE_KDF_OUT_MAX keeps the counter far below 2^32. */
        for (uint32_t i = 1; done < n; i++) {
                size_t take = n - done < md_len ? n - done : md_len;

                r = kdfa_block(ctx, params, key, key_len, i, label, context_u, u_len, context_v,
                               v_len, bits, block, sizeof(block));
                if (r < 0)
                        break;
                memcpy(out + done, block, take);
                done += take;
        }
        if (r == 0)
                memcpy(ret_out, out, n);
        /* The output is key material (the credential's AES and HMAC keys). */
        ae_wipe(out, sizeof(out));
        ae_wipe(block, sizeof(block));
        return r;
}

static int kdfe_block(EVP_MD_CTX *ctx, const EVP_MD *md, uint32_t counter, const uint8_t *z,
                      size_t z_len, const char *label, const uint8_t *u, size_t u_len,
                      const uint8_t *v, size_t v_len, uint8_t *block)
{
        uint8_t cnt[4];
        unsigned int out_len = 0;

        be32(cnt, counter);
        ENSURE_OSSL(EVP_DigestInit_ex(ctx, md, NULL));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, cnt, sizeof(cnt)));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, z, z_len));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, label, strlen(label) + 1));
        if (u_len > 0)
                ENSURE_OSSL(EVP_DigestUpdate(ctx, u, u_len));
        if (v_len > 0)
                ENSURE_OSSL(EVP_DigestUpdate(ctx, v, v_len));
        ENSURE_OSSL(EVP_DigestFinal_ex(ctx, block, &out_len));
        return 0;
}

int ae_kdfe(TPMI_ALG_HASH hash_alg, const uint8_t *z, size_t z_len, const char *label,
            const uint8_t *party_u, size_t u_len, const uint8_t *party_v, size_t v_len,
            uint32_t bits, uint8_t *ret_out)
{
        const EVP_MD *md = ae_kdf_md(hash_alg);
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
        uint8_t out[AE_KDF_OUT_MAX], block[EVP_MAX_MD_SIZE];
        size_t n, md_len, done = 0;
        int r = 0;

        GUARD(check_args(md, z, z_len, label, party_u, u_len, party_v, v_len, bits, ret_out));
        n = bits / 8;
        md_len = (size_t)EVP_MD_get_size(md);

        ctx = EVP_MD_CTX_new();
        ENSURE_ALLOC(ctx);
        for (uint32_t i = 1; done < n; i++) {
                size_t take = n - done < md_len ? n - done : md_len;

                r = kdfe_block(ctx, md, i, z, z_len, label, party_u, u_len, party_v, v_len,
                               block);
                if (r < 0)
                        break;
                memcpy(out + done, block, take);
                done += take;
        }
        if (r == 0)
                memcpy(ret_out, out, n);
        /* The output is the credential seed; z, hashed in the context, is the
         * ECDH secret: OpenSSL cleanses digest state on free. */
        ae_wipe(out, sizeof(out));
        ae_wipe(block, sizeof(block));
        return r;
}
