/* Proof of Geofencing: what the verifier makes of the location claim that
 * the quote covers (DESIGN.md section 4, "Location"). Checks, in order:
 *
 *   the claim decodes (else refused: location_malformed) and names the
 *   sensor the payload named (else refused: location_sensor_mismatch);
 *   sensor on the allowlist, fix fresh (not older than max_age_s, not ahead
 *   by more than max_future_s), mode, accuracy -> else PoR with the reason;
 *   plausible against the node's last usable fix: the implied ground speed
 *   (great-circle distance / elapsed time, at least one second) at most
 *   max_speed_mps -> else refused: location_implausible;
 *   inside one or more zones -> PoG with their names, else PoR
 *   (location_outside_zones).
 *
 * Where the policy requires PoG, any PoR outcome refuses the node with its
 * reason. Without a location section in the policy every node is PoR and
 * the claim (still bound by the quote) is not read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"
#include "node-attestor/location_claim.h"
#include "node-attestor/verify/attest_reason.h"
#include "node-attestor/verify/replay.h"

struct ae_policy;

#define AE_LOCATION_ZONES_MAX 32

enum ae_attest_level {
        AE_LEVEL_POR,
        AE_LEVEL_POG,
};

struct ae_location_outcome {
        enum ae_attest_level level;
        enum ae_attest_reason por_reason; /* why not PoG; AE_ATTEST_OK for PoG */
        size_t n_zones;
        const char *zones[AE_LOCATION_ZONES_MAX]; /* the policy's zone names */
        bool has_fix; /* the claim decoded and passed the quality checks */
        struct ae_location_claim claim;
};

/* sensor / sensor_len: the payload's location_sensor (may be empty); claim /
 * claim_len: the quoted claim (may be empty). prev: the node's state (its
 * last usable fix); on AE_ATTEST_OK the fix to remember goes to
 * *next (fix fields only). Returns 0 with *ret_reason: AE_ATTEST_OK and
 * *ret (PoG or PoR with its reason), or the reason the node is refused. */
AE_MUST_USE int ae_location_check(const struct ae_policy *policy, const uint8_t *sensor,
                                  size_t sensor_len, const uint8_t *claim, size_t claim_len,
                                  time_t now, const struct ae_node_replay_state *prev,
                                  struct ae_node_replay_state *next,
                                  struct ae_location_outcome *ret,
                                  enum ae_attest_reason *ret_reason);

const char *ae_attest_level_name(enum ae_attest_level level);
