/* Shared by the files of node-attestor/tpm only: the connection's layout and
 * cleanup helpers for what ESAPI hands out. Not installed, not for hosts. */
#pragma once

#include <stdint.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tcti.h>

#include "node-attestor/tpm/tpm_error.h"

struct ae_tpm {
        TSS2_TCTI_CONTEXT *tcti;
        ESYS_CONTEXT *esys;
        /* TPM_PT_NV_BUFFER_MAX once asked for; 0 until then. */
        uint32_t nv_buffer_max;
        char error[AE_TPM_ERROR_MAX];
};

/* Every buffer ESAPI returns is released with Esys_Free (NULL-safe). */
static inline void ae_esys_freep(void *p)
{
        Esys_Free(*(void **)p);
}
#define _cleanup_esys_ _cleanup_(ae_esys_freep)

/* An ESYS_TR that must be closed (forgotten by ESAPI, not flushed from the
 * TPM) when it leaves scope; ESAPI keeps metadata for each one it creates. */
struct ae_esys_tr {
        ESYS_CONTEXT *esys;
        ESYS_TR tr;
};

static inline void ae_esys_tr_closep(struct ae_esys_tr *h)
{
        if (h->esys && h->tr != ESYS_TR_NONE)
                (void)Esys_TR_Close(h->esys, &h->tr);
}
#define _cleanup_esys_tr_ _cleanup_(ae_esys_tr_closep)
