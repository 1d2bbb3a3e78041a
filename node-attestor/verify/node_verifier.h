/* Server side of TPM node attestation as two transport-free steps
 * (DESIGN.md sections 2 and 4):
 *
 *   agent payload   -> ae_node_challenge() -> challenge bytes + pending state
 *   agent response  -> ae_node_verify()    -> result (SPIFFE ID, selectors)
 *
 * Hosts (aegis-server, the SPIRE plugin, `aegis attest`) move the bytes; this
 * module decides. It keeps no per-node state: replay state goes in and out,
 * and the host stores the new one only after an accepted attestation. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "common/spiffe_id.h"
#include "node-attestor/verify/attest_reason.h"
#include "node-attestor/verify/location_check.h"
#include "node-attestor/verify/replay.h"

struct ae_policy;
struct ae_node_verifier;
struct ae_node_pending;

#define AE_NODE_SELECTORS_MAX (8 + AE_LOCATION_ZONES_MAX)
#define AE_NODE_SELECTOR_MAX 128
/* SPIRE's attestor type for Aegis' TPM node attestation. */
#define AE_NODE_ATTESTOR_TYPE "aegis_tpm"

struct ae_node_result {
        char spiffe_id[AE_SPIFFE_ID_MAX];
        uint8_t ek_id[32]; /* sha256 of the EK SubjectPublicKeyInfo DER */
        /* SPIRE-form selector values of type AE_NODE_ATTESTOR_TYPE:
         * ek_hash:<hex>, ek_ca:<hex> (when a manufacturer CA vouched),
         * tpm_manufacturer:<id> (from the EK certificate), pcr_policy:<name>,
         * level:por|pog, geo_zone:<name> for each zone the fix lies in */
        size_t n_selectors;
        char selectors[AE_NODE_SELECTORS_MAX][AE_NODE_SELECTOR_MAX];
        char pcr_policy[65];
        enum ae_attest_level level;
        enum ae_attest_reason por_reason; /* why PoR and not PoG; OK for PoG */
        size_t n_zones;
        char zones[AE_LOCATION_ZONES_MAX][65];
        /* The fix's coordinates, only where the policy shares them. */
        bool has_coordinates;
        double latitude, longitude;
        struct ae_node_replay_state state; /* store this for the next attestation */
        /* What an SVID's attestation claims say about the node: the AK's TPM
         * name, the quoted PCR digest, when the verifier accepted the node,
         * and the fix the quote covered (its sensor and time; has_fix false
         * without a usable fix). */
        uint8_t ak_name[2 + 64];
        size_t ak_name_len;
        uint8_t pcr_digest[64];
        size_t pcr_digest_len;
        time_t attested_at;
        bool has_fix;
        int64_t fix_time_ms;
        struct ae_sensor_id sensor;
        /* The location claim the quote covers (empty without one); points into
         * the pending state, valid until it is freed. */
        const uint8_t *location_claim;
        size_t location_claim_len;
};

/* A verifier for one policy (borrowed; must outlive the verifier). Loads the
 * EK CA bundle the policy names: -ENOENT, -EBADMSG, ... when it cannot. */
AE_MUST_USE int ae_node_verifier_new(const struct ae_policy *policy,
                                     struct ae_node_verifier **ret);
void ae_node_verifier_free(struct ae_node_verifier *v);
AE_DEFINE_CLEANUP(struct ae_node_verifier *, ae_node_verifier_free)

/* Step 1: check the agent's payload (EK identity and trust, AK properties)
 * at time now and answer with a challenge: a credential only the TPM holding
 * that EK can activate for that AK, a fresh nonce and the PCRs to quote.
 * Returns 0 with *ret_reason; only on AE_ATTEST_OK are *ret_challenge
 * (malloc'd, caller frees) and *ret_pending set. Negative errno: internal
 * failure. */
AE_MUST_USE int ae_node_challenge(struct ae_node_verifier *v, const uint8_t *payload,
                                  size_t payload_len, time_t now, uint8_t **ret_challenge,
                                  size_t *ret_challenge_len, struct ae_node_pending **ret_pending,
                                  enum ae_attest_reason *ret_reason);

/* Step 2: check the agent's response to the pending challenge. A pending
 * challenge takes one answer: a second call reports AE_ATTEST_CHALLENGE_USED.
 * prev is the node's stored replay state (NULL or !known for a first
 * attestation); now judges the location fix's freshness. Returns 0 with
 * *ret_reason; *ret_result only on OK. */
AE_MUST_USE int ae_node_verify(struct ae_node_verifier *v, struct ae_node_pending *pending,
                               const uint8_t *response, size_t response_len,
                               const struct ae_node_replay_state *prev, time_t now,
                               struct ae_node_result *ret_result,
                               enum ae_attest_reason *ret_reason);

/* The EK identity (sha256 of its SubjectPublicKeyInfo DER) the challenge
 * was made for, so the host can load that node's replay state before
 * ae_node_verify. */
void ae_node_pending_ek_id(const struct ae_node_pending *p, uint8_t ret[32]);

/* Wipes the secret it holds. NULL-safe. */
void ae_node_pending_free(struct ae_node_pending *p);
AE_DEFINE_CLEANUP(struct ae_node_pending *, ae_node_pending_free)
