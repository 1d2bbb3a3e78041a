/* Internal to node-attestor/tpm: the authorization the TCG default EK
 * template demands for every use of the EK (it has adminWithPolicy and no
 * userWithAuth): a policy session that has passed PolicySecret with the
 * endorsement hierarchy's (empty) auth. */
#pragma once

#include "common/guard.h"
#include "node-attestor/tpm/key_internal.h"

struct ae_tpm;

/* Start a SHA-256 policy session and satisfy PolicySecret(TPM_RH_ENDORSEMENT)
 * in it. A policy session serves one command, so every use of the EK takes
 * a new one; the caller owns *ret (flushed by its cleanup, on every path).
 * Nothing is left in the TPM on failure. */
AE_MUST_USE int ae_tpm_ek_policy_session(struct ae_tpm *tpm, struct ae_esys_flush *ret);
