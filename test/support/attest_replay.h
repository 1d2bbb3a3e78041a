/* Replaying one recorded TPM attestation (payload + response) through the
 * verifier, for the fuzz targets and the benchmark: the response was made
 * for a challenge with the fixed secret and nonce below (node_challenge_with),
 * so the verifier accepts it as often as it is asked. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

#define AE_REPLAY_SECRET_BYTE 0x5a
#define AE_REPLAY_NONCE_BYTE 0xa5

/* The fixed secret and nonce, AE_ATTEST_SECRET_LEN / AE_ATTEST_NONCE_LEN long. */
void attest_replay_fixed(uint8_t *secret, uint8_t *nonce);

/* A policy document that accepts the pair: EK trusted through ca_bundle
 * (NULL: through an allowlist holding exactly this EK), PCRs as requested by
 * quote_pcrs' bank sha256 0-7, one golden set "recorded" equal to the
 * response's PCR values. *ret_json is malloc'd. */
AE_MUST_USE int attest_replay_policy(const uint8_t *payload, size_t payload_len,
                                     const uint8_t *response, size_t response_len,
                                     const char *ca_bundle, char **ret_json);

/* A policy that trusts exactly this payload's EK (allowlist) with a golden
 * set no real TPM matches: enough for the challenge step, which is all a
 * recorder needs before it has a response. *ret_json is malloc'd. */
AE_MUST_USE int attest_replay_challenge_policy(const uint8_t *payload, size_t payload_len,
                                               char **ret_json);

/* The PCR selection every recorded response quotes: sha256 0-7. */
#define AE_REPLAY_QUOTE_PCRS "{\"sha256\":[0,1,2,3,4,5,6,7]}"
