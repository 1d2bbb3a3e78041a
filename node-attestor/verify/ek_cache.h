/* Internal to the node verifier: a bounded, time-limited memory of EKs whose
 * certificate already chained to a manufacturer CA. A fleet re-attests the
 * same nodes every few minutes; parsing the certificate and walking its
 * chain each time was most of a verification's cost. Only accepted chains
 * are remembered, keyed by the exact certificate and EK public bytes, and
 * an entry is used only while now lies inside the chain's validity and the
 * entry's TTL. Thread-safe. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"
#include "node-attestor/verify/ek_san.h"

#define AE_EK_CACHE_SLOTS 4096
#define AE_EK_CACHE_TTL_DEFAULT 600 /* seconds */

struct ek_verdict {
        uint8_t ek_id[32];
        bool have_anchor;
        uint8_t anchor_id[32];
        char manufacturer[AE_TPM_MANUFACTURER_SIZE];
        time_t not_before, not_after; /* the chain's common validity */
};

struct ek_cache_slot {
        bool used;
        uint8_t key[32];
        time_t expires;
        struct ek_verdict verdict;
};

struct ek_cache {
        pthread_mutex_t lock;
        unsigned ttl; /* 0: the cache is off */
        struct ek_cache_slot *slots;
};

AE_MUST_USE int ek_cache_init(struct ek_cache *c, unsigned ttl);
void ek_cache_fini(struct ek_cache *c);

/* The cache key of a certificate and EK public area (SHA-256 of both). */
AE_MUST_USE int ek_cache_key(const uint8_t *cert, size_t cert_len, const uint8_t *ek_public,
                             size_t ek_public_len, uint8_t ret_key[32]);

/* True and *ret filled when a live entry for key covers now. */
bool ek_cache_get(struct ek_cache *c, const uint8_t key[32], time_t now,
                  struct ek_verdict *ret);
void ek_cache_put(struct ek_cache *c, const uint8_t key[32], time_t now,
                  const struct ek_verdict *v);
