#include "node-attestor/verify/ek_cache.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/ossl.h"

int ek_cache_init(struct ek_cache *c, unsigned ttl)
{
        memset(c, 0, sizeof(*c));
        c->ttl = ttl;
        if (ttl) {
                c->slots = calloc(AE_EK_CACHE_SLOTS, sizeof(*c->slots));
                ENSURE_ALLOC(c->slots);
        }
        ENSURE(pthread_mutex_init(&c->lock, NULL) == 0, (free(c->slots), -ENOMEM));
        return 0;
}

void ek_cache_fini(struct ek_cache *c)
{
        if (!c)
                return;
        free(c->slots);
        c->slots = NULL;
        pthread_mutex_destroy(&c->lock);
}

int ek_cache_key(const uint8_t *cert, size_t cert_len, const uint8_t *ek_public,
                 size_t ek_public_len, uint8_t ret_key[32])
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        uint8_t lens[16];
        unsigned n = 0;

        ENSURE_ALLOC(ctx);
        /* Lengths first, so no two (cert, ek) pairs share a concatenation. */
        for (int i = 0; i < 8; i++) {
                lens[i] = (uint8_t)((uint64_t)cert_len >> (56 - 8 * i));
                lens[8 + i] = (uint8_t)((uint64_t)ek_public_len >> (56 - 8 * i));
        }
        ENSURE_OSSL(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, lens, sizeof(lens)));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, cert, cert_len));
        ENSURE_OSSL(EVP_DigestUpdate(ctx, ek_public, ek_public_len));
        ENSURE_OSSL(EVP_DigestFinal_ex(ctx, ret_key, &n));
        ENSURE(n == 32, -EIO);
        return 0;
}

/* Direct-mapped: the key is a hash, so its first bytes spread evenly; a
 * collision simply replaces the older entry (it is only a cache). */
static struct ek_cache_slot *slot_of(struct ek_cache *c, const uint8_t key[32])
{
        uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 |
                     key[3];

        return &c->slots[h % AE_EK_CACHE_SLOTS];
}

bool ek_cache_get(struct ek_cache *c, const uint8_t key[32], time_t now, struct ek_verdict *ret)
{
        struct ek_cache_slot *s;
        bool hit = false;

        if (!c->ttl)
                return false;
        pthread_mutex_lock(&c->lock);
        s = slot_of(c, key);
        if (s->used && memcmp(s->key, key, 32) == 0 && now < s->expires &&
            now >= s->verdict.not_before && now <= s->verdict.not_after) {
                *ret = s->verdict;
                hit = true;
        }
        pthread_mutex_unlock(&c->lock);
        return hit;
}

void ek_cache_put(struct ek_cache *c, const uint8_t key[32], time_t now,
                  const struct ek_verdict *v)
{
        struct ek_cache_slot *s;

        if (!c->ttl)
                return;
        pthread_mutex_lock(&c->lock);
        s = slot_of(c, key);
        s->used = true;
        memcpy(s->key, key, 32);
        s->expires = now + (time_t)c->ttl;
        s->verdict = *v;
        pthread_mutex_unlock(&c->lock);
}
