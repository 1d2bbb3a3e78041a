#include "workload_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_util.h"

static char *root_dir; /* per test case, from the unchecked fixture */
static char dir[4096]; /* per test */

static void suite_setup(void)
{
        root_dir = wl_scratch_dir();
        if (!root_dir) {
                perror("scratch dir");
                exit(EXIT_FAILURE);
        }
}

static void suite_teardown(void)
{
        wl_remove_tree(root_dir);
        free(root_dir);
        root_dir = NULL;
}

/* A fresh directory per test (tests run in forked processes). */
static void test_setup(void)
{
        static unsigned n;

        snprintf(dir, sizeof(dir), "%s/t%d-%u", root_dir, (int)getpid(), n++);
        if (mkdir(dir, 0755) != 0) {
                perror("mkdir");
                exit(EXIT_FAILURE);
        }
}

struct ae_workload_attestor *wl_attestor(size_t cache, uint32_t min_age_ms, uint64_t max_size)
{
        struct ae_workload_config cfg;
        struct ae_workload_attestor *a = NULL;

        ae_workload_config_default(&cfg);
        cfg.cache_entries = cache;
        cfg.cache_min_age_ms = min_age_ms;
        if (max_size)
                cfg.max_exe_size = max_size;
        ck_assert_int_eq(ae_workload_attestor_new(&cfg, &a), 0);
        return a;
}

char *wl_path_in(const char *name)
{
        static char p[4200];

        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return p;
}

/* A copy of sleep at dir/name, running. */
struct wl_child wl_run_copy(const char *name, size_t extra, const struct wl_spawn_opts *o)
{
        struct wl_child c = { 0, -1 };
        char exe[4200];

        snprintf(exe, sizeof(exe), "%s", wl_path_in(name));
        ck_assert_int_eq(wl_copy_exe("/bin/sleep", exe, extra), 0);
        ck_assert_int_eq(wl_spawn_sleep(exe, o, &c), 0);
        return c;
}

enum ae_workload_reason wl_attest_reason(struct ae_workload_attestor *a, pid_t pid, int pidfd)
{
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *res = NULL;
        enum ae_workload_reason reason = AE_WORKLOAD_REASON_COUNT;

        ck_assert_int_eq(ae_workload_attest(a, pid, pidfd, &res, &reason), 0);
        ck_assert((reason == AE_WORKLOAD_OK) == (res != NULL));
        return reason;
}

struct ae_workload_result *wl_attest_ok(struct ae_workload_attestor *a, pid_t pid, int pidfd)
{
        struct ae_workload_result *res = NULL;
        enum ae_workload_reason reason = AE_WORKLOAD_REASON_COUNT;

        ck_assert_int_eq(ae_workload_attest(a, pid, pidfd, &res, &reason), 0);
        ck_assert_msg(reason == AE_WORKLOAD_OK, "reason %s", ae_workload_reason_id(reason));
        ck_assert_ptr_nonnull(res);
        return res;
}

void wl_assert_has(const struct ae_workload_result *r, const char *want)
{
        ck_assert_msg(wl_find_selector(r->selectors, r->n_selectors, want) >= 0,
                      "missing selector %s", want);
}

void wl_assert_lacks_prefix(const struct ae_workload_result *r, const char *prefix)
{
        ck_assert_msg(wl_find_prefix(r->selectors, r->n_selectors, prefix) < 0,
                      "unexpected selector %s...", prefix);
}

void wl_expect_sha(const struct ae_workload_result *r, const char *file)
{
        char hex[65], sel[80];

        ck_assert_int_eq(wl_sha256sum(file, hex), 0);
        snprintf(sel, sizeof(sel), "sha256:%s", hex);
        wl_assert_has(r, sel);
}

void wl_own_cgroup_v2(char *out, size_t size)
{
        FILE *f = fopen("/proc/self/cgroup", "r");
        char line[4200];

        ck_assert_ptr_nonnull(f);
        out[0] = '\0';
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        line[strcspn(line, "\n")] = '\0';
                        snprintf(out, size, "%s", line + 3);
                }
        fclose(f);
}

TCase *wl_tcase(const char *name)
{
        TCase *tc = tcase_create(name);

        tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
        tcase_add_checked_fixture(tc, test_setup, NULL);
        tcase_set_timeout(tc, 60);
        return tc;
}

int wl_run_suite(Suite *s, const char *only)
{
        SRunner *sr;
        int failed;

        if (geteuid() != 0) {
                fprintf(stderr, "needs root (credentials, cgroups, clone3 set_tid): skipped\n");
                return AE_TEST_SKIP;
        }
        sr = srunner_create(s);
        srunner_run(sr, NULL, only, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
