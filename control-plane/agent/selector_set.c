#include "control-plane/agent/selector_set.h"

#include <stdlib.h>
#include <string.h>

struct ae_selector_set {
        size_t n, cap;
        char **items;
        bool sealed;
};

int ae_selector_set_new(struct ae_selector_set **ret)
{
        ENSURE(ret, -EINVAL);
        *ret = calloc(1, sizeof(**ret));
        ENSURE_ALLOC(*ret);
        return 0;
}

void ae_selector_set_free(struct ae_selector_set *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                free(s->items[i]);
        free(s->items);
        free(s);
}

static bool printable(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
                        return false;
        return true;
}

bool ae_selector_valid(const char *text)
{
        const char *colon;
        size_t len;

        if (!text)
                return false;
        len = strnlen(text, AE_SELECTOR_MAX + 1);
        colon = memchr(text, ':', len);
        return len <= AE_SELECTOR_MAX && colon && colon > text && colon[1] != '\0' &&
               printable(text, len);
}

static int cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Unsealed sets may hold repeats until seal; lookups during adds scan. */
static bool holds(const struct ae_selector_set *s, const char *sel)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->items[i], sel) == 0)
                        return true;
        return false;
}

int ae_selector_set_add(struct ae_selector_set *s, const char *type, const char *const *values,
                        size_t n)
{
        size_t tlen, added = 0;

        ENSURE(s && type && (values || n == 0), -EINVAL);
        tlen = strlen(type);
        ENSURE(tlen > 0 && !strchr(type, ':') && printable(type, tlen), -EINVAL);
        /* Check everything first: a refused add leaves the set as it was. */
        for (size_t i = 0; i < n; i++) {
                ENSURE(values[i] && values[i][0] && printable(values[i], strlen(values[i])),
                       -EINVAL);
                ENSURE(tlen + 1 + strlen(values[i]) <= AE_SELECTOR_MAX, -ENAMETOOLONG);
        }
        ENSURE(s->n + n <= AE_SELECTOR_SET_MAX, -E2BIG);
        if (s->n + n > s->cap) {
                size_t cap = s->n + n + 16;
                char **items = realloc(s->items, cap * sizeof(*items));

                ENSURE_ALLOC(items);
                s->items = items;
                s->cap = cap;
        }
        for (size_t i = 0; i < n; i++) {
                size_t vlen = strlen(values[i]);
                char *sel = malloc(tlen + 1 + vlen + 1);

                if (!sel) {
                        /* Undo this call's adds. */
                        while (added--)
                                free(s->items[--s->n]);
                        return -ENOMEM;
                }
                memcpy(sel, type, tlen);
                sel[tlen] = ':';
                memcpy(sel + tlen + 1, values[i], vlen + 1);
                if (holds(s, sel)) {
                        free(sel);
                        continue;
                }
                s->items[s->n++] = sel;
                added++;
        }
        s->sealed = false;
        return 0;
}

void ae_selector_set_seal(struct ae_selector_set *s)
{
        if (s->n > 1)
                qsort(s->items, s->n, sizeof(*s->items), cmp);
        s->sealed = true;
}

bool ae_selector_set_contains(const struct ae_selector_set *s, const char *selector)
{
        if (!s || !selector)
                return false;
        if (!s->sealed)
                return holds(s, selector);
        return bsearch(&selector, s->items, s->n, sizeof(*s->items), cmp) != NULL;
}

size_t ae_selector_set_count(const struct ae_selector_set *s)
{
        return s ? s->n : 0;
}

const char *ae_selector_set_at(const struct ae_selector_set *s, size_t i)
{
        return s && i < s->n ? s->items[i] : NULL;
}
