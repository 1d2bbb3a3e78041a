/* Replay protection across attestations of one node. The verifier keeps no
 * state: the host stores this per node (e.g. in its datastore) and passes it
 * in and out, so "nothing about a node changes on a failed try" is the
 * host's simple rule: store the new state only after an accepted one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "node-attestor/verify/attest_reason.h"

struct ae_node_replay_state {
        bool known; /* false: first attestation of this node */
        uint64_t clock;
        uint32_t reset_count;
        uint32_t restart_count;
        /* The node's last usable location fix, for plausibility (PoG). */
        bool has_fix;
        double fix_latitude, fix_longitude;
        int64_t fix_time_ms;
};

/* A quote's clock info must move forward: resetCount never decreases; with
 * the same resetCount, restartCount never decreases; with both the same, the
 * clock must have advanced (an equal clock is a replayed quote). After a TPM
 * reset (resetCount grew) the clock is not compared. Returns AE_ATTEST_OK or
 * the reason; writes the new state to *ret_next only on AE_ATTEST_OK. */
enum ae_attest_reason ae_replay_check(const struct ae_node_replay_state *prev,
                                      const TPMS_CLOCK_INFO *now,
                                      struct ae_node_replay_state *ret_next);
