/* TPM2_Quote: the AK signs the TPM's report of selected PCRs, bound to the
 * verifier's qualifying data (node attestation step 3). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

struct ae_tpm;
struct ae_tpm_key;

/* Most qualifying data a quote carries (TPM2B_DATA). */
#define AE_TPM_QUALIFYING_MAX 64

/* Quote sel with ak, using the AK's own signing scheme, with qualifying as
 * the quote's extraData (at most AE_TPM_QUALIFYING_MAX bytes, else -EINVAL).
 * ret_attest gets the TPMS_ATTEST bytes exactly as signed (the contents of
 * the TPM2B_ATTEST), ret_sig the marshalled TPMT_SIGNATURE. -ENOBUFS when
 * either buffer is too small (AE_ATTEST_QUOTE_MAX and AE_ATTEST_SIGNATURE_MAX
 * suffice); nothing is written then. */
AE_MUST_USE int ae_tpm_quote(struct ae_tpm *tpm, const struct ae_tpm_key *ak,
                             const uint8_t *qualifying, size_t qualifying_len,
                             const TPML_PCR_SELECTION *sel, uint8_t *ret_attest,
                             size_t attest_cap, size_t *ret_attest_len, uint8_t *ret_sig,
                             size_t sig_cap, size_t *ret_sig_len);
