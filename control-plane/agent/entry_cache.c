#include "control-plane/agent/entry_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ae_entry_cache {
        pthread_rwlock_t lock;
        struct ae_reg_entry *entries;
        size_t n;
        uint64_t generation;
};

int ae_entry_cache_new(struct ae_entry_cache **ret)
{
        struct ae_entry_cache *c;

        ENSURE(ret, -EINVAL);
        c = calloc(1, sizeof(*c));
        ENSURE_ALLOC(c);
        if (pthread_rwlock_init(&c->lock, NULL) != 0) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

void ae_entry_cache_free(struct ae_entry_cache *c)
{
        if (!c)
                return;
        pthread_rwlock_destroy(&c->lock);
        free(c->entries);
        free(c);
}

static int check(const struct ae_reg_entry *entries, size_t n, enum ae_reg_entry_error *ret_err,
                 size_t *ret_index)
{
        for (size_t i = 0; i < n; i++) {
                enum ae_reg_entry_error err = ae_reg_entry_validate(&entries[i]);

                for (size_t j = 0; j < i && err == AE_REG_ENTRY_OK; j++)
                        if (strcmp(entries[i].id, entries[j].id) == 0)
                                err = AE_REG_ENTRY_ID;
                if (err != AE_REG_ENTRY_OK) {
                        if (ret_err)
                                *ret_err = err;
                        if (ret_index)
                                *ret_index = i;
                        return -EINVAL;
                }
        }
        return 0;
}

int ae_entry_cache_set(struct ae_entry_cache *c, const struct ae_reg_entry *entries, size_t n,
                       enum ae_reg_entry_error *ret_err, size_t *ret_index)
{
        struct ae_reg_entry *copy = NULL, *old;

        ENSURE(c && (entries || n == 0), -EINVAL);
        if (ret_err)
                *ret_err = AE_REG_ENTRY_OK;
        ENSURE(n <= AE_ENTRY_CACHE_MAX, -E2BIG);
        GUARD(check(entries, n, ret_err, ret_index));
        if (n) {
                copy = malloc(n * sizeof(*copy));
                ENSURE_ALLOC(copy);
                memcpy(copy, entries, n * sizeof(*copy));
        }
        pthread_rwlock_wrlock(&c->lock);
        old = c->entries;
        c->entries = copy;
        c->n = n;
        c->generation++;
        pthread_rwlock_unlock(&c->lock);
        free(old);
        return 0;
}

int ae_entry_cache_match(struct ae_entry_cache *c, const struct ae_selector_set *s,
                         struct ae_reg_entry **ret, size_t *ret_n)
{
        struct ae_reg_entry *out = NULL;
        size_t n = 0;
        int r = 0;

        ENSURE(c && s && ret && ret_n, -EINVAL);
        pthread_rwlock_rdlock(&c->lock);
        for (size_t i = 0; i < c->n; i++) {
                struct ae_reg_entry *grown;

                if (!ae_reg_entry_matches(&c->entries[i], s))
                        continue;
                grown = realloc(out, (n + 1) * sizeof(*out));
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                out = grown;
                out[n++] = c->entries[i];
        }
        pthread_rwlock_unlock(&c->lock);
        if (r < 0) {
                free(out);
                return r;
        }
        *ret = out;
        *ret_n = n;
        return 0;
}

uint64_t ae_entry_cache_generation(struct ae_entry_cache *c)
{
        uint64_t g;

        pthread_rwlock_rdlock(&c->lock);
        g = c->generation;
        pthread_rwlock_unlock(&c->lock);
        return g;
}
