/* Checking a TPM2_Quote in software (DESIGN.md section 4): the AK signed a
 * TPM-generated quote whose qualifying data is the one the server expects,
 * over exactly the requested PCRs, and the reported PCR values hash to the
 * quoted digest. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/verify/attest_reason.h"

struct ae_quote_info {
        TPMS_CLOCK_INFO clock; /* clock, resetCount, restartCount, safe */
        uint64_t firmware_version;
        uint8_t pcr_digest[64]; /* the quoted PCRs' digest, in the quote's hash */
        size_t pcr_digest_len;
};

/* ak is the AK's validated public area and ak_key its key. attest is the
 * TPMS_ATTEST the TPM signed, sig the marshalled TPMT_SIGNATURE. Checks run
 * in this order and the first failure is the reason: structure
 * (QUOTE_MALFORMED), magic and type (QUOTE_NOT_A_QUOTE), signature scheme,
 * signature, qualifying data, PCR selection, PCR values complete, PCR digest.
 * Returns 0 with *ret_reason set (AE_ATTEST_OK: *ret_info filled), or a
 * negative errno for an internal failure. */
AE_MUST_USE int ae_quote_check(const TPM2B_PUBLIC *ak, EVP_PKEY *ak_key, const uint8_t *attest,
                               size_t attest_len, const uint8_t *sig, size_t sig_len,
                               const uint8_t *expected_extra, size_t extra_len,
                               const TPML_PCR_SELECTION *requested,
                               const struct ae_pcr_values *values, struct ae_quote_info *ret_info,
                               enum ae_attest_reason *ret_reason);

/* The AK's signing scheme and hash, from its public area: ECDSA or RSASSA
 * with SHA-256/384/512. -EINVAL for anything else. */
AE_MUST_USE int ae_ak_scheme(const TPM2B_PUBLIC *ak, TPMI_ALG_SIG_SCHEME *ret_scheme,
                             TPMI_ALG_HASH *ret_hash);

/* The EVP digest for a TPM hash algorithm, or NULL. */
const EVP_MD *ae_tpm_hash_md(TPMI_ALG_HASH alg);
