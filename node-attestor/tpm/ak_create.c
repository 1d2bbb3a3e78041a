#include "node-attestor/tpm/keys.h"

#include <errno.h>
#include <stdbool.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/ak_template.h"
#include "node-attestor/tpm/ek_policy.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

/* The AK already at handle, if it is exactly an AK of alg. Its public area
 * and name come from the TPM (ReadPublic through ESAPI), not from us. */
static int ak_reuse(struct ae_tpm *tpm, enum ae_tpm_ak_alg alg, uint32_t handle,
                    struct ae_tpm_key **ret)
{
        _cleanup_esys_tr_ struct ae_esys_tr obj = { .esys = tpm->esys, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_PUBLIC *pub = NULL;
        _cleanup_esys_ TPM2B_NAME *name = NULL;
        const char *why;

        GUARD(ae_tpm_rc(tpm, "Esys_TR_FromTPMPublic",
                        Esys_TR_FromTPMPublic(tpm->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &obj.tr)));
        GUARD(ae_tpm_rc(tpm, "Esys_ReadPublic",
                        Esys_ReadPublic(tpm->esys, obj.tr, ESYS_TR_NONE, ESYS_TR_NONE,
                                        ESYS_TR_NONE, &pub, &name, NULL)));
        why = ae_tpm_ak_public_mismatch(alg, &pub->publicArea);
        ENSURE(!why, ae_tpm_errorf(tpm, -EEXIST,
                                   "persistent handle 0x%08x holds an object that is not an "
                                   "Aegis %s AK: %s",
                                   handle, ae_tpm_ak_alg_name(alg), why));
        /* The ESYS_TR is not kept (see struct ae_tpm_key): obj is closed. */
        return ae_tpm_key_new(tpm, AE_TPM_KEY_AK, ESYS_TR_NONE, handle, pub, name, ret);
}

/* A new AK of alg under ek, loaded as a transient object. */
static int ak_make(struct ae_tpm *tpm, const struct ae_tpm_key *ek, enum ae_tpm_ak_alg alg,
                   struct ae_tpm_key **ret)
{
        _cleanup_esys_tr_ struct ae_esys_tr parent = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_flush_ struct ae_esys_flush ak = { .esys = tpm->esys, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_PRIVATE *priv = NULL;
        _cleanup_esys_ TPM2B_PUBLIC *pub = NULL;
        _cleanup_esys_ TPM2B_NAME *name = NULL;
        const TPM2B_SENSITIVE_CREATE sensitive = { .size = 0 };
        const TPM2B_DATA outside = { .size = 0 };
        const TPML_PCR_SELECTION no_pcrs = { .count = 0 };
        TPM2B_PUBLIC tmpl;
        const char *why;

        GUARD(ae_tpm_ak_template(alg, &tmpl));
        GUARD(ae_tpm_key_tr(tpm, ek, AE_TPM_KEY_EK, &parent));

        {
                /* Each use of the EK needs its own satisfied policy session. */
                _cleanup_esys_flush_ struct ae_esys_flush s = { .esys = NULL, .tr = ESYS_TR_NONE };

                GUARD(ae_tpm_ek_policy_session(tpm, &s));
                GUARD(ae_tpm_rc(tpm, "Esys_Create(AK)",
                                Esys_Create(tpm->esys, parent.tr, s.tr, ESYS_TR_NONE,
                                            ESYS_TR_NONE, &sensitive, &tmpl, &outside, &no_pcrs,
                                            &priv, &pub, NULL, NULL, NULL)));
        }
        why = ae_tpm_ak_public_mismatch(alg, &pub->publicArea);
        ENSURE(!why, ae_tpm_errorf(tpm, -EPROTO, "Create made an AK unlike its template: %s",
                                   why));
        {
                _cleanup_esys_flush_ struct ae_esys_flush s = { .esys = NULL, .tr = ESYS_TR_NONE };

                GUARD(ae_tpm_ek_policy_session(tpm, &s));
                /* ESAPI checks the name the TPM returns against the public
                 * area it was given, so name below is the TPM's. */
                GUARD(ae_tpm_rc(tpm, "Esys_Load(AK)",
                                Esys_Load(tpm->esys, parent.tr, s.tr, ESYS_TR_NONE, ESYS_TR_NONE,
                                          priv, pub, &ak.tr)));
        }
        GUARD(ae_tpm_rc(tpm, "Esys_TR_GetName", Esys_TR_GetName(tpm->esys, ak.tr, &name)));

        GUARD(ae_tpm_key_new(tpm, AE_TPM_KEY_AK, ak.tr, 0, pub, name, ret));
        ak.tr = ESYS_TR_NONE;
        return 0;
}

/* Make the transient AK persistent at handle; it becomes a persistent key
 * and its transient copy is flushed. */
static int ak_persist(struct ae_tpm *tpm, struct ae_tpm_key *ak, uint32_t handle)
{
        ESYS_TR persistent = ESYS_TR_NONE;

        GUARD(ae_tpm_rc(tpm, "Esys_EvictControl(persist)",
                        Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, ak->tr, ESYS_TR_PASSWORD,
                                          ESYS_TR_NONE, ESYS_TR_NONE, handle, &persistent)));
        /* Not kept (see struct ae_tpm_key). */
        (void)Esys_TR_Close(tpm->esys, &persistent);
        ae_tpm_flush(tpm->esys, ak->tr);
        ak->tr = ESYS_TR_NONE;
        ak->persistent = handle;
        return 0;
}

int ae_tpm_ak_create(struct ae_tpm *tpm, const struct ae_tpm_key *ek, enum ae_tpm_ak_alg alg,
                     uint32_t persistent_handle, struct ae_tpm_key **ret)
{
        _cleanup_tpm_key_ struct ae_tpm_key *ak = NULL;
        bool present = false;

        ENSURE(tpm && ek && ret, -EINVAL);
        ENSURE(alg == AE_TPM_AK_ECC_P256 || alg == AE_TPM_AK_RSA2048,
               ae_tpm_errorf(tpm, -EINVAL, "unknown AK algorithm %d", (int)alg));
        ENSURE(persistent_handle == 0 || (persistent_handle >= AE_TPM_PERSISTENT_OWNER_FIRST &&
                                          persistent_handle <= AE_TPM_PERSISTENT_OWNER_LAST),
               ae_tpm_errorf(tpm, -EINVAL, "0x%08x is not an owner persistent handle",
                             persistent_handle));
        ENSURE(ek->tpm == tpm && ek->kind == AE_TPM_KEY_EK,
               ae_tpm_errorf(tpm, -EINVAL, "the parent given is not an EK of this TPM"));

        if (persistent_handle) {
                GUARD(ae_tpm_persistent_present(tpm, persistent_handle, &present));
                if (present)
                        return ak_reuse(tpm, alg, persistent_handle, ret);
        }

        GUARD(ak_make(tpm, ek, alg, &ak));
        if (persistent_handle)
                GUARD(ak_persist(tpm, ak, persistent_handle));
        *ret = TAKE_PTR(ak);
        return 0;
}
