/* Internal to the workload attestor: executable digests by file version,
 * so a repeat attestation costs an fstat, not a hash.
 *
 * Key: (device, inode, size, mtime ns, ctime ns). Any write to a file sets
 * its ctime to the current time, so a file rewritten in place, even to the
 * same size with its mtime put back, is a new key; the attestor stores only
 * digests of files whose ctime was already older than a settle time when
 * hashing began, so two writes within one timestamp tick cannot share a
 * key (see ae_workload_config.cache_min_age_ms).
 *
 * Bounded LRU of a fixed capacity, allocated once. One mutex; concurrent
 * callers asking for the same key while it is being hashed wait for that
 * hash instead of repeating it ("single flight", up to AE_WL_INFLIGHT_MAX
 * distinct keys at once; beyond that callers hash on their own). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/guard.h"

#define AE_WL_INFLIGHT_MAX 32

struct ae_wl_file_key {
        uint64_t dev, ino, size;
        int64_t mtime_sec, ctime_sec;
        int64_t mtime_nsec, ctime_nsec;
};

struct ae_wl_cache_stats {
        uint64_t hits;      /* answered from the LRU */
        uint64_t shared;    /* answered by waiting for another caller's hash */
        uint64_t misses;    /* the caller had to hash */
        uint64_t stored;    /* digests stored */
        uint64_t evictions; /* entries dropped to make room */
        size_t entries, capacity;
};

struct ae_wl_hash_cache;

void ae_wl_file_key_from_stat(const struct stat *st, struct ae_wl_file_key *ret);

/* capacity 0: nothing is stored (every lookup misses), waiting still works.
 * More than AE_WORKLOAD_CACHE_ENTRIES_MAX: -EINVAL. */
AE_MUST_USE int ae_wl_hash_cache_new(size_t capacity, struct ae_wl_hash_cache **ret);
void ae_wl_hash_cache_free(struct ae_wl_hash_cache *c);

/* A lookup that may make the caller responsible for the key.
 *   returns 1: digest in ret_digest (from the LRU or a finished hash of the
 *              same key by another caller).
 *   returns 0: miss; the caller hashes the file and must then call
 *              ae_wl_hash_cache_end() with *ret_ticket, success or not. */
AE_MUST_USE int ae_wl_hash_cache_begin(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *key,
                                       uint8_t ret_digest[32], int *ret_ticket);

/* Finish a miss: digest NULL when hashing failed. store: put the digest in
 * the LRU (false for a file too recently changed to trust its key). Callers
 * waiting on the key get the digest either way. */
void ae_wl_hash_cache_end(struct ae_wl_hash_cache *c, int ticket, const struct ae_wl_file_key *key,
                          const uint8_t *digest, bool store);

void ae_wl_hash_cache_stats(struct ae_wl_hash_cache *c, struct ae_wl_cache_stats *ret);

/* Bytes the cache holds; fixed at creation (for the boundedness test). */
size_t ae_wl_hash_cache_memory(const struct ae_wl_hash_cache *c);
