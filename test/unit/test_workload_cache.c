/* Executable digests (workload-attestor/exe_hash.h) and their cache
 * (hash_cache.h): the digest of an fd equals OpenSSL's of the same bytes,
 * a file that changes underneath is caught, the LRU keeps its bound under
 * 10,000 distinct real files, and concurrent callers share one hash. */
#include "workload-attestor/hash_cache.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "check_util.h"
#include "workload-attestor/exe_hash.h"
#include "workload-attestor/workload_attestor.h"

static char tmpdir[64];

static void cleanup_tmpdir(void)
{
        char cmd[128];

        if (tmpdir[0]) {
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
                (void)!system(cmd);
                tmpdir[0] = '\0';
        }
}

/* A fresh scratch directory, removed by the next call or at exit (tests
 * run forked, or all in one process under CK_FORK=no). */
static void make_tmpdir(void)
{
        cleanup_tmpdir();
        strcpy(tmpdir, "/tmp/aegis-wlc-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* A file of len random bytes; returns an O_RDONLY fd, the bytes in *ret. */
static int file_with(const char *name, size_t len, uint8_t **ret)
{
        char path[256];
        uint8_t *data = malloc(len ? len : 1);
        int fd;

        ck_assert_ptr_nonnull(data);
        ck_assert_int_eq(RAND_bytes(data, (int)(len ? len : 1)), 1);
        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
        if (ret)
                *ret = data;
        else
                free(data);
        return fd;
}

START_TEST(digest_equals_openssl_across_chunks)
{
        static const size_t sizes[] = { 0, 1, AE_WL_HASH_CHUNK - 1, AE_WL_HASH_CHUNK,
                                        4 * AE_WL_HASH_CHUNK + 123 };

        make_tmpdir();
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                uint8_t *data, ours[32], ref[32];
                unsigned ref_len;
                struct stat st;
                int fd = file_with("f", sizes[i], &data);

                ck_assert_int_eq(fstat(fd, &st), 0);
                ck_assert_int_eq(ae_wl_exe_hash(fd, &st, ours), 0);
                ck_assert_int_eq(EVP_Digest(data, sizes[i], ref, &ref_len, EVP_sha256(), NULL), 1);
                ck_assert_mem_eq(ours, ref, 32);
                close(fd);
                free(data);
        }
}
END_TEST

START_TEST(a_file_changed_underneath_is_stale)
{
        uint8_t md[32];
        struct stat st;
        int fd;

        make_tmpdir();
        fd = file_with("f", 100000, NULL);
        ck_assert_int_eq(fstat(fd, &st), 0);
        usleep(10000); /* past a timestamp tick */
        ck_assert_int_eq(pwrite(fd, "x", 1, 50), 1);
        ck_assert_int_eq(ae_wl_exe_hash(fd, &st, md), -ESTALE);

        /* Shorter than it was. */
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert_int_eq(ftruncate(fd, 10), 0);
        ck_assert_int_eq(ae_wl_exe_hash(fd, &st, md), -ESTALE);
        close(fd);
}
END_TEST

START_TEST(a_read_error_is_its_errno)
{
        uint8_t md[32];
        struct stat st;
        int fd = open("/tmp", O_RDONLY | O_DIRECTORY);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        st.st_size = 100; /* pretend: the read itself must fail */
        ck_assert_int_eq(ae_wl_exe_hash(fd, &st, md), -EISDIR);
        close(fd);
}
END_TEST

START_TEST(file_versions)
{
        struct stat a, b;

        memset(&a, 0, sizeof(a));
        a.st_dev = 1;
        a.st_ino = 2;
        a.st_size = 3;
        a.st_mtim.tv_sec = 4;
        a.st_ctim.tv_nsec = 5;
        b = a;
        ck_assert(ae_wl_same_file_version(&a, &b));
        b.st_ctim.tv_nsec = 6;
        ck_assert(!ae_wl_same_file_version(&a, &b));
        b = a;
        b.st_mtim.tv_nsec = 1;
        ck_assert(!ae_wl_same_file_version(&a, &b));
        b = a;
        b.st_ino = 9;
        ck_assert(!ae_wl_same_file_version(&a, &b));
}
END_TEST

static struct ae_wl_file_key key_n(uint64_t n)
{
        struct ae_wl_file_key k;

        memset(&k, 0, sizeof(k));
        k.dev = 8;
        k.ino = n;
        k.size = 4096;
        k.mtime_sec = k.ctime_sec = 1700000000;
        return k;
}

static void put(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k, uint8_t fill)
{
        uint8_t d[32];
        int ticket;

        ck_assert_int_eq(ae_wl_hash_cache_begin(c, k, d, &ticket), 0);
        memset(d, fill, sizeof(d));
        ae_wl_hash_cache_end(c, ticket, k, d, true);
}

static int get(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k, uint8_t *fill)
{
        uint8_t d[32];
        int ticket, r = ae_wl_hash_cache_begin(c, k, d, &ticket);

        if (r == 0)
                ae_wl_hash_cache_end(c, ticket, k, NULL, false);
        else
                *fill = d[0];
        return r;
}

START_TEST(lru_order_and_every_key_field)
{
        struct ae_wl_hash_cache *c = NULL;
        struct ae_wl_file_key k1 = key_n(1), k2 = key_n(2), k3 = key_n(3), k4 = key_n(4), v;
        struct ae_wl_cache_stats st;
        uint8_t f = 0, d9[32];

        ck_assert_int_eq(ae_wl_hash_cache_new(3, &c), 0);
        put(c, &k1, 1);
        put(c, &k2, 2);
        put(c, &k3, 3);
        ck_assert_int_eq(get(c, &k1, &f), 1); /* 1 is now the most recent */
        ck_assert_uint_eq(f, 1);
        put(c, &k4, 4);                      /* evicts 2, the least recent */
        ck_assert_int_eq(get(c, &k2, &f), 0);
        ck_assert_int_eq(get(c, &k1, &f), 1);
        ck_assert_int_eq(get(c, &k3, &f), 1);
        ck_assert_int_eq(get(c, &k4, &f), 1);
        ck_assert_uint_eq(f, 4);

        /* Any field of the key differing is another version. */
        v = k1;
        v.size++;
        ck_assert_int_eq(get(c, &v, &f), 0);
        v = k1;
        v.mtime_nsec = 1;
        ck_assert_int_eq(get(c, &v, &f), 0);
        v = k1;
        v.ctime_nsec = 1;
        ck_assert_int_eq(get(c, &v, &f), 0);
        v = k1;
        v.ctime_sec++;
        ck_assert_int_eq(get(c, &v, &f), 0);
        v = k1;
        v.dev++;
        ck_assert_int_eq(get(c, &v, &f), 0);

        /* Storing the same key again (a caller that hashed without a
         * ticket) replaces its digest, no new entry. */
        memset(d9, 9, sizeof(d9));
        ae_wl_hash_cache_end(c, -1, &k1, d9, true);
        ck_assert_int_eq(get(c, &k1, &f), 1);
        ck_assert_uint_eq(f, 9);
        ae_wl_hash_cache_stats(c, &st);
        ck_assert_uint_eq(st.entries, 3);
        ck_assert_uint_eq(st.evictions, 1);
        ck_assert_uint_eq(st.capacity, 3);
        ae_wl_hash_cache_free(c);
}
END_TEST

START_TEST(capacity_zero_stores_nothing)
{
        struct ae_wl_hash_cache *c = NULL;
        struct ae_wl_file_key k = key_n(1);
        struct ae_wl_cache_stats st;
        uint8_t f;

        ck_assert_int_eq(ae_wl_hash_cache_new(0, &c), 0);
        put(c, &k, 1);
        ck_assert_int_eq(get(c, &k, &f), 0);
        ae_wl_hash_cache_stats(c, &st);
        ck_assert_uint_eq(st.entries, 0);
        ck_assert_uint_eq(st.misses, 2);
        ae_wl_hash_cache_free(c);
        ck_assert_int_eq(ae_wl_hash_cache_new(AE_WORKLOAD_CACHE_ENTRIES_MAX + 1, &c), -EINVAL);
}
END_TEST

/* 10,000 distinct real files through the cache with the default capacity:
 * the entry count and the memory stay at their bound, the newest files
 * hit, the oldest were evicted, and a hit is the file's true digest. */
START_TEST(bounded_under_ten_thousand_files)
{
        enum { FILES = 10000 };
        struct ae_wl_hash_cache *c = NULL;
        struct ae_wl_cache_stats st;
        static struct ae_wl_file_key keys[FILES];
        static uint8_t digests[FILES][32];
        size_t mem;

        make_tmpdir();
        ck_assert_int_eq(ae_wl_hash_cache_new(AE_WORKLOAD_CACHE_ENTRIES_DEFAULT, &c), 0);
        mem = ae_wl_hash_cache_memory(c);
        for (int i = 0; i < FILES; i++) {
                char name[32];
                struct stat sb;
                uint8_t d[32];
                int ticket, fd;

                snprintf(name, sizeof(name), "f%05d", i);
                fd = file_with(name, 64 + (size_t)(i % 7), NULL);
                ck_assert_int_eq(fstat(fd, &sb), 0);
                ae_wl_file_key_from_stat(&sb, &keys[i]);
                ck_assert_int_eq(ae_wl_hash_cache_begin(c, &keys[i], d, &ticket), 0);
                ck_assert_int_eq(ae_wl_exe_hash(fd, &sb, digests[i]), 0);
                ae_wl_hash_cache_end(c, ticket, &keys[i], digests[i], true);
                close(fd);
                ae_wl_hash_cache_stats(c, &st);
                ck_assert_uint_le(st.entries, AE_WORKLOAD_CACHE_ENTRIES_DEFAULT);
        }
        ae_wl_hash_cache_stats(c, &st);
        ck_assert_uint_eq(st.entries, AE_WORKLOAD_CACHE_ENTRIES_DEFAULT);
        ck_assert_uint_eq(st.stored, FILES);
        ck_assert_uint_eq(st.evictions, FILES - AE_WORKLOAD_CACHE_ENTRIES_DEFAULT);
        ck_assert_uint_eq(ae_wl_hash_cache_memory(c), mem);
        /* A fixed allocation: well under 200 bytes an entry. */
        ck_assert_uint_lt(mem, (size_t)AE_WORKLOAD_CACHE_ENTRIES_DEFAULT * 200);

        for (int i = FILES - AE_WORKLOAD_CACHE_ENTRIES_DEFAULT; i < FILES; i++) {
                uint8_t d[32];
                int ticket;

                ck_assert_int_eq(ae_wl_hash_cache_begin(c, &keys[i], d, &ticket), 1);
                ck_assert_mem_eq(d, digests[i], 32);
        }
        for (int i = 0; i < 100; i++) {
                uint8_t f;

                ck_assert_int_eq(get(c, &keys[i], &f), 0);
        }
        ae_wl_hash_cache_free(c);
}
END_TEST

struct waiter {
        struct ae_wl_hash_cache *c;
        struct ae_wl_file_key k;
        int r, ticket;
        uint8_t d[32];
};

static void *wait_for(void *arg)
{
        struct waiter *w = arg;

        w->r = ae_wl_hash_cache_begin(w->c, &w->k, w->d, &w->ticket);
        return NULL;
}

START_TEST(a_concurrent_caller_waits_for_the_hash)
{
        struct ae_wl_hash_cache *c = NULL;
        struct ae_wl_file_key k = key_n(7);
        struct waiter w;
        struct ae_wl_cache_stats st;
        uint8_t d[32];
        pthread_t th;
        int ticket;

        /* Capacity 0, so only waiting can answer the second caller. */
        ck_assert_int_eq(ae_wl_hash_cache_new(0, &c), 0);
        ck_assert_int_eq(ae_wl_hash_cache_begin(c, &k, d, &ticket), 0);
        ck_assert_int_ge(ticket, 0);
        w = (struct waiter){ c, k, -1, -1, { 0 } };
        ck_assert_int_eq(pthread_create(&th, NULL, wait_for, &w), 0);
        usleep(200000);
        memset(d, 0x42, sizeof(d));
        ae_wl_hash_cache_end(c, ticket, &k, d, true);
        pthread_join(th, NULL);
        ck_assert_int_eq(w.r, 1);
        ck_assert_mem_eq(w.d, d, 32);
        ae_wl_hash_cache_stats(c, &st);
        ck_assert_uint_eq(st.shared, 1);
        ck_assert_uint_eq(st.misses, 1);

        /* A failed hash hands the key to the waiter. */
        ck_assert_int_eq(ae_wl_hash_cache_begin(c, &k, d, &ticket), 0);
        w = (struct waiter){ c, k, -1, -1, { 0 } };
        ck_assert_int_eq(pthread_create(&th, NULL, wait_for, &w), 0);
        usleep(200000);
        ae_wl_hash_cache_end(c, ticket, &k, NULL, false);
        pthread_join(th, NULL);
        ck_assert_int_eq(w.r, 0);
        ck_assert_int_ge(w.ticket, 0);
        ae_wl_hash_cache_end(c, w.ticket, &k, NULL, false);
        ae_wl_hash_cache_free(c);
}
END_TEST

START_TEST(more_concurrent_keys_than_slots_still_work)
{
        struct ae_wl_hash_cache *c = NULL;
        struct ae_wl_file_key keys[AE_WL_INFLIGHT_MAX + 1];
        int tickets[AE_WL_INFLIGHT_MAX + 1];
        uint8_t d[32], f;

        ck_assert_int_eq(ae_wl_hash_cache_new(64, &c), 0);
        for (int i = 0; i <= AE_WL_INFLIGHT_MAX; i++) {
                keys[i] = key_n(100 + (uint64_t)i);
                ck_assert_int_eq(ae_wl_hash_cache_begin(c, &keys[i], d, &tickets[i]), 0);
        }
        ck_assert_int_eq(tickets[AE_WL_INFLIGHT_MAX], -1); /* hashes on its own */
        memset(d, 7, sizeof(d));
        for (int i = 0; i <= AE_WL_INFLIGHT_MAX; i++)
                ae_wl_hash_cache_end(c, tickets[i], &keys[i], d, true);
        for (int i = 0; i <= AE_WL_INFLIGHT_MAX; i++)
                ck_assert_int_eq(get(c, &keys[i], &f), 1);
        ae_wl_hash_cache_free(c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("workload_cache");
        TCase *tc = tcase_create("exe_hash");

        atexit(cleanup_tmpdir);
        tcase_add_test(tc, digest_equals_openssl_across_chunks);
        tcase_add_test(tc, a_file_changed_underneath_is_stale);
        tcase_add_test(tc, a_read_error_is_its_errno);
        tcase_add_test(tc, file_versions);
        suite_add_tcase(s, tc);
        tc = tcase_create("hash_cache");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, lru_order_and_every_key_field);
        tcase_add_test(tc, capacity_zero_stores_nothing);
        tcase_add_test(tc, bounded_under_ten_thousand_files);
        tcase_add_test(tc, a_concurrent_caller_waits_for_the_hash);
        tcase_add_test(tc, more_concurrent_keys_than_slots_still_work);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
