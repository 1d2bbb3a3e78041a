#include "node-attestor/qualifying_data.h"

#include <string.h>

#include <openssl/evp.h>

int ae_attest_qualifying_data(const uint8_t nonce[AE_ATTEST_NONCE_LEN],
                              const uint8_t *location_claim, size_t claim_len,
                              uint8_t ret[AE_QUALIFYING_DATA_LEN])
{
        uint8_t claim_hash[32], out[32];
        unsigned n = 0;
        EVP_MD_CTX *ctx;
        int ok;

        ENSURE(nonce && ret && (location_claim || claim_len == 0), -EINVAL);
        ENSURE(EVP_Digest(location_claim ? (const void *)location_claim : "", claim_len,
                          claim_hash, &n, EVP_sha256(), NULL) == 1,
               -EIO);
        ctx = EVP_MD_CTX_new();
        ENSURE_ALLOC(ctx);
        ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, AE_ATTEST_QUOTE_LABEL, strlen(AE_ATTEST_QUOTE_LABEL)) == 1 &&
             EVP_DigestUpdate(ctx, nonce, AE_ATTEST_NONCE_LEN) == 1 &&
             EVP_DigestUpdate(ctx, claim_hash, sizeof(claim_hash)) == 1 &&
             EVP_DigestFinal_ex(ctx, out, &n) == 1;
        EVP_MD_CTX_free(ctx);
        ENSURE(ok && n == AE_QUALIFYING_DATA_LEN, -EIO);
        memcpy(ret, out, AE_QUALIFYING_DATA_LEN);
        return 0;
}
