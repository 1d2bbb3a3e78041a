/* Check helpers shared by the workload attestor's integration tests
 * (test_workload_*.c): a scratch directory per test, attestors with a given
 * configuration, running copies of system binaries, and selector
 * assertions. Assertions fail the calling test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "workload-attestor/workload_attestor.h"
#include "workload_spawn.h"

/* A TCase whose tests each get a fresh scratch directory. */
TCase *wl_tcase(const char *name);

/* An attestor: cache entries, settle time, size limit (0: the default). */
struct ae_workload_attestor *wl_attestor(size_t cache, uint32_t min_age_ms, uint64_t max_size);

/* name inside this test's scratch directory (a static buffer). */
char *wl_path_in(const char *name);

/* A copy of sleep at wl_path_in(name) with extra random bytes, running. */
struct wl_child wl_run_copy(const char *name, size_t extra, const struct wl_spawn_opts *o);

/* The reason, asserting a result exactly on AE_WORKLOAD_OK. */
enum ae_workload_reason wl_attest_reason(struct ae_workload_attestor *a, pid_t pid, int pidfd);
/* The result, asserting AE_WORKLOAD_OK; the caller frees it. */
struct ae_workload_result *wl_attest_ok(struct ae_workload_attestor *a, pid_t pid, int pidfd);

void wl_assert_has(const struct ae_workload_result *r, const char *want);
void wl_assert_lacks_prefix(const struct ae_workload_result *r, const char *prefix);
/* The result carries sha256:<sha256sum of file>. */
void wl_expect_sha(const struct ae_workload_result *r, const char *file);

/* Our own unified-hierarchy cgroup path (children inherit it). */
void wl_own_cgroup_v2(char *out, size_t size);

/* main(): skip (77) unless root, then run the named case, or all. */
int wl_run_suite(Suite *s, const char *only);
