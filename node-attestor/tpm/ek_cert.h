/* EK certificates as the TPM's manufacturer stored them in NV (TCG EK
 * Credential Profile, "low range" indices). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct ae_tpm;

enum ae_tpm_ek_alg {
        AE_TPM_EK_RSA2048,  /* NV 0x01c00002 */
        AE_TPM_EK_ECC_P256, /* NV 0x01c0000a */
        AE_TPM_EK_ALG_COUNT
};

#define AE_TPM_EK_NV_RSA2048 0x01c00002u
#define AE_TPM_EK_NV_ECC_P256 0x01c0000au

/* Largest EK certificate accepted from NV. Real ones are about 1-1.5 KiB. */
#define AE_TPM_EK_CERT_MAX 4096

/* NV index of alg's certificate, 0 for an unknown alg. */
uint32_t ae_tpm_ek_cert_nv_index(enum ae_tpm_ek_alg alg);

/* "RSA-2048", "ECC NIST P-256"; "unknown" for an unknown alg. */
const char *ae_tpm_ek_alg_name(enum ae_tpm_ek_alg alg);

/* Read alg's EK certificate (DER as stored, not parsed) into a malloc'd
 * buffer the caller frees: ae_tpm_nv_read() of alg's index with limit
 * AE_TPM_EK_CERT_MAX, so -ENOENT means this TPM has no such certificate. */
AE_MUST_USE int ae_tpm_ek_cert_read(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg, uint8_t **ret_der,
                                    size_t *ret_len);
