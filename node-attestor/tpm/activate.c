#include "node-attestor/tpm/activate.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include "common/cleanup.h"
#include "common/ct.h"
#include "node-attestor/tpm/ek_policy.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

/* The credential secret ESAPI hands back is wiped before it is freed. */
static void secret_digest_freep(TPM2B_DIGEST **d)
{
        if (*d) {
                ae_wipe(*d, sizeof(**d));
                Esys_Free(*d);
        }
}

int ae_tpm_activate_credential(struct ae_tpm *tpm, const struct ae_tpm_key *ak,
                               const struct ae_tpm_key *ek, const uint8_t *credential_blob,
                               size_t blob_len, const uint8_t *encrypted_secret, size_t secret_len,
                               uint8_t *ret_secret, size_t cap, size_t *ret_len)
{
        _cleanup_esys_tr_ struct ae_esys_tr ak_tr = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_tr_ struct ae_esys_tr ek_tr = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_flush_ struct ae_esys_flush s = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_(secret_digest_freep) TPM2B_DIGEST *cert_info = NULL;
        TPM2B_ID_OBJECT blob;
        TPM2B_ENCRYPTED_SECRET secret;
        size_t off;

        ENSURE(tpm && ak && ek && credential_blob && encrypted_secret && ret_secret && ret_len,
               -EINVAL);

        /* Verifier bytes: parsed strictly, nothing left over. */
        memset(&blob, 0, sizeof(blob));
        off = 0;
        ENSURE(Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(credential_blob, blob_len, &off, &blob) ==
                               TSS2_RC_SUCCESS &&
                       off == blob_len,
               ae_tpm_errorf(tpm, -EBADMSG, "credential blob is not one TPM2B_ID_OBJECT"));
        memset(&secret, 0, sizeof(secret));
        off = 0;
        ENSURE(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(encrypted_secret, secret_len, &off,
                                                        &secret) == TSS2_RC_SUCCESS &&
                       off == secret_len,
               ae_tpm_errorf(tpm, -EBADMSG,
                             "encrypted secret is not one TPM2B_ENCRYPTED_SECRET"));

        GUARD(ae_tpm_key_tr(tpm, ak, AE_TPM_KEY_AK, &ak_tr));
        GUARD(ae_tpm_key_tr(tpm, ek, AE_TPM_KEY_EK, &ek_tr));
        GUARD(ae_tpm_ek_policy_session(tpm, &s));

        /* The AK acts in the ADMIN role here; it has no adminWithPolicy, so
         * its empty password does. The EK (USER role, no userWithAuth) needs
         * the policy session. */
        GUARD(ae_tpm_rc(tpm, "Esys_ActivateCredential",
                        Esys_ActivateCredential(tpm->esys, ak_tr.tr, ek_tr.tr, ESYS_TR_PASSWORD,
                                                s.tr, ESYS_TR_NONE, &blob, &secret,
                                                &cert_info)));
        ENSURE(cert_info->size <= sizeof(cert_info->buffer),
               ae_tpm_errorf(tpm, -EPROTO, "ActivateCredential returned a malformed secret"));
        ENSURE(cert_info->size <= cap,
               ae_tpm_errorf(tpm, -ENOBUFS, "credential secret of %u bytes exceeds %zu",
                             (unsigned)cert_info->size, cap));

        memcpy(ret_secret, cert_info->buffer, cert_info->size);
        *ret_len = cert_info->size;
        return 0;
}
