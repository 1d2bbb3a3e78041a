#include "node-attestor/verify/replay.h"

#include <string.h>

enum ae_attest_reason ae_replay_check(const struct ae_node_replay_state *prev,
                                      const TPMS_CLOCK_INFO *now,
                                      struct ae_node_replay_state *ret_next)
{
        if (prev && prev->known) {
                if (now->resetCount < prev->reset_count)
                        return AE_ATTEST_RESET_COUNT_BACKWARDS;
                if (now->resetCount == prev->reset_count) {
                        if (now->restartCount < prev->restart_count)
                                return AE_ATTEST_RESTART_COUNT_BACKWARDS;
                        if (now->restartCount == prev->restart_count && now->clock <= prev->clock)
                                return AE_ATTEST_CLOCK_NOT_ADVANCED;
                }
        }
        /* The location part is carried over; the location check updates it. */
        if (prev)
                *ret_next = *prev;
        else
                memset(ret_next, 0, sizeof(*ret_next));
        ret_next->known = true;
        ret_next->clock = now->clock;
        ret_next->reset_count = now->resetCount;
        ret_next->restart_count = now->restartCount;
        return AE_ATTEST_OK;
}
