/* TPM2_ActivateCredential: recover the secret a verifier encrypted to this
 * TPM's EK for this AK's name (MakeCredential). Only a TPM that holds both
 * the EK and an object with exactly that name can do it, which is what
 * proves the AK lives next to the EK. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct ae_tpm;
struct ae_tpm_key;

/* credential_blob is a marshalled TPM2B_ID_OBJECT, encrypted_secret a
 * marshalled TPM2B_ENCRYPTED_SECRET, both exactly (-EBADMSG if they do not
 * parse or leave bytes over). The AK is authorized with its (empty) password,
 * the EK with PolicySecret(endorsement). The recovered secret is copied to
 * ret_secret (-ENOBUFS if it exceeds cap; AE_ATTEST_SECRET_MAX always
 * suffices for SHA-256 names); ESAPI's copy is wiped. A credential made for
 * another EK or AK name, or altered, fails in the TPM: TPM_RC_INTEGRITY
 * (-EPROTO), or for a seed that does not decrypt TPM_RC_VALUE (-EINVAL),
 * TPM_RC_ECC_POINT (-EPROTO), or from libtpms 0.9 TPM_RC_FAILURE (-EIO,
 * though the TPM goes on working); the text is in ae_tpm_last_error. */
AE_MUST_USE int ae_tpm_activate_credential(struct ae_tpm *tpm, const struct ae_tpm_key *ak,
                                           const struct ae_tpm_key *ek,
                                           const uint8_t *credential_blob, size_t blob_len,
                                           const uint8_t *encrypted_secret, size_t secret_len,
                                           uint8_t *ret_secret, size_t cap, size_t *ret_len);
