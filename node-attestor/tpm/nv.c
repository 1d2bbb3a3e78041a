#include "node-attestor/tpm/nv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

/* Used when the TPM will not say (TPM_PT_NV_BUFFER_MAX). Every TPM 2.0 the
 * PC Client profile covers accepts at least this much per NV_Read. */
#define NV_CHUNK_FALLBACK 512u

/* Largest NV_Read the TPM accepts, asked once per connection. A failed
 * query is not fatal: the fallback is small enough for any TPM. */
static uint32_t nv_chunk_size(struct ae_tpm *tpm)
{
        _cleanup_esys_ TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more = TPM2_NO;
        uint32_t v = NV_CHUNK_FALLBACK;

        if (tpm->nv_buffer_max)
                return tpm->nv_buffer_max;

        if (Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                               TPM2_CAP_TPM_PROPERTIES, TPM2_PT_NV_BUFFER_MAX, 1, &more,
                               &cap) == TSS2_RC_SUCCESS &&
            cap && cap->capability == TPM2_CAP_TPM_PROPERTIES &&
            cap->data.tpmProperties.count >= 1 &&
            cap->data.tpmProperties.tpmProperty[0].property == TPM2_PT_NV_BUFFER_MAX &&
            cap->data.tpmProperties.tpmProperty[0].value > 0)
                v = cap->data.tpmProperties.tpmProperty[0].value;

        /* Never more than ESAPI's response buffer holds. */
        if (v > sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer))
                v = sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer);
        tpm->nv_buffer_max = v;
        return v;
}

/* Whether the TPM has NV index `index` defined. Asking first keeps the
 * common "this TPM has no ECC EK certificate" case from going through a
 * failing NV_ReadPublic, which tpm2-tss logs as an error on stderr. */
static int nv_defined(struct ae_tpm *tpm, uint32_t index, bool *ret_defined)
{
        _cleanup_esys_ TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more = TPM2_NO;

        GUARD(ae_tpm_rc(tpm, "Esys_GetCapability(handles)",
                        Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                           TPM2_CAP_HANDLES, index, 1, &more, &cap)));
        ENSURE(cap->capability == TPM2_CAP_HANDLES,
               ae_tpm_errorf(tpm, -EPROTO, "GetCapability answered capability 0x%x",
                             cap->capability));
        /* The TPM lists handles from `index` on: defined when it is the first. */
        *ret_defined = cap->data.handles.count >= 1 && cap->data.handles.handle[0] == index;
        return 0;
}

/* Which entity authorizes the read: the owner where the index allows it (the
 * usual case for EK certificates), else the index's own auth. */
static int read_auth(struct ae_tpm *tpm, uint32_t index, TPMA_NV attrs, ESYS_TR nv,
                     ESYS_TR *ret_auth)
{
        if (attrs & TPMA_NV_OWNERREAD) {
                *ret_auth = ESYS_TR_RH_OWNER;
                return 0;
        }
        if (attrs & TPMA_NV_AUTHREAD) {
                *ret_auth = nv;
                return 0;
        }
        return ae_tpm_errorf(tpm, -EACCES,
                             "NV index 0x%08x allows neither owner nor auth reads", index);
}

int ae_tpm_nv_read(struct ae_tpm *tpm, uint32_t index, size_t max, uint8_t **ret_data,
                   size_t *ret_len)
{
        _cleanup_esys_tr_ struct ae_esys_tr nv = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_NV_PUBLIC *pub = NULL;
        _cleanup_esys_ TPM2B_NAME *name = NULL;
        _cleanup_free_ uint8_t *data = NULL;
        ESYS_TR auth = ESYS_TR_NONE;
        bool defined = false;
        uint32_t chunk;
        TPMA_NV attrs;
        uint16_t size;

        ENSURE(tpm && ret_data && ret_len, -EINVAL);
        ENSURE((index >> TPM2_HR_SHIFT) == TPM2_HT_NV_INDEX, -EINVAL);

        GUARD(nv_defined(tpm, index, &defined));
        ENSURE(defined, ae_tpm_errorf(tpm, -ENOENT, "NV index 0x%08x is not defined", index));

        /* ESAPI reads the public area itself to build the handle's name; an
         * index undefined since the check above fails here with TPM_RC_HANDLE
         * (-ENOENT as well). */
        nv.esys = tpm->esys;
        GUARD(ae_tpm_rc(tpm, "Esys_TR_FromTPMPublic",
                        Esys_TR_FromTPMPublic(tpm->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &nv.tr)));
        GUARD(ae_tpm_rc(tpm, "Esys_NV_ReadPublic",
                        Esys_NV_ReadPublic(tpm->esys, nv.tr, ESYS_TR_NONE, ESYS_TR_NONE,
                                           ESYS_TR_NONE, &pub, &name)));

        /* The TPM's description of its own index is still untrusted input. */
        ENSURE(pub->nvPublic.nvIndex == index,
               ae_tpm_errorf(tpm, -EPROTO, "NV_ReadPublic(0x%08x) described index 0x%08x",
                             index, pub->nvPublic.nvIndex));
        attrs = pub->nvPublic.attributes;
        size = pub->nvPublic.dataSize;
        ENSURE(((attrs & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT) == TPM2_NT_ORDINARY,
               ae_tpm_errorf(tpm, -EPROTO, "NV index 0x%08x is not an ordinary index", index));
        ENSURE(size > 0 && size <= max,
               ae_tpm_errorf(tpm, -EMSGSIZE, "NV index 0x%08x holds %u bytes (limit %zu)", index,
                             (unsigned)size, max));
        ENSURE(attrs & TPMA_NV_WRITTEN,
               ae_tpm_errorf(tpm, -ENODATA, "NV index 0x%08x was never written", index));
        GUARD(read_auth(tpm, index, attrs, nv.tr, &auth));

        data = malloc(size);
        ENSURE_ALLOC(data);
        chunk = nv_chunk_size(tpm);

        for (uint16_t off = 0; off < size;) {
                _cleanup_esys_ TPM2B_MAX_NV_BUFFER *part = NULL;
                uint32_t left = (uint32_t)size - off;
                uint16_t want = (uint16_t)(left < chunk ? left : chunk);

                GUARD(ae_tpm_rc(tpm, "Esys_NV_Read",
                                Esys_NV_Read(tpm->esys, auth, nv.tr, ESYS_TR_PASSWORD,
                                             ESYS_TR_NONE, ESYS_TR_NONE, want, off, &part)));
                ENSURE(part->size == want,
                       ae_tpm_errorf(tpm, -EPROTO, "NV_Read(0x%08x) returned %u bytes, asked %u",
                                     index, (unsigned)part->size, (unsigned)want));
                memcpy(data + off, part->buffer, want);
                off = (uint16_t)(off + want);
        }

        *ret_data = TAKE_PTR(data);
        *ret_len = size;
        return 0;
}
