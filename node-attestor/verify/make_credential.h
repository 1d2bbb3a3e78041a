/* TPM2_MakeCredential in software (TPM 2.0 Library Part 1 §24, Part 3
 * §12.6): the server encrypts a secret to an agent's EK, bound to the name
 * of its AK. Only the TPM holding that EK, with that AK loaded, can recover
 * the secret (TPM2_ActivateCredential), which proves the AK lives beside the
 * EK. The outputs are exactly what a TPM's MakeCredential returns. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

/* Largest outputs, marshalled with their size fields: an ID object holds two
 * SHA-512 sized TPM2Bs; an encrypted secret an RSA-4096 ciphertext. */
#define AE_MAKE_CREDENTIAL_BLOB_MAX (2 + 2 + 64 + 2 + 64)
#define AE_MAKE_CREDENTIAL_ENC_SECRET_MAX (2 + 512)

/* Whether ek can protect a credential, by the EK rules of ae_make_credential
 * below: 0, -EBADMSG for a public area ae_tpm_public_parse would reject,
 * -EKEYREJECTED for a key that is not such a decryption key. A verifier can
 * refuse an EK with a reason before it builds a challenge. */
AE_MUST_USE int ae_make_credential_check_ek(const TPM2B_PUBLIC *ek);

/* As ae_make_credential_check_ek for a public area whose key is already
 * known to build (from ae_tpm_public_parse_key): the attributes and
 * parameters only. -EKEYREJECTED for a key that is not such a decryption
 * key. */
AE_MUST_USE int ae_make_credential_check_ek_shape(const TPM2B_PUBLIC *ek);

/* Encrypt secret[0..secret_len) for the TPM holding ek, bound to ak_name.
 *
 * ek: a public area as from ae_tpm_public_parse, of a restricted decryption
 * key (not a signing key) with scheme NULL and symmetric AES-128 or AES-256
 * in CFB mode, as the TCG EK templates make it. ak_name: a name as from
 * ae_tpm_public_name (nameAlg SHA-256/384/512 and a digest of its size).
 * secret: 1 to digest-size-of-ek-nameAlg bytes.
 *
 * Writes the marshalled TPM2B_ID_OBJECT (credentialBlob) to ret_blob and the
 * marshalled TPM2B_ENCRYPTED_SECRET (secret) to ret_enc_secret. The seed is
 * fresh for every call: RSA-OAEP(nameAlg, label "IDENTITY\0") of a random
 * seed for RSA, an ephemeral ECDH key and KDFe for ECC.
 *
 * Returns -EINVAL for bad arguments (secret or name size), -EBADMSG for a
 * public area ae_tpm_public_parse would reject, -EKEYREJECTED for a key that
 * is not such a decryption key, -ENOBUFS when an output does not fit, -EIO
 * for an internal OpenSSL failure. */
AE_MUST_USE int ae_make_credential(const TPM2B_PUBLIC *ek, const uint8_t *ak_name,
                                   size_t ak_name_len, const uint8_t *secret, size_t secret_len,
                                   uint8_t *ret_blob, size_t blob_cap, size_t *ret_blob_len,
                                   uint8_t *ret_enc_secret, size_t enc_cap, size_t *ret_enc_len);

/* As ae_make_credential, with the EK's key already built from ek (by
 * ae_tpm_public_parse_key or ae_tpm_public_to_evp): a verifier that checked
 * the EK has it, and building it again is a large part of the cost. */
AE_MUST_USE int ae_make_credential_with_key(const TPM2B_PUBLIC *ek, EVP_PKEY *ek_key,
                                            const uint8_t *ak_name, size_t ak_name_len,
                                            const uint8_t *secret, size_t secret_len,
                                            uint8_t *ret_blob, size_t blob_cap,
                                            size_t *ret_blob_len, uint8_t *ret_enc_secret,
                                            size_t enc_cap, size_t *ret_enc_len);
