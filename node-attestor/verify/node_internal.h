/* Internal to the node verifier: the state between its two steps and the
 * checks each step is made of, one file each. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/guard.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/attest_reason.h"
#include "node-attestor/verify/ek_cache.h"
#include "node-attestor/verify/ek_san.h"
#include "node-attestor/verify/node_verifier.h"

struct ae_ek_trust;

struct ae_node_verifier {
        const struct ae_policy *policy;
        struct ae_ek_trust *ek_trust; /* NULL when the policy uses no CA */
        struct ek_cache ek_cache;     /* EKs whose chain was accepted */
};

/* What a checked payload established about the node. */
struct node_identity {
        TPM2B_PUBLIC ek;
        EVP_PKEY *ek_key;
        uint8_t ek_id[32];
        bool have_anchor; /* a manufacturer CA vouched for the EK */
        uint8_t anchor_id[32];
        char manufacturer[AE_TPM_MANUFACTURER_SIZE]; /* "" when unknown */
        TPM2B_PUBLIC ak;
        EVP_PKEY *ak_key;
        uint8_t ak_name[2 + 64];
        size_t ak_name_len;
};

struct ae_node_pending {
        bool used;
        struct node_identity id;
        uint8_t secret[AE_ATTEST_SECRET_LEN];
        uint8_t nonce[AE_ATTEST_NONCE_LEN];
        TPML_PCR_SELECTION selection;
        bool location_required;
        uint8_t *sensor; /* the payload's location_sensor, or NULL */
        size_t sensor_len;
        uint8_t *location_claim; /* the accepted response's, for the result */
        size_t location_claim_len;
};

/* EK: public area, certificate, trust per policy. Fills id's EK fields. */
AE_MUST_USE int node_check_ek(struct ae_node_verifier *v, const uint8_t *ek_public,
                              size_t ek_public_len, const uint8_t *cert, size_t cert_len,
                              time_t now, struct node_identity *id,
                              enum ae_attest_reason *ret_reason);

/* AK: public area, attributes, scheme. Fills id's AK fields (the keys are
 * owned by id; freed by node_identity_clear). */
AE_MUST_USE int node_check_ak(const uint8_t *ak_public, size_t ak_public_len,
                              struct node_identity *id, enum ae_attest_reason *ret_reason);

void node_identity_clear(struct node_identity *id);

/* ae_node_challenge with the secret and nonce given instead of drawn from
 * the RNG. For the fuzz targets and the benchmark, which replay one recorded
 * TPM response; never for a real challenge (they must be unpredictable). */
AE_MUST_USE int node_challenge_with(struct ae_node_verifier *v, const uint8_t *payload,
                                    size_t payload_len, time_t now,
                                    const uint8_t secret[AE_ATTEST_SECRET_LEN],
                                    const uint8_t nonce[AE_ATTEST_NONCE_LEN],
                                    uint8_t **ret_challenge, size_t *ret_challenge_len,
                                    struct ae_node_pending **ret_pending,
                                    enum ae_attest_reason *ret_reason);
