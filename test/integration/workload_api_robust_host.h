/* The host side of workload_api_robust: the real Workload API started as
 * workload_api_load.c does (a CA in a temporary directory, the issuer
 * source, the real workload attestor, the gRPC layer on a Unix socket),
 * and the workload clients, each a fresh image of this binary started with
 * a role (gRPC is not fork-safe) that prints one line per result on its
 * stdout and takes commands on its stdin. Failures fail the Check test. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "workload-attestor/workload_internal.h"

/* Every wait in these tests is bounded by this; passing it fails the test. */
#define ROBUST_WAIT_MS 120000

/* The identity every client of the tests gets: the entry matches our uid
 * (the clients run as we do). */
#define ROBUST_SPIFFE_ID "spiffe://example.org/robust"

struct robust_agent_opts {
        int64_t ttl;               /* the entry's X.509-SVID TTL (s); 1 renews on every push */
        uint32_t push_interval_ms; /* 0: 100 */
        /* The attestor asks NSS for user and group names on every
         * attestation (names_ttl_ms 0) instead of remembering them. */
        bool forget_names;
        ae_wl_hook_fn hook; /* the attestor's test hook, or NULL */
        void *hook_ctx;
        /* The connections' deadlines (grpc_server.h); 0: the defaults. */
        uint32_t first_call_timeout_ms, idle_timeout_ms;
};

struct ae_ca;
struct ae_issuer_source;
struct ae_entry_cache;
struct ae_workload_attestor;
struct ae_workload_api;

struct robust_agent {
        char dir[64], sock[96];
        struct ae_ca *ca;
        struct ae_issuer_source *is;
        struct ae_entry_cache *entries;
        struct ae_workload_attestor *attestor;
        struct ae_workload_api *api;
};

void robust_agent_start(struct robust_agent *a, const struct robust_agent_opts *o);
/* Stops the API, frees everything, removes the directory. */
void robust_agent_stop(struct robust_agent *a);

/* A client process: its pid, a pidfd, and our ends of its stdin/stdout. */
struct robust_child {
        pid_t pid;
        int pidfd;
        int in_fd, out_fd;
        char buf[8192];
        size_t len;
};

/* Starts "this-binary --role ROLE ARGS..." (args NULL-terminated). With
 * groups (n_groups > 0) the child takes exactly those supplementary groups
 * before exec (needs root). The child dies with this process. */
void robust_spawn(struct robust_child *c, size_t n_groups, const gid_t *groups,
                  const char *role, ...) __attribute__((sentinel));
/* Its next output line (without the newline) into buf; fails the test on
 * end of output or after ROBUST_WAIT_MS. */
void robust_child_line(struct robust_child *c, char *buf, size_t size);
/* A line if one is there already (true), without waiting. */
bool robust_child_try_line(struct robust_child *c, char *buf, size_t size);
/* The next line, which must be exactly want. */
void robust_child_expect(struct robust_child *c, const char *want);
/* One line to its stdin. */
void robust_child_say(struct robust_child *c, const char *line);
/* Waits for it to exit (bounded); its exit status, or 128 + signal. */
int robust_child_wait(struct robust_child *c);

/* Open fds of this process (/proc/self/fd); with link_prefix, only those
 * whose link starts with it ("socket:"). */
size_t robust_count_fds(const char *link_prefix);
/* Resident set of this process, KiB. */
long robust_rss_kib(void);
/* Polls cond(arg) until true, up to ms; false on timeout. */
bool robust_until(bool (*cond)(void *arg), void *arg, uint32_t ms);
