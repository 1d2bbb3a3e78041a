/* Internal to node-attestor/tpm: what an Aegis AK looks like, to create one
 * and to recognise one found at a persistent handle. */
#pragma once

#include <tss2/tss2_tpm2_types.h>

#include "node-attestor/tpm/keys.h"

#define AE_TPM_AK_ATTRIBUTES                                                               \
        (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |   \
         TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)

/* The creation template of alg's AK; -EINVAL for an unknown alg. */
AE_MUST_USE int ae_tpm_ak_template(enum ae_tpm_ak_alg alg, TPM2B_PUBLIC *ret);

/* NULL when pub is exactly such an AK of alg (type, name algorithm,
 * attributes, no policy, symmetric NULL, scheme and hash, curve or key size
 * and exponent); else what differs, as a short static text. */
const char *ae_tpm_ak_public_mismatch(enum ae_tpm_ak_alg alg, const TPMT_PUBLIC *pub);
