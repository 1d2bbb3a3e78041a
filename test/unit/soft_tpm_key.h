/* Test helper: software key pairs wrapped as TPM public areas, so the
 * verifier's TPM crypto can be exercised without a TPM and checked against
 * the private half (which a real TPM would never give out). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <tss2/tss2_tpm2_types.h>

/* The TCG default EK template's attributes (fixedTPM, fixedParent,
 * sensitiveDataOrigin, adminWithPolicy, restricted, decrypt). */
#define SOFT_EK_ATTRIBUTES                                                                  \
        (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | \
         TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)

/* Fresh keys; abort on failure (there is nothing to test without them). */
EVP_PKEY *soft_key_rsa(unsigned bits);
EVP_PKEY *soft_key_ec(const char *group);

/* key's public half as an EK-shaped public area: SOFT_EK_ATTRIBUTES,
 * nameAlg name_alg, AES-sym_bits-CFB, scheme (and ECC kdf) NULL, exponent 0
 * for 65537. Aborts on failure. */
void soft_key_ek_public(const EVP_PKEY *key, TPMI_ALG_HASH name_alg, uint16_t sym_bits,
                        TPM2B_PUBLIC *ret);

/* Marshal pub (TPM2B_PUBLIC wire form); returns the length, aborts on
 * failure. The size field is computed, whatever pub->size says. */
size_t soft_public_marshal(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap);

/* Abort with a message unless cond holds: for set-up code outside Check. */
#define SOFT_NEED(cond) soft_need((cond), #cond, __FILE__, __LINE__)
void soft_need(int ok, const char *what, const char *file, int line);
