/* /proc/<pid>/status (credentials) and /proc/self/fdinfo/<pidfd> (which
 * process a pidfd refers to): "Key:\tvalue" lines. The only field a process
 * controls, Name:, is escaped by the kernel, so it cannot forge a line; a
 * key seen twice is malformed all the same. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

/* More supplementary groups than this is malformed (the kernel's own
 * NGROUPS_MAX; the /proc read limit usually binds first). */
#define AE_WL_GROUPS_MAX 65536

struct ae_wl_status {
        uint32_t uid[4]; /* real, effective, saved, filesystem */
        uint32_t gid[4];
        size_t n_groups;
        uint32_t *groups; /* supplementary groups, in the kernel's order */
};

/* Parse Uid:, Gid: (four ids each) and Groups: (zero or more), each exactly
 * once. -EBADMSG when one is missing, repeated or malformed; -ENOMEM. On
 * success free ret->groups with ae_wl_status_fini(). */
AE_MUST_USE int ae_wl_status_parse(const char *buf, size_t len, struct ae_wl_status *ret);
void ae_wl_status_fini(struct ae_wl_status *s);

/* The Pid: line of a pidfd's fdinfo: the pid in the reader's namespace, -1
 * once the process has been reaped (0 when it lives in a namespace the
 * reader cannot see). -EBADMSG when absent or malformed (not a pidfd). */
AE_MUST_USE int ae_wl_fdinfo_pid(const char *buf, size_t len, int64_t *ret);
