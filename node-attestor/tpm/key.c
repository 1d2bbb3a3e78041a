#include "node-attestor/tpm/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

void ae_tpm_flush(ESYS_CONTEXT *esys, ESYS_TR tr)
{
        /* FlushContext also forgets tr in ESAPI. When the TPM cannot be
         * reached, the object goes with the connection (or the kernel's
         * resource manager flushes it); ESAPI's record must still go. */
        if (Esys_FlushContext(esys, tr) != TSS2_RC_SUCCESS)
                (void)Esys_TR_Close(esys, &tr);
}

int ae_tpm_key_new(struct ae_tpm *tpm, enum ae_tpm_key_kind kind, ESYS_TR tr, uint32_t persistent,
                   const TPM2B_PUBLIC *pub, const TPM2B_NAME *name, struct ae_tpm_key **ret)
{
        struct ae_tpm_key *key;

        key = calloc(1, sizeof(*key));
        ENSURE_ALLOC(key);
        key->tpm = tpm;
        key->kind = kind;
        key->tr = persistent ? ESYS_TR_NONE : tr;
        key->persistent = persistent;
        key->pub = *pub;
        key->name = *name;
        *ret = key;
        return 0;
}

int ae_tpm_key_tr(struct ae_tpm *tpm, const struct ae_tpm_key *key, enum ae_tpm_key_kind kind,
                  struct ae_esys_tr *ret)
{
        _cleanup_esys_tr_ struct ae_esys_tr h = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_NAME *name = NULL;

        ENSURE(tpm && key && ret, -EINVAL);
        ENSURE(key->tpm == tpm,
               ae_tpm_errorf(tpm, -EINVAL, "key belongs to another TPM connection"));
        ENSURE(key->kind == kind,
               ae_tpm_errorf(tpm, -EINVAL, "key is an %s, not an %s",
                             key->kind == AE_TPM_KEY_EK ? "EK" : "AK",
                             kind == AE_TPM_KEY_EK ? "EK" : "AK"));

        if (!key->persistent) {
                *ret = (struct ae_esys_tr){ .esys = NULL, .tr = key->tr };
                return 0;
        }

        h.esys = tpm->esys;
        GUARD(ae_tpm_rc(tpm, "Esys_TR_FromTPMPublic",
                        Esys_TR_FromTPMPublic(tpm->esys, key->persistent, ESYS_TR_NONE,
                                              ESYS_TR_NONE, ESYS_TR_NONE, &h.tr)));
        /* The name is ESAPI's hash of the public area the TPM just reported:
         * equal names mean the same key is still there, not one an operator
         * put in its place since. */
        GUARD(ae_tpm_rc(tpm, "Esys_TR_GetName", Esys_TR_GetName(tpm->esys, h.tr, &name)));
        ENSURE(name->size == key->name.size &&
                       memcmp(name->name, key->name.name, name->size) == 0,
               ae_tpm_errorf(tpm, -ESTALE,
                             "persistent handle 0x%08x no longer holds the key it held",
                             key->persistent));

        *ret = h;
        h.esys = NULL;
        return 0;
}

const TPM2B_PUBLIC *ae_tpm_key_public(const struct ae_tpm_key *key)
{
        return key ? &key->pub : NULL;
}

uint32_t ae_tpm_key_persistent_handle(const struct ae_tpm_key *key)
{
        return key ? key->persistent : 0;
}

int ae_tpm_key_public_marshal(const struct ae_tpm_key *key, uint8_t *buf, size_t cap,
                              size_t *ret_len)
{
        size_t off = 0;
        TSS2_RC rc;

        ENSURE(key && buf && ret_len, -EINVAL);
        rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&key->pub, buf, cap, &off);
        ENSURE(rc != TSS2_MU_RC_INSUFFICIENT_BUFFER,
               ae_tpm_errorf(key->tpm, -ENOBUFS, "public area does not fit in %zu bytes", cap));
        GUARD(ae_tpm_rc(key->tpm, "Tss2_MU_TPM2B_PUBLIC_Marshal", rc));
        *ret_len = off;
        return 0;
}

int ae_tpm_key_name(const struct ae_tpm_key *key, uint8_t *buf, size_t cap, size_t *ret_len)
{
        ENSURE(key && buf && ret_len, -EINVAL);
        ENSURE(key->name.size <= sizeof(key->name.name), -EINVAL);
        ENSURE(key->name.size <= cap, -ENOBUFS);
        memcpy(buf, key->name.name, key->name.size);
        *ret_len = key->name.size;
        return 0;
}

void ae_tpm_key_free(struct ae_tpm_key *key)
{
        if (!key)
                return;
        if (!key->persistent && key->tr != ESYS_TR_NONE)
                ae_tpm_flush(key->tpm->esys, key->tr);
        free(key);
}
