/* Workload attestation cost, against references taken in the same run:
 *
 *   cold hash:  MB/s of hashing an executable from its fd (the cache
 *               bypassed; a fresh 64 MiB file in the page cache); reference:
 *               OpenSSL's EVP_Digest SHA-256 over a 64 MiB buffer in memory.
 *               Goal: ratio >= 0.9.
 *   warm attest: p50 and p99 microseconds of a whole attestation of a
 *               running process whose binary is 50 MB, digest cached;
 *               reference: the same attestation hashing the binary every
 *               call (SPIRE's unix attestor), ratio = reference / ours.
 *               Goal: p50 <= 20 us.
 * Prints BENCH lines only; asserts nothing about time. Needs a writable
 * /tmp; runs as any user. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "workload-attestor/exe_hash.h"
#include "workload-attestor/workload_attestor.h"
#include "workload_spawn.h"

#define COLD_SIZE (64u << 20)
#define COLD_ROUNDS 7
#define BIG_EXTRA (50u * 1000 * 1000) /* appended to sleep: a 50 MB binary */
#define WARM_CALLS 5000
#define COLD_CALLS 40

int main(void);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int r)
{
        fprintf(stderr, "bench_workload: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(1);
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
        size_t i = (size_t)(p * (double)(n - 1) + 0.5);

        qsort(v, n, sizeof(*v), cmp_double);
        return v[i];
}

/* Rounds alternate ours and the reference so drift hits both; medians. */
static void cold_hash(const char *dir)
{
        double ours[COLD_ROUNDS], ref[COLD_ROUNDS], o, r;
        uint8_t *buf = malloc(COLD_SIZE), md[32];
        char path[4200];
        unsigned md_len;
        struct stat st;
        int fd;

        if (!buf || RAND_bytes(buf, COLD_SIZE) != 1)
                die("buffer", ENOMEM);
        snprintf(path, sizeof(path), "%s/cold.bin", dir);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, COLD_SIZE) != (ssize_t)COLD_SIZE || fstat(fd, &st) != 0)
                die("cold file", errno);
        for (int i = 0; i < COLD_ROUNDS; i++) {
                double t0 = now();
                int rc = ae_wl_exe_hash(fd, &st, md);

                if (rc < 0)
                        die("hash", rc);
                ours[i] = COLD_SIZE / (now() - t0) / 1e6;
                t0 = now();
                if (EVP_Digest(buf, COLD_SIZE, md, &md_len, EVP_sha256(), NULL) != 1)
                        die("EVP_Digest", EIO);
                ref[i] = COLD_SIZE / (now() - t0) / 1e6;
        }
        o = pct(ours, COLD_ROUNDS, 0.5);
        r = pct(ref, COLD_ROUNDS, 0.5);
        printf("BENCH workload_hash_cold value=%.0f unit=MB/s ref=%.0f ratio=%.2f\n", o, r, o / r);
        close(fd);
        unlink(path);
        free(buf);
}

/* Latencies (us) of n attestations of c. */
static void attest_times(struct ae_workload_attestor *a, const struct wl_child *c, double *us,
                         size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct ae_workload_result *res = NULL;
                enum ae_workload_reason reason;
                double t0 = now();
                int rc = ae_workload_attest(a, c->pid, c->pidfd, &res, &reason);

                us[i] = (now() - t0) * 1e6;
                if (rc < 0)
                        die("attest", rc);
                if (reason != AE_WORKLOAD_OK) {
                        fprintf(stderr, "bench_workload: %s\n", ae_workload_reason_str(reason));
                        exit(1);
                }
                ae_workload_result_free(res);
        }
}

static void warm_attest(const char *dir)
{
        static double warm[WARM_CALLS], cold[COLD_CALLS];
        struct ae_workload_attestor *cached = NULL, *uncached = NULL;
        struct ae_workload_config cfg;
        struct ae_workload_stats st;
        struct wl_child c;
        char exe[4200];
        double w50, w99, c50, c99;
        int rc;

        snprintf(exe, sizeof(exe), "%s/big-workload", dir);
        rc = wl_copy_exe("/bin/sleep", exe, BIG_EXTRA);
        if (rc < 0)
                die("50 MB binary", rc);
        rc = wl_spawn_sleep(exe, NULL, &c);
        if (rc < 0)
                die("spawn", rc);

        ae_workload_config_default(&cfg);
        if ((rc = ae_workload_attestor_new(&cfg, &cached)) < 0)
                die("attestor", rc);
        cfg.cache_entries = 0;
        if ((rc = ae_workload_attestor_new(&cfg, &uncached)) < 0)
                die("attestor", rc);
        /* A digest is cached only once the file has settled (2 s). */
        usleep((AE_WORKLOAD_CACHE_MIN_AGE_MS_DEFAULT + 200) * 1000);
        attest_times(cached, &c, warm, 10); /* first hash, warm up */
        attest_times(cached, &c, warm, WARM_CALLS);
        ae_workload_stats(cached, &st);
        if (st.hashes != 1)
                die("cache did not hold the digest", EPROTO);
        attest_times(uncached, &c, cold, COLD_CALLS);

        w99 = pct(warm, WARM_CALLS, 0.99);
        w50 = pct(warm, WARM_CALLS, 0.50);
        c99 = pct(cold, COLD_CALLS, 0.99);
        c50 = pct(cold, COLD_CALLS, 0.50);
        printf("BENCH workload_attest_warm_p50 value=%.1f unit=us ref=%.1f ratio=%.1f\n", w50, c50,
               c50 / w50);
        printf("BENCH workload_attest_warm_p99 value=%.1f unit=us ref=%.1f ratio=%.1f\n", w99, c99,
               c99 / w99);
        wl_kill(&c);
        unlink(exe);
        ae_workload_attestor_free(cached);
        ae_workload_attestor_free(uncached);
}

int main(void)
{
        char *dir = wl_scratch_dir();

        if (!dir)
                die("scratch dir", errno);
        cold_hash(dir);
        warm_attest(dir);
        wl_remove_tree(dir);
        free(dir);
        return 0;
}
