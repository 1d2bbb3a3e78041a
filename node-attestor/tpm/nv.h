/* Reading ordinary NV indices: the size from NV_ReadPublic, the data in
 * chunks the TPM accepts. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct ae_tpm;

/* Read all of NV index `index` (an ordinary index) into a malloc'd buffer
 * the caller frees. Authorizes with the owner hierarchy when the index has
 * OWNERREAD, else with the index's own (empty) auth when it has AUTHREAD.
 * Returns -ENOENT when the index is not defined, -ENODATA when it was never
 * written, -EMSGSIZE when its size is 0 or above max, -EACCES when it cannot
 * be read that way, -EPROTO when the TPM describes something else than
 * asked, and ae_tpm_rc() errnos; ae_tpm_last_error() has the text. Leaves
 * no handle behind, in the TPM or in ESAPI. */
AE_MUST_USE int ae_tpm_nv_read(struct ae_tpm *tpm, uint32_t index, size_t max,
                               uint8_t **ret_data, size_t *ret_len);
