#include "workload-attestor/workload_attestor.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "workload-attestor/exe_hash.h"
#include "workload-attestor/exe_path.h"
#include "workload-attestor/fsverity.h"
#include "workload-attestor/hash_cache.h"
#include "workload-attestor/pidfd.h"
#include "workload-attestor/proc_cgroup.h"
#include "workload-attestor/proc_stat.h"
#include "workload-attestor/proc_status.h"
#include "workload-attestor/selectors.h"
#include "workload-attestor/user_names.h"
#include "workload-attestor/workload_internal.h"

/* /proc/<pid>/stat is one line of about 300 bytes (comm is at most 64). */
#define STAT_MAX 4096

struct ae_workload_attestor {
        struct ae_workload_config cfg;
        struct ae_wl_hash_cache *cache;
        struct ae_wl_names *names;
        uint64_t attestations; /* __atomic */
        ae_wl_hook_fn hook;
        void *hook_ctx;
};

/* One attestation's open handles and findings. */
struct attempt {
        struct ae_workload_attestor *a;
        pid_t pid;
        int pidfd; /* the caller's, or own_pidfd */
        int own_pidfd, proc_fd, exe_fd;
        struct ae_wl_stat stat;
        struct stat exe_st;
        char path[PATH_MAX];
        struct ae_wl_status status;
        char *cgroup_text;
        size_t cgroup_len;
        struct ae_wl_cgroups cgroups;
        uint8_t sha256[32];
        bool cache_hit, has_verity;
        struct ae_wl_fsverity verity;
};

static void attempt_fini(struct attempt *t)
{
        closep(&t->own_pidfd);
        closep(&t->proc_fd);
        closep(&t->exe_fd);
        ae_wl_status_fini(&t->status);
        free(t->cgroup_text);
}

void ae_workload_config_default(struct ae_workload_config *ret)
{
        ret->max_exe_size = AE_WORKLOAD_MAX_EXE_SIZE_DEFAULT;
        ret->cache_entries = AE_WORKLOAD_CACHE_ENTRIES_DEFAULT;
        ret->cache_min_age_ms = AE_WORKLOAD_CACHE_MIN_AGE_MS_DEFAULT;
        ret->names_ttl_ms = AE_WORKLOAD_NAMES_TTL_MS_DEFAULT;
}

int ae_workload_attestor_new(const struct ae_workload_config *cfg,
                             struct ae_workload_attestor **ret)
{
        struct ae_workload_attestor *a;
        struct ae_workload_config def;
        int r;

        ENSURE(ret, -EINVAL);
        if (!cfg) {
                ae_workload_config_default(&def);
                cfg = &def;
        }
        ENSURE(cfg->max_exe_size > 0 && cfg->max_exe_size <= INT64_MAX, -EINVAL);
        ENSURE(cfg->cache_entries <= AE_WORKLOAD_CACHE_ENTRIES_MAX, -EINVAL);
        a = calloc(1, sizeof(*a));
        ENSURE_ALLOC(a);
        a->cfg = *cfg;
        r = ae_wl_hash_cache_new(cfg->cache_entries, &a->cache);
        if (r >= 0)
                r = ae_wl_names_new(cfg->names_ttl_ms, &a->names);
        if (r < 0) {
                ae_workload_attestor_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

void ae_workload_attestor_free(struct ae_workload_attestor *a)
{
        if (!a)
                return;
        ae_wl_hash_cache_free(a->cache);
        ae_wl_names_free(a->names);
        free(a);
}

void ae_workload_result_free(struct ae_workload_result *r)
{
        free(r);
}

void ae_wl_set_test_hook(struct ae_workload_attestor *a, ae_wl_hook_fn fn, void *ctx)
{
        a->hook = fn;
        a->hook_ctx = ctx;
}

void ae_workload_stats(struct ae_workload_attestor *a, struct ae_workload_stats *ret)
{
        struct ae_wl_cache_stats cs;

        ae_wl_hash_cache_stats(a->cache, &cs);
        memset(ret, 0, sizeof(*ret));
        ret->attestations = __atomic_load_n(&a->attestations, __ATOMIC_RELAXED);
        ret->hits = cs.hits;
        ret->shared = cs.shared;
        ret->hashes = cs.misses;
        ret->stored = cs.stored;
        ret->evictions = cs.evictions;
        ret->entries = cs.entries;
        ret->capacity = cs.capacity;
}

static void hook(struct attempt *t, enum ae_wl_stage stage)
{
        if (t->a->hook)
                t->a->hook(stage, t->pid, t->a->hook_ctx);
}

/* A /proc access failed. If the process has exited since it was pinned,
 * that is why; otherwise the entry itself is the problem. */
static enum ae_workload_reason unreadable(const struct attempt *t)
{
        return ae_wl_pidfd_alive(t->pidfd) == 0 ? AE_WORKLOAD_PROCESS_CHANGED
                                                : AE_WORKLOAD_PROC_UNREADABLE;
}

/* /proc/<pid>/{stat,status,cgroup} are single_open seq_files: the kernel
 * formats the whole text and the first read from offset 0 hands over all
 * of it that fits. So one pread per file, and a read that fills the buffer
 * means the text is over its limit. */
static int read_once(int fd, char *buf, size_t size, size_t *ret_len)
{
        ssize_t n;

        do
                n = pread(fd, buf, size, 0);
        while (n < 0 && errno == EINTR);
        ENSURE(n >= 0, -errno);
        ENSURE((size_t)n < size, -EFBIG);
        *ret_len = (size_t)n;
        return 0;
}

static int read_stat(int stat_fd, struct ae_wl_stat *ret)
{
        char buf[STAT_MAX];
        size_t len;

        GUARD(read_once(stat_fd, buf, sizeof(buf), &len));
        return ae_wl_stat_parse(buf, len, ret);
}

/* The text of /proc/<pid>/<name>, at most AE_WORKLOAD_PROC_MAX bytes, in a
 * buffer the caller frees. */
static int read_proc_text(int proc_fd, const char *name, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = openat(proc_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;

        ENSURE(fd >= 0, -errno);
        buf = malloc(AE_WORKLOAD_PROC_MAX + 1);
        ENSURE_ALLOC(buf);
        GUARD(read_once(fd, buf, AE_WORKLOAD_PROC_MAX + 1, ret_len));
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Whatever now has the pid, when the caller's pidfd says its process has
 * exited: a live process there means the pid was reused. */
static enum ae_workload_reason gone_or_reused(pid_t pid)
{
        char path[64], buf[STAT_MAX];
        _cleanup_close_ int fd = -1;
        struct ae_wl_stat st;
        size_t len;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && read_once(fd, buf, sizeof(buf), &len) == 0 &&
            ae_wl_stat_parse(buf, len, &st) == 0 && st.state != 'Z' && st.state != 'X')
                return AE_WORKLOAD_PROCESS_CHANGED;
        return AE_WORKLOAD_PROCESS_GONE;
}

/* Step 1: pin the process, read its start time, confirm it is still the
 * pinned one (so the stat read was of it, not of a successor). */
static int pin(struct attempt *t, int caller_pidfd, enum ae_workload_reason *ret)
{
        _cleanup_close_ int stat_fd = -1;
        char path[64];
        int r;

        if (caller_pidfd < 0) {
                r = ae_wl_pidfd_open(t->pid, &t->own_pidfd);
                if (r == -ESRCH)
                        return *ret = AE_WORKLOAD_PROCESS_GONE, 0;
                GUARD(r);
                t->pidfd = t->own_pidfd;
        } else {
                int64_t fpid;

                t->pidfd = caller_pidfd;
                GUARD(ae_wl_pidfd_pid(caller_pidfd, &fpid));
                if (fpid == -1) /* reaped */
                        return *ret = gone_or_reused(t->pid), 0;
                /* A process, but not the one with this pid. */
                if (fpid != t->pid)
                        return *ret = AE_WORKLOAD_PROCESS_CHANGED, 0;
        }
        r = ae_wl_pidfd_alive(t->pidfd);
        GUARD(r);
        if (r == 0) /* a zombie, or exited since */
                return *ret = caller_pidfd < 0 ? AE_WORKLOAD_PROCESS_GONE
                                               : gone_or_reused(t->pid),
                       0;

        snprintf(path, sizeof(path), "/proc/%d", (int)t->pid);
        t->proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->proc_fd >= 0)
                stat_fd = openat(t->proc_fd, "stat", O_RDONLY | O_CLOEXEC);
        if (stat_fd < 0 || read_stat(stat_fd, &t->stat) < 0 ||
            t->stat.pid != (uint64_t)t->pid)
                return *ret = unreadable(t), 0;
        r = ae_wl_pidfd_alive(t->pidfd);
        GUARD(r);
        if (r == 0)
                return *ret = AE_WORKLOAD_PROCESS_CHANGED, 0;
        if (ae_wl_stat_is_kthread(&t->stat))
                return *ret = AE_WORKLOAD_KERNEL_THREAD, 0;
        *ret = AE_WORKLOAD_OK;
        return 0;
}

/* Step 2: open the executable once; its path and whether that path still
 * holds it; the size limit; credentials and cgroups. */
static int inspect(struct attempt *t, enum ae_workload_reason *ret)
{
        enum ae_wl_exe_state state;
        _cleanup_free_ char *status = NULL;
        size_t status_len;
        int r;

        t->exe_fd = openat(t->proc_fd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (t->exe_fd < 0 || fstat(t->exe_fd, &t->exe_st) != 0)
                return *ret = unreadable(t), 0;
        if (!S_ISREG(t->exe_st.st_mode))
                return *ret = AE_WORKLOAD_PROC_UNREADABLE, 0;
        r = ae_wl_exe_path(&t->exe_st, t->proc_fd, t->path, sizeof(t->path), &state);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return *ret = unreadable(t), 0;
        if (state == AE_WL_EXE_DELETED)
                return *ret = AE_WORKLOAD_EXE_DELETED, 0;
        if (state == AE_WL_EXE_REPLACED)
                return *ret = AE_WORKLOAD_EXE_REPLACED, 0;
        if ((uint64_t)t->exe_st.st_size > t->a->cfg.max_exe_size)
                return *ret = AE_WORKLOAD_EXE_TOO_LARGE, 0;

        r = read_proc_text(t->proc_fd, "status", &status, &status_len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return *ret = unreadable(t), 0;
        r = ae_wl_status_parse(status, status_len, &t->status);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return *ret = unreadable(t), 0;
        r = read_proc_text(t->proc_fd, "cgroup", &t->cgroup_text, &t->cgroup_len);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || ae_wl_cgroup_parse(t->cgroup_text, t->cgroup_len, &t->cgroups) < 0)
                return *ret = unreadable(t), 0;
        *ret = AE_WORKLOAD_OK;
        return 0;
}

static int64_t ts_ns(const struct timespec *ts)
{
        /* Saturating: a file time far outside 1678..2262 just never settles. */
        if (ts->tv_sec > INT64_MAX / 1000000000 - 1)
                return INT64_MAX;
        if (ts->tv_sec < INT64_MIN / 1000000000 + 1)
                return INT64_MIN;
        return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Whether a digest of this file version may be remembered: its last
 * change must predate the hash by the settle time. */
static bool settled(const struct attempt *t, const struct timespec *before_hash)
{
        int64_t age_ns = (int64_t)t->a->cfg.cache_min_age_ms * 1000000;
        int64_t ctime = ts_ns(&t->exe_st.st_ctim), now = ts_ns(before_hash);

        if (!age_ns)
                return true;
        return ctime != INT64_MAX && ctime <= now - age_ns;
}

/* Step 3: the digest, from the cache or by hashing the open fd. */
static int digest(struct attempt *t, enum ae_workload_reason *ret)
{
        struct ae_wl_file_key key;
        struct timespec now;
        uint8_t md[32];
        int ticket, r;

        ae_wl_file_key_from_stat(&t->exe_st, &key);
        /* Verity is optional extra evidence: no digest, no selector. It is
         * one ioctl, asked every time, hit or miss. */
        t->has_verity = ae_wl_fsverity_measure(t->exe_fd, &t->verity) == 1;
        r = ae_wl_hash_cache_begin(t->a->cache, &key, t->sha256, &ticket);
        if (r == 1) {
                t->cache_hit = true;
                return *ret = AE_WORKLOAD_OK, 0;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        r = ae_wl_exe_hash(t->exe_fd, &t->exe_st, md);
        ae_wl_hash_cache_end(t->a->cache, ticket, &key, r == 0 ? md : NULL,
                             r == 0 && settled(t, &now));
        if (r == -ENOMEM)
                return r;
        if (r == -ESTALE)
                return *ret = AE_WORKLOAD_EXE_MODIFIED, 0;
        if (r < 0)
                return *ret = AE_WORKLOAD_HASH_FAILED, 0;
        memcpy(t->sha256, md, sizeof(md));
        *ret = AE_WORKLOAD_OK;
        return 0;
}

/* Step 4: still the same process running the same file? The pidfd
 * answers the first: alive now, it is the process pinned in step 1, whose
 * start time was read through a /proc/<pid> opened while it was alive, so
 * the start time is its own and cannot have changed. Reading stat again
 * (about 4 us of kernel text) would only say so once more. */
static int recheck(struct attempt *t, enum ae_workload_reason *ret)
{
        struct stat exe_now;
        int r;

        /* An execve() in between points exe at another file. */
        if (fstatat(t->proc_fd, "exe", &exe_now, 0) != 0 || exe_now.st_dev != t->exe_st.st_dev ||
            exe_now.st_ino != t->exe_st.st_ino)
                return *ret = AE_WORKLOAD_PROCESS_CHANGED, 0;
        r = ae_wl_pidfd_alive(t->pidfd);
        GUARD(r);
        *ret = r ? AE_WORKLOAD_OK : AE_WORKLOAD_PROCESS_CHANGED;
        return 0;
}

static int add_name(struct attempt *t, struct ae_wl_selectors *s, const char *type,
                    enum ae_wl_name_kind kind, uint32_t id)
{
        char name[AE_WL_NAME_MAX];
        int r = ae_wl_name_lookup(t->a->names, kind, id, name);

        if (r == -ENOMEM)
                return r;
        /* NSS unavailable is "no name", as SPIRE treats a failed lookup. */
        if (r != 1)
                return 0;
        return ae_wl_sel_add(s, type, name, strlen(name));
}

static int build(struct attempt *t, struct ae_workload_result **ret)
{
        _cleanup_(ae_wl_sel_fini) struct ae_wl_selectors s = { 0 };
        struct ae_workload_result tmpl = { 0 };
        char hex[AE_HEX_SIZE(32)], verity[AE_WL_FSVERITY_TEXT_MAX];
        uint32_t uid = t->status.uid[1], gid = t->status.gid[1];
        bool have_id = false, ambiguous = false;

        GUARD(ae_wl_sel_add_u32(&s, "uid", uid));
        GUARD(add_name(t, &s, "user", AE_WL_NAME_USER, uid));
        GUARD(ae_wl_sel_add_u32(&s, "gid", gid));
        GUARD(add_name(t, &s, "group", AE_WL_NAME_GROUP, gid));
        for (size_t i = 0; i < t->status.n_groups; i++) {
                GUARD(ae_wl_sel_add_u32(&s, "supplementary_gid", t->status.groups[i]));
                GUARD(add_name(t, &s, "supplementary_group", AE_WL_NAME_GROUP,
                               t->status.groups[i]));
        }
        GUARD(ae_wl_sel_add(&s, "path", t->path, strlen(t->path)));
        GUARD(ae_hex_encode(t->sha256, sizeof(t->sha256), hex, sizeof(hex)));
        GUARD(ae_wl_sel_add(&s, "sha256", hex, strlen(hex)));
        if (t->has_verity && ae_wl_fsverity_format(&t->verity, verity, sizeof(verity)) == 0)
                GUARD(ae_wl_sel_add(&s, "fsverity", verity, strlen(verity)));

        for (size_t i = 0; i < t->cgroups.n; i++) {
                struct ae_wl_span p = t->cgroups.lines[i].path;

                if (!ae_wl_sel_has(&s, "cgroup", p.p, p.len))
                        GUARD(ae_wl_sel_add(&s, "cgroup", p.p, p.len));
        }
        /* One container id, or none when the hierarchies disagree. */
        for (size_t i = 0; i < t->cgroups.n; i++) {
                char id[AE_WL_CONTAINER_ID_LEN + 1];

                if (!ae_wl_container_id(t->cgroups.lines[i].path, id))
                        continue;
                if (!have_id)
                        memcpy(tmpl.container_id, id, sizeof(id));
                else if (strcmp(id, tmpl.container_id) != 0)
                        ambiguous = true;
                have_id = true;
        }
        if (have_id && !ambiguous)
                GUARD(ae_wl_sel_add(&s, "container_id", tmpl.container_id,
                                    strlen(tmpl.container_id)));
        else
                tmpl.container_id[0] = '\0';

        tmpl.pid = t->pid;
        tmpl.start_time = t->stat.start_time;
        tmpl.uid = (uid_t)uid;
        tmpl.gid = (gid_t)gid;
        memcpy(tmpl.sha256, t->sha256, sizeof(tmpl.sha256));
        tmpl.cache_hit = t->cache_hit;
        return ae_wl_sel_pack(&s, &tmpl, ret);
}

int ae_workload_attest(struct ae_workload_attestor *a, pid_t pid, int pidfd,
                       struct ae_workload_result **ret_result,
                       enum ae_workload_reason *ret_reason)
{
        _cleanup_(attempt_fini) struct attempt t = {
                .a = a, .pid = pid, .pidfd = -1,
                .own_pidfd = -1, .proc_fd = -1, .exe_fd = -1,
        };
        enum ae_workload_reason reason;

        ENSURE(a && pid > 0 && ret_result && ret_reason, -EINVAL);
        GUARD(pin(&t, pidfd, &reason));
        if (reason == AE_WORKLOAD_OK) {
                hook(&t, AE_WL_STAGE_STARTED);
                GUARD(inspect(&t, &reason));
        }
        if (reason == AE_WORKLOAD_OK) {
                hook(&t, AE_WL_STAGE_OPENED);
                GUARD(digest(&t, &reason));
        }
        if (reason == AE_WORKLOAD_OK) {
                hook(&t, AE_WL_STAGE_HASHED);
                GUARD(recheck(&t, &reason));
        }
        if (reason == AE_WORKLOAD_OK)
                GUARD(build(&t, ret_result));
        __atomic_add_fetch(&a->attestations, 1, __ATOMIC_RELAXED);
        *ret_reason = reason;
        return 0;
}
