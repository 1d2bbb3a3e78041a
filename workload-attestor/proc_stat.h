/* /proc/<pid>/stat: "pid (comm) state ppid ... flags ... starttime ...".
 * comm is any bytes the process chose (prctl PR_SET_NAME), ')' and spaces
 * included, so the fields are found after the *last* ')'. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

/* PF_KTHREAD in the flags field (include/linux/sched.h). */
#define AE_WL_PF_KTHREAD 0x00200000u

struct ae_wl_stat {
        uint64_t pid;        /* field 1 */
        char state;          /* field 3: R, S, D, Z, X, ... */
        uint64_t flags;      /* field 9: PF_* */
        uint64_t start_time; /* field 22: clock ticks after boot */
};

/* -EBADMSG when the text is not a stat line with at least 22 fields. */
AE_MUST_USE int ae_wl_stat_parse(const char *buf, size_t len, struct ae_wl_stat *ret);

static inline bool ae_wl_stat_is_kthread(const struct ae_wl_stat *s)
{
        return (s->flags & AE_WL_PF_KTHREAD) != 0;
}
