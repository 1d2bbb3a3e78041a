/* The AK half of a payload: a key the TPM created itself, can never export,
 * and can only use to sign what the TPM produced (restricted). Anything
 * weaker could sign a forged quote. */
#include "node-attestor/verify/node_internal.h"

#include <string.h>

#include "common/ossl.h"
#include "node-attestor/verify/quote_check.h"
#include "node-attestor/verify/tpm_public.h"

void node_identity_clear(struct node_identity *id)
{
        EVP_PKEY_free(id->ek_key);
        EVP_PKEY_free(id->ak_key);
        id->ek_key = NULL;
        id->ak_key = NULL;
}

int node_check_ak(const uint8_t *ak_public, size_t ak_public_len, struct node_identity *id,
                  enum ae_attest_reason *ret_reason)
{
        const TPMA_OBJECT fixed = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                  TPMA_OBJECT_SENSITIVEDATAORIGIN;
        TPMI_ALG_SIG_SCHEME scheme;
        TPMI_ALG_HASH hash;
        TPMA_OBJECT attrs;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        if (ae_tpm_public_parse_key(ak_public, ak_public_len, &id->ak, &key) < 0) {
                *ret_reason = AE_ATTEST_AK_PUBLIC_INVALID;
                return 0;
        }
        attrs = id->ak.publicArea.objectAttributes;
        if (!(attrs & TPMA_OBJECT_RESTRICTED))
                *ret_reason = AE_ATTEST_AK_NOT_RESTRICTED;
        else if ((attrs & fixed) != fixed)
                *ret_reason = AE_ATTEST_AK_NOT_FIXED;
        else if (!(attrs & TPMA_OBJECT_SIGN_ENCRYPT) || (attrs & TPMA_OBJECT_DECRYPT))
                *ret_reason = AE_ATTEST_AK_NOT_SIGNING;
        else if (ae_ak_scheme(&id->ak, &scheme, &hash) < 0)
                *ret_reason = AE_ATTEST_AK_SCHEME;
        else
                *ret_reason = AE_ATTEST_OK;
        if (*ret_reason != AE_ATTEST_OK)
                return 0;
        id->ak_key = TAKE_PTR(key);
        GUARD(ae_tpm_public_name(&id->ak, id->ak_name, sizeof(id->ak_name), &id->ak_name_len));
        return 0;
}
