#include "node-attestor/tpm/quote.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

int ae_tpm_quote(struct ae_tpm *tpm, const struct ae_tpm_key *ak, const uint8_t *qualifying,
                 size_t qualifying_len, const TPML_PCR_SELECTION *sel, uint8_t *ret_attest,
                 size_t attest_cap, size_t *ret_attest_len, uint8_t *ret_sig, size_t sig_cap,
                 size_t *ret_sig_len)
{
        _cleanup_esys_tr_ struct ae_esys_tr ak_tr = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_ATTEST *quoted = NULL;
        _cleanup_esys_ TPMT_SIGNATURE *sig = NULL;
        /* The AK's scheme decides: a restricted key signs with nothing else. */
        const TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
        uint8_t sig_buf[sizeof(TPMT_SIGNATURE)];
        TPM2B_DATA extra = { .size = 0 };
        size_t sig_len = 0;
        TSS2_RC rc;

        ENSURE(tpm && ak && sel && ret_attest && ret_attest_len && ret_sig && ret_sig_len,
               -EINVAL);
        ENSURE(qualifying || qualifying_len == 0, -EINVAL);
        ENSURE(qualifying_len <= AE_TPM_QUALIFYING_MAX,
               ae_tpm_errorf(tpm, -EINVAL, "qualifying data of %zu bytes exceeds %d",
                             qualifying_len, AE_TPM_QUALIFYING_MAX));
        ENSURE(sel->count <= TPM2_NUM_PCR_BANKS,
               ae_tpm_errorf(tpm, -EINVAL, "PCR selection has %u banks",
                             (unsigned)sel->count));
        extra.size = (uint16_t)qualifying_len;
        if (qualifying_len)
                memcpy(extra.buffer, qualifying, qualifying_len);

        GUARD(ae_tpm_key_tr(tpm, ak, AE_TPM_KEY_AK, &ak_tr));
        GUARD(ae_tpm_rc(tpm, "Esys_Quote",
                        Esys_Quote(tpm->esys, ak_tr.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                   ESYS_TR_NONE, &extra, &scheme, sel, &quoted, &sig)));

        ENSURE(quoted->size <= sizeof(quoted->attestationData),
               ae_tpm_errorf(tpm, -EPROTO, "Quote returned a malformed TPM2B_ATTEST"));
        rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sig_buf, sizeof(sig_buf), &sig_len);
        GUARD(ae_tpm_rc(tpm, "Tss2_MU_TPMT_SIGNATURE_Marshal", rc));
        ENSURE(quoted->size <= attest_cap,
               ae_tpm_errorf(tpm, -ENOBUFS, "quote of %u bytes exceeds %zu",
                             (unsigned)quoted->size, attest_cap));
        ENSURE(sig_len <= sig_cap, ae_tpm_errorf(tpm, -ENOBUFS,
                                                 "signature of %zu bytes exceeds %zu", sig_len,
                                                 sig_cap));

        memcpy(ret_attest, quoted->attestationData, quoted->size);
        *ret_attest_len = quoted->size;
        memcpy(ret_sig, sig_buf, sig_len);
        *ret_sig_len = sig_len;
        return 0;
}
