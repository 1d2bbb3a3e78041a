/* The TPM 2.0 key derivation functions (TPM 2.0 Library Part 1, §11.4.10),
 * which software MakeCredential needs to speak to a real TPM: KDFa derives
 * the credential's AES and HMAC keys from the seed, KDFe turns an ECDH
 * shared secret into the seed for an ECC EK. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

/* Largest output of one derivation. MakeCredential needs at most a SHA-512
 * digest; the bound keeps the counter loop and the stack buffer small. */
#define AE_KDF_OUT_MAX 1024

/* OpenSSL digest for a TPM hash algorithm Aegis accepts for keys and KDFs
 * (SHA-256, SHA-384, SHA-512), or NULL (SHA-1, NULL, anything else). */
const EVP_MD *ae_kdf_md(TPMI_ALG_HASH hash_alg);

/* KDFa: counter-mode KDF with HMAC-hash_alg (SP 800-108):
 *   K(i) = HMAC(key, [i]32 || label || 0x00 || context_u || context_v || [bits]32)
 * for i = 1, 2, ..., the first bits/8 bytes of K(1) || K(2) || ... go to
 * ret_out. label is a C string; its terminating NUL is part of the input, as
 * the TPM hashes it. Contexts may be NULL with length 0.
 * Returns -EINVAL for an unsupported hash, an empty key, bits 0, not a
 * multiple of 8 or above 8 * AE_KDF_OUT_MAX (the TPM's use of partial bytes
 * is not needed here). */
AE_MUST_USE int ae_kdfa(TPMI_ALG_HASH hash_alg, const uint8_t *key, size_t key_len,
                        const char *label, const uint8_t *context_u, size_t u_len,
                        const uint8_t *context_v, size_t v_len, uint32_t bits, uint8_t *ret_out);

/* KDFe: SP 800-56A concatenation KDF with hash_alg:
 *   K(i) = H([i]32 || z || label || 0x00 || party_u || party_v)
 * with the same output, argument and error rules as ae_kdfa (z may not be
 * empty). */
AE_MUST_USE int ae_kdfe(TPMI_ALG_HASH hash_alg, const uint8_t *z, size_t z_len,
                        const char *label, const uint8_t *party_u, size_t u_len,
                        const uint8_t *party_v, size_t v_len, uint32_t bits, uint8_t *ret_out);
