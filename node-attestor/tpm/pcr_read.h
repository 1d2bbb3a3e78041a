/* TPM2_PCR_Read of any selection: the TPM answers at most eight digests per
 * command, so this asks until everything selected has been read. */
#pragma once

#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

struct ae_tpm;
struct ae_pcr_values;

/* Read every PCR in sel (banks SHA-1/256/384/512, PCRs 0-23, at least one
 * selected; -EINVAL otherwise) into *ret, which is overwritten on success
 * only. All values come from one PCR state: if the TPM's update counter
 * moves between reads, reading starts over (-EAGAIN after a few tries). A
 * bank or PCR the TPM does not have: -EOPNOTSUPP, naming it in
 * ae_tpm_last_error. A reply that is not a part of what was asked: -EPROTO. */
AE_MUST_USE int ae_tpm_pcr_read(struct ae_tpm *tpm, const TPML_PCR_SELECTION *sel,
                                struct ae_pcr_values *ret);
