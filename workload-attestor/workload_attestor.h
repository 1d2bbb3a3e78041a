/* Workload attestation (DESIGN.md section 5): which program a local process
 * is, as SPIRE "unix" selector values, without races that let one program
 * pass itself off as another.
 *
 * The caller (the agent, at accept time) has a pid from SO_PEERCRED and
 * should also take a pidfd there (pidfd_open, or SO_PEERPIDFD on Linux 6.5+)
 * and pass it: that pins the exact process that connected, so a pid reused
 * before attestation is noticed. Without one the attestor opens its own,
 * which pins whatever process has the pid when attestation starts.
 *
 * What is read, and from where:
 *   - /proc/<pid>/exe is opened once. The sha256 is of that fd's content;
 *     device, inode, size and times come from fstat on it; the path is the
 *     kernel's name for that file (exe_path.h: where it was unlinked or
 *     replaced, no selectors). For a script this is the interpreter
 *     (/usr/bin/python3), never the script: cmdline and comm are written by
 *     the process itself and are never used for identity. Register
 *     interpreted workloads by uid/gid/cgroup/container, or give each one
 *     its own interpreter binary.
 *   - uid/gid are the *effective* ids from /proc/<pid>/status (as SPIRE's
 *     unix attestor: gopsutil's Uids()[1]), supplementary groups its
 *     Groups: line; names from the agent host's NSS (user_names.h).
 *   - cgroup paths and the container id from /proc/<pid>/cgroup.
 *   - fsverity: the kernel's digest, where the file has fs-verity.
 * The process must be the same one throughout: the pidfd still running at
 * the end, and /proc/<pid>/exe still that file (no execve in between); else
 * no selectors and AE_WORKLOAD_PROCESS_CHANGED. Its start time is read once,
 * through a /proc/<pid> opened while the pidfd's process was running: a
 * pidfd alive at the end is that process, so the start time is unchanged
 * without reading it again.
 *
 * Digests are cached by file version (hash_cache.h): a warm attestation
 * costs a few /proc reads and an fstat, not a hash. Thread-safe: one
 * attestor serves concurrent callers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "workload-attestor/workload_reason.h"

struct ae_workload_attestor;

/* The selector type of these values (aegis_exe:uid:1000, ...). The values
 * are those of SPIRE's "unix" attestor: sha256, path, uid, user, gid,
 * group, supplementary_gid and supplementary_group are SPIRE's own; cgroup,
 * container_id and fsverity are Aegis additions. The type has a name of its
 * own because, loaded into SPIRE as a plugin, it sits beside SPIRE's
 * built-in "unix" attestor, whose hash is taken differently. */
#define AE_WORKLOAD_ATTESTOR_TYPE "aegis_exe"

#define AE_WORKLOAD_MAX_EXE_SIZE_DEFAULT (UINT64_C(1) << 30) /* 1 GiB */
#define AE_WORKLOAD_CACHE_ENTRIES_DEFAULT 4096
#define AE_WORKLOAD_CACHE_ENTRIES_MAX (1u << 20)
#define AE_WORKLOAD_CACHE_MIN_AGE_MS_DEFAULT 2000
#define AE_WORKLOAD_NAMES_TTL_MS_DEFAULT 10000
/* Each /proc text file read (stat, status, cgroup) is refused beyond this:
 * a status this long means thousands of supplementary groups. */
#define AE_WORKLOAD_PROC_MAX (64 * 1024)

struct ae_workload_config {
        /* Executables larger than this are refused unhashed. */
        uint64_t max_exe_size;
        /* Digests remembered (LRU); 0 hashes on every call. */
        size_t cache_entries;
        /* A digest is remembered only if the file's ctime was at least this
         * old when hashing began: file systems stamp times at a tick (ext4
         * ~4 ms, some 1-2 s), and two writes within one tick leave the same
         * key. 0 remembers every digest. */
        uint32_t cache_min_age_ms;
        /* How long a uid/gid -> name lookup is reused; 0: every call. */
        uint32_t names_ttl_ms;
};

/* The defaults above. */
void ae_workload_config_default(struct ae_workload_config *ret);

struct ae_workload_result {
        pid_t pid;
        uint64_t start_time; /* clock ticks after boot */
        uid_t uid;           /* effective */
        gid_t gid;           /* effective */
        uint8_t sha256[32];
        bool cache_hit;            /* the digest was not computed by this call */
        const char *path;          /* executable path, as the process sees it */
        char container_id[65];     /* "" when the cgroups show none */
        /* Selector values in SPIRE's order: uid:, user:, gid:, group:,
         * supplementary_gid:/supplementary_group: per group, path:,
         * sha256:, then fsverity:<alg>:<hex>, cgroup:<path> per distinct
         * path, container_id:<id>. Names only where the host has one. */
        size_t n_selectors;
        const char *const *selectors;
};

/* One allocation; NULL-safe. */
void ae_workload_result_free(struct ae_workload_result *r);
AE_DEFINE_CLEANUP(struct ae_workload_result *, ae_workload_result_free)

/* cfg NULL: the defaults. -EINVAL for cache_entries over the maximum or a
 * max_exe_size of 0; -ENOMEM. */
AE_MUST_USE int ae_workload_attestor_new(const struct ae_workload_config *cfg,
                                         struct ae_workload_attestor **ret);
void ae_workload_attestor_free(struct ae_workload_attestor *a);
AE_DEFINE_CLEANUP(struct ae_workload_attestor *, ae_workload_attestor_free)

/* Attest pid; pidfd is the caller's pidfd for it, or -1. Returns 0 with
 * *ret_reason; *ret_result (free with ae_workload_result_free) only when
 * the reason is AE_WORKLOAD_OK. Negative errno: the attestor itself failed
 * (-ENOMEM; -EBADF/-EBADMSG: pidfd is not a pidfd; -EINVAL). */
AE_MUST_USE int ae_workload_attest(struct ae_workload_attestor *a, pid_t pid, int pidfd,
                                   struct ae_workload_result **ret_result,
                                   enum ae_workload_reason *ret_reason);

struct ae_workload_stats {
        uint64_t attestations; /* calls that reached a verdict */
        uint64_t hits;         /* digests from the cache */
        uint64_t shared;       /* digests from a concurrent caller's hash */
        uint64_t hashes;       /* executables hashed */
        uint64_t stored, evictions;
        size_t entries, capacity;
};

void ae_workload_stats(struct ae_workload_attestor *a, struct ae_workload_stats *ret);
