/* The quote's qualifying data (DESIGN.md section 2), computed the same way by
 * the agent (to ask the TPM) and the verifier (to check the TPM's answer):
 *
 *   SHA-256("aegis-quote-v1" || nonce || SHA-256(location_claim))
 *
 * Binding the claim's hash into the quote means a location claim edited after
 * the quote no longer verifies. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "node-attestor/attest_limits.h"

#define AE_QUALIFYING_DATA_LEN 32

AE_MUST_USE int ae_attest_qualifying_data(const uint8_t nonce[AE_ATTEST_NONCE_LEN],
                                          const uint8_t *location_claim, size_t claim_len,
                                          uint8_t ret[AE_QUALIFYING_DATA_LEN]);
