/* TEST-ONLY: ae_make_credential with its randomness supplied, for
 * known-answer tests against independent implementations. A fixed seed or
 * ephemeral key makes credentials predictable; production code calls
 * ae_make_credential, which passes NULL for both. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

/* As ae_make_credential, with: rsa_seed (RSA EK; NULL for a random one) of
 * exactly the digest size of the EK's nameAlg; ecc_ephemeral (ECC EK; NULL
 * for a fresh one) a private key on the EK's curve. The RSA encrypted secret
 * stays randomised by OAEP. -EINVAL for a seed of the wrong size or an
 * ephemeral key on another curve. */
AE_MUST_USE int ae_make_credential_seeded(const TPM2B_PUBLIC *ek, const uint8_t *ak_name,
                                          size_t ak_name_len, const uint8_t *secret,
                                          size_t secret_len, const uint8_t *rsa_seed,
                                          size_t rsa_seed_len, EVP_PKEY *ecc_ephemeral,
                                          uint8_t *ret_blob, size_t blob_cap,
                                          size_t *ret_blob_len, uint8_t *ret_enc_secret,
                                          size_t enc_cap, size_t *ret_enc_len);
