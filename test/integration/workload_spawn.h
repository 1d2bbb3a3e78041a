/* Real child processes for the workload attestor's tests: copies of system
 * binaries in a scratch directory, started under chosen credentials, with
 * their own pidfds. Children die with the test process (PR_SET_PDEATHSIG),
 * so a failed assertion leaves nothing running. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct wl_spawn_opts {
        bool set_ids;            /* apply the ids below before exec */
        uid_t ruid, euid;        /* real and effective uid */
        gid_t rgid, egid;
        bool set_groups;         /* setgroups(n_groups, groups) */
        size_t n_groups;
        const gid_t *groups;
};

struct wl_child {
        pid_t pid;
        int pidfd; /* taken right after fork, as an agent would at accept */
};

/* A fresh scratch directory under /tmp that other users can traverse. */
char *wl_scratch_dir(void);
/* rm -rf. */
void wl_remove_tree(const char *dir);

/* Copy src to dst with mode 0755; append extra random bytes (an ELF runs
 * with trailing data, which makes big or distinct binaries). */
int wl_copy_exe(const char *src, const char *dst, size_t extra);

/* fork + exec exe with argv (NULL-terminated); returns once the exec has
 * happened (or failed: -errno). */
int wl_spawn(const char *exe, char *const argv[], const struct wl_spawn_opts *o,
             struct wl_child *ret);
/* "<exe> 60": a copy of sleep that waits, as a workload would. */
int wl_spawn_sleep(const char *exe, const struct wl_spawn_opts *o, struct wl_child *ret);
/* SIGKILL, reap, close the pidfd. Safe on an already-reaped child. */
void wl_kill(struct wl_child *c);

/* sha256sum's lowercase hex of path into out[65]. */
int wl_sha256sum(const char *path, char out[65]);

/* Index of the selector equal to want in sel[0..n), or -1. */
int wl_find_selector(const char *const *sel, size_t n, const char *want);
/* Index of the first selector beginning with prefix, or -1. */
int wl_find_prefix(const char *const *sel, size_t n, const char *prefix);
