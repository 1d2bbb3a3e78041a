/* The workload attestor's digest cache through the public API, with real
 * processes: a hit after the first hash, a miss once the binary is
 * rewritten in place, nothing cached before a file settles, no cache at
 * all, and concurrent callers sharing one hash. Runs as root, like the
 * other workload integration tests (wl_run_suite). */
#include "workload-attestor/workload_attestor.h"

#include <pthread.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "workload_harness.h"

START_TEST(hit_after_the_first_hash)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL), d;
        struct ae_workload_stats st;

        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r1 =
                        wl_attest_ok(a, c.pid, c.pidfd);
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r2 =
                        wl_attest_ok(a, c.pid, c.pidfd);

                ck_assert(!r1->cache_hit);
                ck_assert(r2->cache_hit);
                ck_assert_mem_eq(r1->sha256, r2->sha256, 32);
        }
        /* A second process of the same file: still no new hash. */
        ck_assert_int_eq(wl_spawn_sleep(wl_path_in("svc"), NULL, &d), 0);
        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r3 =
                        wl_attest_ok(a, d.pid, d.pidfd);

                ck_assert(r3->cache_hit);
                wl_expect_sha(r3, wl_path_in("svc"));
        }
        ae_workload_stats(a, &st);
        ck_assert_uint_eq(st.hashes, 1);
        ck_assert_uint_eq(st.hits, 2);
        ck_assert_uint_eq(st.attestations, 3);
        ck_assert_uint_eq(st.entries, 1);
        wl_kill(&c);
        wl_kill(&d);
}
END_TEST

/* Overwrite the trailing bytes in place: same inode, same size. */
static void rewrite_tail(const char *file)
{
        int fd = open(file, O_WRONLY);
        struct stat st;
        char junk[64];

        memset(junk, 0x5a, sizeof(junk));
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), st.st_size - (off_t)sizeof(junk)),
                         (ssize_t)sizeof(junk));
        ck_assert_int_eq(close(fd), 0);
}

START_TEST(miss_after_the_file_is_rewritten_in_place)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 4096, NULL);
        struct ae_workload_stats st;
        struct stat before, after;
        uint8_t first[32];

        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r =
                        wl_attest_ok(a, c.pid, c.pidfd);

                memcpy(first, r->sha256, 32);
        }
        wl_kill(&c); /* a running binary cannot be written (ETXTBSY) */
        ck_assert_int_eq(stat(wl_path_in("svc"), &before), 0);
        usleep(20000); /* past a timestamp tick, so ctime moves */
        rewrite_tail(wl_path_in("svc"));
        ck_assert_int_eq(stat(wl_path_in("svc"), &after), 0);
        ck_assert_int_eq(after.st_ino, before.st_ino);
        ck_assert_int_eq(after.st_size, before.st_size);
        ck_assert(after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
                  after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);

        ck_assert_int_eq(wl_spawn_sleep(wl_path_in("svc"), NULL, &c), 0);
        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r =
                        wl_attest_ok(a, c.pid, c.pidfd);

                ck_assert(!r->cache_hit);
                ck_assert(memcmp(first, r->sha256, 32) != 0);
                wl_expect_sha(r, wl_path_in("svc"));
        }
        ae_workload_stats(a, &st);
        ck_assert_uint_eq(st.hashes, 2);
        ck_assert_uint_eq(st.hits, 0);
        wl_kill(&c);
}
END_TEST

START_TEST(a_freshly_written_file_is_not_cached_until_it_settles)
{
        /* Default settle time (2 s): the copy was written just now. */
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, AE_WORKLOAD_CACHE_MIN_AGE_MS_DEFAULT, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        struct ae_workload_stats st;
        enum ae_workload_reason r1 = wl_attest_reason(a, c.pid, c.pidfd),
                                r2 = wl_attest_reason(a, c.pid, c.pidfd);

        ck_assert_int_eq(r1, AE_WORKLOAD_OK);
        ck_assert_int_eq(r2, AE_WORKLOAD_OK);
        ae_workload_stats(a, &st);
        ck_assert_uint_eq(st.hashes, 2);
        ck_assert_uint_eq(st.entries, 0);
        wl_kill(&c);
}
END_TEST

START_TEST(no_cache_hashes_every_time)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(0, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        struct ae_workload_stats st;

        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_OK);
        ae_workload_stats(a, &st);
        ck_assert_uint_eq(st.hashes, 3);
        ck_assert_uint_eq(st.hits, 0);
        wl_kill(&c);
}
END_TEST

struct burst {
        struct ae_workload_attestor *a;
        struct wl_child *c;
        uint8_t sha256[32];
        int failures;
};

static void *burst_thread(void *arg)
{
        struct burst *b = arg;

        for (int i = 0; i < 20; i++) {
                struct ae_workload_result *r = NULL;
                enum ae_workload_reason reason;

                if (ae_workload_attest(b->a, b->c->pid, b->c->pidfd, &r, &reason) != 0 ||
                    reason != AE_WORKLOAD_OK || memcmp(r->sha256, b->sha256, 32) != 0)
                        b->failures++;
                ae_workload_result_free(r);
        }
        return NULL;
}

START_TEST(concurrent_callers_hash_once)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("big", 32u << 20, NULL); /* ~17 ms to hash */
        struct burst b[8];
        pthread_t th[8];
        struct ae_workload_stats st;
        char hex[65];

        ck_assert_int_eq(wl_sha256sum(wl_path_in("big"), hex), 0);
        for (int i = 0; i < 8; i++) {
                b[i] = (struct burst){ a, &c, { 0 }, 0 };
                for (int k = 0; k < 32; k++)
                        sscanf(hex + 2 * k, "%2hhx", &b[i].sha256[k]);
                ck_assert_int_eq(pthread_create(&th[i], NULL, burst_thread, &b[i]), 0);
        }
        for (int i = 0; i < 8; i++) {
                pthread_join(th[i], NULL);
                ck_assert_int_eq(b[i].failures, 0);
        }
        ae_workload_stats(a, &st);
        ck_assert_uint_eq(st.attestations, 160);
        ck_assert_uint_eq(st.hashes, 1);
        ck_assert_uint_eq(st.hits + st.shared, 159);
        wl_kill(&c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("workload_cached");
        TCase *tc = wl_tcase("cache");

        tcase_add_test(tc, hit_after_the_first_hash);
        tcase_add_test(tc, miss_after_the_file_is_rewritten_in_place);
        tcase_add_test(tc, a_freshly_written_file_is_not_cached_until_it_settles);
        tcase_add_test(tc, no_cache_hashes_every_time);
        tcase_add_test(tc, concurrent_callers_hash_once);
        suite_add_tcase(s, tc);
        return wl_run_suite(s, NULL);
}
