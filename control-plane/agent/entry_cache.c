#include "control-plane/agent/entry_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* An entry as held: its strings packed in one block. A struct
 * ae_reg_entry has room for the longest of everything (about 10 KiB); the
 * cache holds up to AE_ENTRY_CACHE_MAX of them for the agent's whole life,
 * where a typical entry's text is a few hundred bytes. */
struct held_entry {
        const char *id, *spiffe_id, *hint;
        const char *selectors[AE_REG_ENTRY_SELECTORS_MAX];
        size_t n_selectors;
        int64_t x509_svid_ttl, jwt_svid_ttl;
        char *text; /* every string above points into it */
};

struct ae_entry_cache {
        pthread_rwlock_t lock;
        struct held_entry *entries;
        size_t n;
        uint64_t generation;
};

/* Appends s (with its NUL) at *at; returns where it went. */
static const char *put(char **at, const char *s)
{
        size_t len = strlen(s) + 1;
        char *where = *at;

        memcpy(where, s, len);
        *at += len;
        return where;
}

static int hold(const struct ae_reg_entry *e, struct held_entry *ret)
{
        size_t size = strlen(e->id) + strlen(e->spiffe_id) + strlen(e->hint) + 3;
        char *at;

        for (size_t i = 0; i < e->n_selectors; i++)
                size += strlen(e->selectors[i]) + 1;
        ret->text = at = malloc(size);
        ENSURE_ALLOC(at);
        ret->id = put(&at, e->id);
        ret->spiffe_id = put(&at, e->spiffe_id);
        ret->hint = put(&at, e->hint);
        for (size_t i = 0; i < e->n_selectors; i++)
                ret->selectors[i] = put(&at, e->selectors[i]);
        ret->n_selectors = e->n_selectors;
        ret->x509_svid_ttl = e->x509_svid_ttl;
        ret->jwt_svid_ttl = e->jwt_svid_ttl;
        return 0;
}

/* Back to the full form. Every string fitted it when it was held. */
static void unhold(const struct held_entry *h, struct ae_reg_entry *ret)
{
        memset(ret, 0, sizeof(*ret));
        strcpy(ret->id, h->id);
        strcpy(ret->spiffe_id, h->spiffe_id);
        strcpy(ret->hint, h->hint);
        for (size_t i = 0; i < h->n_selectors; i++)
                strcpy(ret->selectors[i], h->selectors[i]);
        ret->n_selectors = h->n_selectors;
        ret->x509_svid_ttl = h->x509_svid_ttl;
        ret->jwt_svid_ttl = h->jwt_svid_ttl;
}

/* As ae_reg_entry_matches, on the held form. */
static bool held_matches(const struct held_entry *h, const struct ae_selector_set *workload)
{
        if (h->n_selectors == 0)
                return false;
        for (size_t i = 0; i < h->n_selectors; i++)
                if (!ae_selector_set_contains(workload, h->selectors[i]))
                        return false;
        return true;
}

static void free_held(struct held_entry *entries, size_t n)
{
        for (size_t i = 0; entries && i < n; i++)
                free(entries[i].text);
        free(entries);
}

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
        free_held(c->entries, c->n);
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
        struct held_entry *copy = NULL, *old;
        size_t n_old;

        ENSURE(c && (entries || n == 0), -EINVAL);
        if (ret_err)
                *ret_err = AE_REG_ENTRY_OK;
        ENSURE(n <= AE_ENTRY_CACHE_MAX, -E2BIG);
        GUARD(check(entries, n, ret_err, ret_index));
        if (n) {
                copy = calloc(n, sizeof(*copy));
                ENSURE_ALLOC(copy);
                for (size_t i = 0; i < n; i++) {
                        if (hold(&entries[i], &copy[i]) < 0) {
                                free_held(copy, i);
                                return -ENOMEM;
                        }
                }
        }
        pthread_rwlock_wrlock(&c->lock);
        old = c->entries;
        n_old = c->n;
        c->entries = copy;
        c->n = n;
        c->generation++;
        pthread_rwlock_unlock(&c->lock);
        free_held(old, n_old);
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

                if (!held_matches(&c->entries[i], s))
                        continue;
                grown = realloc(out, (n + 1) * sizeof(*out));
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                out = grown;
                unhold(&c->entries[i], &out[n++]);
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
