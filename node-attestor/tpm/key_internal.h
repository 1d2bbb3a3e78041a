/* Shared by the files of node-attestor/tpm only: the layout of struct
 * ae_tpm_key and how a command gets an ESYS_TR for one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "node-attestor/tpm/tpm_internal.h"

enum ae_tpm_key_kind {
        AE_TPM_KEY_EK,
        AE_TPM_KEY_AK,
};

struct ae_tpm_key {
        struct ae_tpm *tpm;
        enum ae_tpm_key_kind kind;
        /* Transient keys: the loaded object, flushed by ae_tpm_key_free.
         * Persistent keys: ESYS_TR_NONE. tpm2-tss 3.2 hands out one shared
         * ESYS_TR per TPM handle (Esys_TR_FromTPMPublic), so one kept here
         * would be closed under us by anyone else using the same handle;
         * each command opens its own instead (ae_tpm_key_tr). */
        ESYS_TR tr;
        uint32_t persistent; /* 0 for transient keys */
        TPM2B_PUBLIC pub;
        TPM2B_NAME name;
};

/* A new key of kind for tpm with pub and name copied. On success it owns tr
 * (flushed on free, unless persistent is set: then tr is not kept); on
 * failure tr stays the caller's. */
AE_MUST_USE int ae_tpm_key_new(struct ae_tpm *tpm, enum ae_tpm_key_kind kind, ESYS_TR tr,
                               uint32_t persistent, const TPM2B_PUBLIC *pub,
                               const TPM2B_NAME *name, struct ae_tpm_key **ret);

/* An ESYS_TR for key, valid for the commands of one call: transient keys
 * lend their own (ret->esys NULL, so the cleanup leaves it alone); persistent
 * keys get one from the TPM's handle, closed by the cleanup, after checking
 * the TPM still holds the same key there (-ESTALE otherwise). Also checks
 * the key belongs to tpm and is of kind (-EINVAL). */
AE_MUST_USE int ae_tpm_key_tr(struct ae_tpm *tpm, const struct ae_tpm_key *key,
                              enum ae_tpm_key_kind kind, struct ae_esys_tr *ret);

/* Flush tr from the TPM (a transient object or a session); if that fails,
 * at least forget it in ESAPI. */
void ae_tpm_flush(ESYS_CONTEXT *esys, ESYS_TR tr);

/* An object or session that is flushed when it leaves scope. */
struct ae_esys_flush {
        ESYS_CONTEXT *esys;
        ESYS_TR tr;
};

static inline void ae_esys_flushp(struct ae_esys_flush *h)
{
        if (h->esys && h->tr != ESYS_TR_NONE)
                ae_tpm_flush(h->esys, h->tr);
}
#define _cleanup_esys_flush_ _cleanup_(ae_esys_flushp)

/* Whether a persistent object exists at handle. Asked with GetCapability so
 * an empty handle is not an error (ESAPI logs failed commands on stderr). */
AE_MUST_USE int ae_tpm_persistent_present(struct ae_tpm *tpm, uint32_t handle, bool *ret);
