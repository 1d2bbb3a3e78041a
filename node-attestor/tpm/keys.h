/* TPM keys of node attestation: the endorsement key (EK), recreated from the
 * TCG default template, and the attestation key (AK), a restricted signing
 * key under it that quotes PCRs and is certified through
 * MakeCredential/ActivateCredential. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "node-attestor/tpm/ek_cert.h"

struct ae_tpm;

enum ae_tpm_ak_alg {
        AE_TPM_AK_ECC_P256, /* ECDSA with SHA-256 */
        AE_TPM_AK_RSA2048,  /* RSASSA-PKCS1-v1_5 with SHA-256 */
        AE_TPM_AK_ALG_COUNT
};

/* The owner hierarchy's persistent range (TPM 2.0 Part 2, 7.5; TCG
 * "Registry of Reserved TPM 2.0 Handles"): where an AK may be kept. */
#define AE_TPM_PERSISTENT_OWNER_FIRST 0x81000000u
#define AE_TPM_PERSISTENT_OWNER_LAST 0x817fffffu

/* Largest TPM2B_PUBLIC / TPM2B_NAME contents a key marshals to. */
#define AE_TPM_PUBLIC_MAX sizeof(TPM2B_PUBLIC)
#define AE_TPM_KEY_NAME_MAX sizeof(TPMU_NAME)

/* A key loaded in (or persisted by) one TPM. Opaque; remembers the struct
 * ae_tpm it belongs to, which must outlive it. */
struct ae_tpm_key;

/* "ECC NIST P-256", "RSA-2048"; "unknown" for an unknown alg. */
const char *ae_tpm_ak_alg_name(enum ae_tpm_ak_alg alg);

/* Create the EK of alg from the TCG EK Credential Profile 2.0 default
 * template (L-1 RSA-2048, L-2 ECC NIST P-256) in the endorsement hierarchy
 * (empty auth). The template is deterministic, so this is the same key every
 * time and the one the manufacturer's EK certificate certifies. The key is a
 * transient object until ae_tpm_key_free(). */
AE_MUST_USE int ae_tpm_ek_create(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg,
                                 struct ae_tpm_key **ret);

/* An AK of alg: a restricted signing key (fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, restricted, sign; SHA-256 name; ECDSA or
 * RSASSA with SHA-256; empty auth) created and loaded under ek.
 *
 * persistent_handle 0: a new transient key every call. Otherwise a handle in
 * AE_TPM_PERSISTENT_OWNER_FIRST..LAST (-EINVAL outside): the AK already kept
 * there is reused if its public area is exactly such an AK of alg; anything
 * else there is refused with -EEXIST (the text says why), never used. An
 * empty handle gets a new AK, made persistent with the owner's (empty)
 * auth. So an agent that restarts keeps its AK. */
AE_MUST_USE int ae_tpm_ak_create(struct ae_tpm *tpm, const struct ae_tpm_key *ek,
                                 enum ae_tpm_ak_alg alg, uint32_t persistent_handle,
                                 struct ae_tpm_key **ret);

/* Remove the persistent object at handle (owner range, owner auth empty),
 * whatever it is: for operators and tests. -ENOENT when nothing is there. */
AE_MUST_USE int ae_tpm_persistent_evict(struct ae_tpm *tpm, uint32_t handle);

/* The key's public area, as the TPM reported it when it was created or
 * first found. */
const TPM2B_PUBLIC *ae_tpm_key_public(const struct ae_tpm_key *key);

/* The persistent handle the key lives at, 0 for a transient key. */
uint32_t ae_tpm_key_persistent_handle(const struct ae_tpm_key *key);

/* The public area in TPM wire form (TPM2B_PUBLIC: size, then TPMT_PUBLIC),
 * the form the attestation payload carries. -ENOBUFS if cap is too small
 * (AE_TPM_PUBLIC_MAX always suffices). */
AE_MUST_USE int ae_tpm_key_public_marshal(const struct ae_tpm_key *key, uint8_t *buf, size_t cap,
                                          size_t *ret_len);

/* The key's name as the TPM reports it (TPM2B_NAME contents: nameAlg, then
 * H(TPMT_PUBLIC)), what MakeCredential binds a credential to. -ENOBUFS if
 * cap is too small (AE_TPM_KEY_NAME_MAX always suffices). */
AE_MUST_USE int ae_tpm_key_name(const struct ae_tpm_key *key, uint8_t *buf, size_t cap,
                                size_t *ret_len);

/* Flush a transient key from the TPM; a persistent one stays in the TPM
 * (ae_tpm_persistent_evict removes it). Accepts NULL. */
void ae_tpm_key_free(struct ae_tpm_key *key);

AE_DEFINE_CLEANUP(struct ae_tpm_key *, ae_tpm_key_free)
#define _cleanup_tpm_key_ _cleanup_(ae_tpm_key_freep)
