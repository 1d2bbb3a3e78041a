#include "workload-attestor/hash_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/cleanup.h"
#include "workload-attestor/workload_attestor.h"

#define NIL UINT32_MAX

struct node {
        struct ae_wl_file_key key;
        uint8_t digest[32];
        uint32_t prev, next; /* LRU list, head = most recently used */
        uint32_t chain;      /* next node in the same bucket */
};

struct inflight {
        bool used, done, ok;
        unsigned waiters;
        struct ae_wl_file_key key;
        uint8_t digest[32];
};

struct ae_wl_hash_cache {
        pthread_mutex_t lock;
        pthread_cond_t done;
        size_t capacity, count;
        uint32_t n_buckets; /* a power of two */
        uint32_t *buckets;
        struct node *nodes;
        uint32_t head, tail, free_list;
        uint64_t seed;
        struct inflight inflight[AE_WL_INFLIGHT_MAX];
        struct ae_wl_cache_stats stats;
};

void ae_wl_file_key_from_stat(const struct stat *st, struct ae_wl_file_key *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->dev = (uint64_t)st->st_dev;
        ret->ino = (uint64_t)st->st_ino;
        ret->size = (uint64_t)st->st_size;
        ret->mtime_sec = st->st_mtim.tv_sec;
        ret->mtime_nsec = st->st_mtim.tv_nsec;
        ret->ctime_sec = st->st_ctim.tv_sec;
        ret->ctime_nsec = st->st_ctim.tv_nsec;
}

static bool key_eq(const struct ae_wl_file_key *a, const struct ae_wl_file_key *b)
{
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
               a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
               a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/* splitmix64's finalizer; the seed keeps bucket placement unpredictable. */
static uint64_t mix(uint64_t x)
{
        x ^= x >> 30;
        x *= UINT64_C(0xbf58476d1ce4e5b9);
        x ^= x >> 27;
        x *= UINT64_C(0x94d049bb133111eb);
        x ^= x >> 31;
        return x;
}

static uint32_t bucket_of(const struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k)
{
        uint64_t h = c->seed;

        h = mix(h ^ k->dev);
        h = mix(h ^ k->ino);
        h = mix(h ^ k->size);
        h = mix(h ^ (uint64_t)k->mtime_sec ^ ((uint64_t)k->mtime_nsec << 34));
        h = mix(h ^ (uint64_t)k->ctime_sec ^ ((uint64_t)k->ctime_nsec << 34));
        return (uint32_t)h & (c->n_buckets - 1);
}

int ae_wl_hash_cache_new(size_t capacity, struct ae_wl_hash_cache **ret)
{
        _cleanup_free_ struct ae_wl_hash_cache *c = NULL;
        size_t nb = 1;

        ENSURE(ret && capacity <= AE_WORKLOAD_CACHE_ENTRIES_MAX, -EINVAL);
        while (nb < capacity)
                nb <<= 1;
        c = calloc(1, sizeof(*c));
        ENSURE_ALLOC(c);
        c->capacity = capacity;
        c->n_buckets = (uint32_t)nb;
        c->head = c->tail = c->free_list = NIL;
        if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
                c->seed = mix((uint64_t)(uintptr_t)c);
        c->buckets = malloc(nb * sizeof(*c->buckets));
        c->nodes = capacity ? calloc(capacity, sizeof(*c->nodes)) : NULL;
        if (!c->buckets || (capacity && !c->nodes)) {
                free(c->buckets);
                free(c->nodes);
                return -ENOMEM;
        }
        for (size_t i = 0; i < nb; i++)
                c->buckets[i] = NIL;
        for (size_t i = 0; i < capacity; i++)
                c->nodes[i].next = i + 1 < capacity ? (uint32_t)(i + 1) : NIL;
        c->free_list = capacity ? 0 : NIL;
        if (pthread_mutex_init(&c->lock, NULL) != 0) {
                free(c->buckets);
                free(c->nodes);
                return -ENOMEM;
        }
        if (pthread_cond_init(&c->done, NULL) != 0) {
                pthread_mutex_destroy(&c->lock);
                free(c->buckets);
                free(c->nodes);
                return -ENOMEM;
        }
        c->stats.capacity = capacity;
        *ret = TAKE_PTR(c);
        return 0;
}

void ae_wl_hash_cache_free(struct ae_wl_hash_cache *c)
{
        if (!c)
                return;
        pthread_cond_destroy(&c->done);
        pthread_mutex_destroy(&c->lock);
        free(c->buckets);
        free(c->nodes);
        free(c);
}

static void lru_unlink(struct ae_wl_hash_cache *c, uint32_t i)
{
        struct node *n = &c->nodes[i];

        if (n->prev != NIL)
                c->nodes[n->prev].next = n->next;
        else
                c->head = n->next;
        if (n->next != NIL)
                c->nodes[n->next].prev = n->prev;
        else
                c->tail = n->prev;
}

static void lru_push_front(struct ae_wl_hash_cache *c, uint32_t i)
{
        struct node *n = &c->nodes[i];

        n->prev = NIL;
        n->next = c->head;
        if (c->head != NIL)
                c->nodes[c->head].prev = i;
        c->head = i;
        if (c->tail == NIL)
                c->tail = i;
}

static uint32_t find(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k)
{
        if (!c->capacity)
                return NIL;
        for (uint32_t i = c->buckets[bucket_of(c, k)]; i != NIL; i = c->nodes[i].chain)
                if (key_eq(&c->nodes[i].key, k))
                        return i;
        return NIL;
}

static void chain_remove(struct ae_wl_hash_cache *c, uint32_t i)
{
        uint32_t *link = &c->buckets[bucket_of(c, &c->nodes[i].key)];

        while (*link != NIL && *link != i)
                link = &c->nodes[*link].chain;
        if (*link == i)
                *link = c->nodes[i].chain;
}

static void insert(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k,
                   const uint8_t digest[32])
{
        uint32_t i = find(c, k), b;

        if (i != NIL) { /* two callers hashed the same version */
                memcpy(c->nodes[i].digest, digest, 32);
                lru_unlink(c, i);
                lru_push_front(c, i);
                return;
        }
        if (c->free_list == NIL) {
                i = c->tail;
                lru_unlink(c, i);
                chain_remove(c, i);
                c->count--;
                c->stats.evictions++;
        } else {
                i = c->free_list;
                c->free_list = c->nodes[i].next;
        }
        c->nodes[i].key = *k;
        memcpy(c->nodes[i].digest, digest, 32);
        b = bucket_of(c, k);
        c->nodes[i].chain = c->buckets[b];
        c->buckets[b] = i;
        lru_push_front(c, i);
        c->count++;
        c->stats.stored++;
}

/* Callers still arriving never attach to a finished entry. */
static struct inflight *inflight_find(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *k)
{
        for (size_t i = 0; i < AE_WL_INFLIGHT_MAX; i++)
                if (c->inflight[i].used && !c->inflight[i].done &&
                    key_eq(&c->inflight[i].key, k))
                        return &c->inflight[i];
        return NULL;
}

static void inflight_release_if_idle(struct inflight *s)
{
        if (s->done && s->waiters == 0)
                s->used = false;
}

int ae_wl_hash_cache_begin(struct ae_wl_hash_cache *c, const struct ae_wl_file_key *key,
                           uint8_t ret_digest[32], int *ret_ticket)
{
        struct inflight *s;
        uint32_t i;

        pthread_mutex_lock(&c->lock);
        for (;;) {
                bool ok;

                i = find(c, key);
                if (i != NIL) {
                        lru_unlink(c, i);
                        lru_push_front(c, i);
                        memcpy(ret_digest, c->nodes[i].digest, 32);
                        c->stats.hits++;
                        pthread_mutex_unlock(&c->lock);
                        return 1;
                }
                s = inflight_find(c, key);
                if (!s)
                        break;
                s->waiters++;
                while (!s->done)
                        pthread_cond_wait(&c->done, &c->lock);
                s->waiters--;
                ok = s->ok;
                if (ok)
                        memcpy(ret_digest, s->digest, 32);
                inflight_release_if_idle(s);
                if (ok) {
                        c->stats.shared++;
                        pthread_mutex_unlock(&c->lock);
                        return 1;
                }
                /* That hash failed: look again, then try ourselves. */
        }
        c->stats.misses++;
        *ret_ticket = -1;
        for (int k = 0; k < AE_WL_INFLIGHT_MAX; k++)
                if (!c->inflight[k].used) {
                        s = &c->inflight[k];
                        memset(s, 0, sizeof(*s));
                        s->used = true;
                        s->key = *key;
                        *ret_ticket = k;
                        break;
                }
        pthread_mutex_unlock(&c->lock);
        return 0;
}

void ae_wl_hash_cache_end(struct ae_wl_hash_cache *c, int ticket, const struct ae_wl_file_key *key,
                          const uint8_t *digest, bool store)
{
        pthread_mutex_lock(&c->lock);
        if (digest && store && c->capacity)
                insert(c, key, digest);
        if (ticket >= 0 && ticket < AE_WL_INFLIGHT_MAX && c->inflight[ticket].used) {
                struct inflight *s = &c->inflight[ticket];

                s->done = true;
                s->ok = digest != NULL;
                if (digest)
                        memcpy(s->digest, digest, 32);
                inflight_release_if_idle(s);
                pthread_cond_broadcast(&c->done);
        }
        pthread_mutex_unlock(&c->lock);
}

void ae_wl_hash_cache_stats(struct ae_wl_hash_cache *c, struct ae_wl_cache_stats *ret)
{
        pthread_mutex_lock(&c->lock);
        *ret = c->stats;
        ret->entries = c->count;
        pthread_mutex_unlock(&c->lock);
}

size_t ae_wl_hash_cache_memory(const struct ae_wl_hash_cache *c)
{
        return sizeof(*c) + (size_t)c->n_buckets * sizeof(*c->buckets) +
               c->capacity * sizeof(*c->nodes);
}
