#include "node-attestor/tpm/keys.h"

#include <errno.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

int ae_tpm_persistent_present(struct ae_tpm *tpm, uint32_t handle, bool *ret)
{
        _cleanup_esys_ TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more = TPM2_NO;

        GUARD(ae_tpm_rc(tpm, "Esys_GetCapability(handles)",
                        Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                           TPM2_CAP_HANDLES, handle, 1, &more, &cap)));
        ENSURE(cap->capability == TPM2_CAP_HANDLES,
               ae_tpm_errorf(tpm, -EPROTO, "GetCapability answered capability 0x%x",
                             cap->capability));
        /* The TPM lists handles from `handle` on: present when it is first. */
        *ret = cap->data.handles.count >= 1 && cap->data.handles.handle[0] == handle;
        return 0;
}

int ae_tpm_persistent_evict(struct ae_tpm *tpm, uint32_t handle)
{
        _cleanup_esys_tr_ struct ae_esys_tr obj = { .esys = NULL, .tr = ESYS_TR_NONE };
        ESYS_TR gone = ESYS_TR_NONE;
        bool present = false;

        ENSURE(tpm, -EINVAL);
        ENSURE(handle >= AE_TPM_PERSISTENT_OWNER_FIRST && handle <= AE_TPM_PERSISTENT_OWNER_LAST,
               ae_tpm_errorf(tpm, -EINVAL, "0x%08x is not an owner persistent handle", handle));
        GUARD(ae_tpm_persistent_present(tpm, handle, &present));
        ENSURE(present,
               ae_tpm_errorf(tpm, -ENOENT, "no persistent object at 0x%08x", handle));

        obj.esys = tpm->esys;
        GUARD(ae_tpm_rc(tpm, "Esys_TR_FromTPMPublic",
                        Esys_TR_FromTPMPublic(tpm->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &obj.tr)));
        /* For an object that is already persistent, EvictControl removes it
         * and yields no new handle (ESYS_TR_NONE), while ESAPI keeps its
         * record of obj.tr: the cleanup closes that. */
        GUARD(ae_tpm_rc(tpm, "Esys_EvictControl(evict)",
                        Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, obj.tr, ESYS_TR_PASSWORD,
                                          ESYS_TR_NONE, ESYS_TR_NONE, handle, &gone)));
        if (gone != ESYS_TR_NONE)
                (void)Esys_TR_Close(tpm->esys, &gone);
        return 0;
}
