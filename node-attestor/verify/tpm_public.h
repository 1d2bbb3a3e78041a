/* TPM2B_PUBLIC areas from an agent (EK, AK): untrusted TPM wire bytes,
 * checked down to the key, named as the TPM names them and turned into
 * OpenSSL keys. Only what node attestation uses is accepted: RSA
 * 2048/3072/4096 and ECC P-256/P-384 keys named with SHA-256/384/512. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"

/* A name: 2-byte nameAlg and its digest (SHA-512 at most). */
#define AE_TPM_NAME_MAX (2 + 64)

/* Parse buf[0..len) as exactly one marshalled TPM2B_PUBLIC whose size field
 * covers the rest of buf. Accepted: type RSA or ECC; nameAlg SHA-256/384/512;
 * RSA keyBits 2048/3072/4096, an odd modulus of exactly keyBits bits without
 * factors below 752, exponent 0 (meaning 2^16+1) or odd above 1; ECC curve
 * P-256/P-384 with full-size coordinates of a point on the curve. The
 * verdict on given bytes is always the same (no randomised tests).
 * Returns -EMSGSIZE above AE_ATTEST_TPM_PUBLIC_MAX, -EBADMSG for anything
 * else malformed or not accepted. Attributes and schemes are the caller's to
 * judge (EK and AK rules differ). */
AE_MUST_USE int ae_tpm_public_parse(const uint8_t *buf, size_t len, TPM2B_PUBLIC *ret);

/* As ae_tpm_public_parse, also handing over the key it built to check the
 * area (as ae_tpm_public_to_evp would build it), so a caller that needs the
 * key does not build it twice. The caller frees *ret_key. */
AE_MUST_USE int ae_tpm_public_parse_key(const uint8_t *buf, size_t len, TPM2B_PUBLIC *ret,
                                        EVP_PKEY **ret_key);

/* The TPM's name of the object: nameAlg (2 bytes, big-endian) ||
 * H_nameAlg(marshalled TPMT_PUBLIC). -EBADMSG for a public area
 * ae_tpm_public_parse would reject (its structure, not its key), -ENOBUFS
 * when cap is too small (AE_TPM_NAME_MAX always suffices). */
AE_MUST_USE int ae_tpm_public_name(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap,
                                   size_t *ret_len);

/* The public key as an OpenSSL key (RSA n/e, EC uncompressed point on a
 * named curve). -EBADMSG for a public area ae_tpm_public_parse would reject,
 * including a point off the curve. The caller frees *ret. */
AE_MUST_USE int ae_tpm_public_to_evp(const TPM2B_PUBLIC *pub, EVP_PKEY **ret);

/* Whether cert certifies the key of pub (an EK certificate and the EK public
 * area the agent sent): 0 when the keys are equal, -EKEYREJECTED when they
 * differ (other type, curve, modulus or point), -EBADMSG when pub is
 * unusable, -EINVAL when cert has no decodable key. */
AE_MUST_USE int ae_tpm_public_matches_cert(const TPM2B_PUBLIC *pub, const X509 *cert);
