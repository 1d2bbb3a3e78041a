/* PCR selections and values, shared by the agent (which reads them from the
 * TPM) and the verifier (which checks them against the quote and policy).
 * Plain data; selections travel as marshalled TPML_PCR_SELECTION. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"
#include "node-attestor/attest_limits.h"

/* PC Client TPMs have 24 PCRs per bank. */
#define AE_PCR_COUNT 24
#define AE_PCR_DIGEST_MAX 64

struct ae_pcr_value {
        TPMI_ALG_HASH bank;
        uint8_t index;
        uint8_t size; /* the bank's digest size */
        uint8_t digest[AE_PCR_DIGEST_MAX];
};

struct ae_pcr_values {
        size_t count;
        struct ae_pcr_value v[AE_ATTEST_PCR_VALUES_MAX];
};

/* Digest size of a PCR bank's hash (SHA-1, SHA-256, SHA-384, SHA-512), or 0
 * for a bank Aegis does not support. */
size_t ae_pcr_bank_digest_size(TPMI_ALG_HASH bank);
const char *ae_pcr_bank_name(TPMI_ALG_HASH bank);
/* "sha1", "sha256", "sha384", "sha512" -> TPM_ALG_ID; else -EINVAL. */
AE_MUST_USE int ae_pcr_bank_parse(const char *name, TPMI_ALG_HASH *ret);

/* Add PCR index of bank to sel (creating the bank's entry, at most
 * TPM2_NUM_PCR_BANKS). -EINVAL for an unsupported bank or index >= 24. */
AE_MUST_USE int ae_pcr_selection_add(TPML_PCR_SELECTION *sel, TPMI_ALG_HASH bank,
                                     unsigned index);
bool ae_pcr_selection_has(const TPML_PCR_SELECTION *sel, TPMI_ALG_HASH bank, unsigned index);
/* Number of PCRs selected across all banks. */
size_t ae_pcr_selection_count(const TPML_PCR_SELECTION *sel);
/* Same banks in the same order with the same PCRs (as a TPM compares them). */
bool ae_pcr_selection_equal(const TPML_PCR_SELECTION *a, const TPML_PCR_SELECTION *b);

/* TPML_PCR_SELECTION <-> TPM wire bytes. Parsing is strict: the bytes must
 * be consumed exactly, every bank supported, sizeofSelect 3, no bank twice,
 * at least one PCR selected. -EBADMSG otherwise. */
AE_MUST_USE int ae_pcr_selection_marshal(const TPML_PCR_SELECTION *sel, uint8_t *buf,
                                         size_t cap, size_t *ret_len);
AE_MUST_USE int ae_pcr_selection_unmarshal(const uint8_t *buf, size_t len,
                                           TPML_PCR_SELECTION *ret);

/* The PCR digest a TPM2_Quote reports for sel: hash_alg over the values of
 * every selected PCR, bank by bank in selection order, each bank in
 * ascending PCR order (TPM 2.0 Part 1, 18.5.2). -ENOENT when a selected PCR
 * has no value; *ret_used (optional) counts the values that went in, so a
 * caller can tell whether vals held more than sel asks for. */
AE_MUST_USE int ae_pcr_digest(const TPML_PCR_SELECTION *sel, const struct ae_pcr_values *vals,
                              TPMI_ALG_HASH hash_alg, uint8_t *out, size_t cap,
                              size_t *ret_len, size_t *ret_used);

/* The value of PCR index in bank, or NULL. */
const struct ae_pcr_value *ae_pcr_values_find(const struct ae_pcr_values *vals,
                                              TPMI_ALG_HASH bank, unsigned index);
/* Append a value (-ENOBUFS when full, -EINVAL for a bad bank/index/size,
 * -EEXIST when bank/index is already present). */
AE_MUST_USE int ae_pcr_values_add(struct ae_pcr_values *vals, TPMI_ALG_HASH bank,
                                  unsigned index, const uint8_t *digest, size_t size);
