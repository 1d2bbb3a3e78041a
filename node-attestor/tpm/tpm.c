#include "node-attestor/tpm/tpm.h"

#include <errno.h>
#include <stdlib.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

int ae_tpm_open(const char *tcti_conf, struct ae_tpm **ret)
{
        _cleanup_tpm_ struct ae_tpm *tpm = NULL;
        int r;

        ENSURE(ret, -EINVAL);
        if (!tcti_conf)
                tcti_conf = AE_TPM_TCTI_DEFAULT;

        tpm = calloc(1, sizeof(*tpm));
        ENSURE_ALLOC(tpm);

        /* Until this function succeeds the caller has no handle to ask, so
         * failures are recorded per thread (tpm argument NULL). */
        r = ae_tpm_rc(NULL, "Tss2_TctiLdr_Initialize",
                      Tss2_TctiLdr_Initialize(tcti_conf, &tpm->tcti));
        if (r < 0)
                return r;
        r = ae_tpm_rc(NULL, "Esys_Initialize", Esys_Initialize(&tpm->esys, tpm->tcti, NULL));
        if (r < 0)
                return r;

        *ret = TAKE_PTR(tpm);
        return 0;
}

void ae_tpm_close(struct ae_tpm *tpm)
{
        if (!tpm)
                return;
        /* ESAPI first: it still holds the TCTI it was given. */
        if (tpm->esys)
                Esys_Finalize(&tpm->esys);
        if (tpm->tcti)
                Tss2_TctiLdr_Finalize(&tpm->tcti);
        free(tpm);
}
