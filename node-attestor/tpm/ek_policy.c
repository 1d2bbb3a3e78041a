#include "node-attestor/tpm/ek_policy.h"

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

int ae_tpm_ek_policy_session(struct ae_tpm *tpm, struct ae_esys_flush *ret)
{
        _cleanup_esys_flush_ struct ae_esys_flush s = { .esys = tpm->esys, .tr = ESYS_TR_NONE };
        /* Neither salted nor bound, no parameter encryption: the session
         * carries no secret, it only proves the policy. */
        const TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };

        GUARD(ae_tpm_rc(tpm, "Esys_StartAuthSession(policy)",
                        Esys_StartAuthSession(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_POLICY,
                                              &sym, TPM2_ALG_SHA256, &s.tr)));
        /* No nonce, cpHash, policyRef or expiration: the plain
         * PolicySecret(TPM_RH_ENDORSEMENT) whose digest is the template's
         * authPolicy. The timeout and ticket it could return are not
         * wanted, so ESAPI allocates nothing. */
        GUARD(ae_tpm_rc(tpm, "Esys_PolicySecret(endorsement)",
                        Esys_PolicySecret(tpm->esys, ESYS_TR_RH_ENDORSEMENT, s.tr,
                                          ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
                                          NULL, NULL, 0, NULL, NULL)));
        *ret = s;
        s.tr = ESYS_TR_NONE;
        return 0;
}
