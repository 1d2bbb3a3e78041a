#include "workload-attestor/selectors.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload-attestor/workload_attestor.h"

static int reserve(struct ae_wl_selectors *s, size_t more)
{
        size_t need, cap;
        char *p;

        ENSURE(more < SIZE_MAX - s->len, -ENOMEM);
        need = s->len + more;
        if (need <= s->cap)
                return 0;
        cap = s->cap ? s->cap : 512;
        while (cap < need) {
                ENSURE(cap < SIZE_MAX / 2, -ENOMEM);
                cap *= 2;
        }
        p = realloc(s->buf, cap);
        ENSURE_ALLOC(p);
        s->buf = p;
        s->cap = cap;
        return 0;
}

int ae_wl_sel_add(struct ae_wl_selectors *s, const char *type, const char *value,
                  size_t value_len)
{
        size_t tl = strlen(type);

        ENSURE(!memchr(value, '\0', value_len), -EINVAL);
        ENSURE(value_len < SIZE_MAX - tl - 2, -ENOMEM);
        GUARD(reserve(s, tl + 1 + value_len + 1));
        memcpy(s->buf + s->len, type, tl);
        s->buf[s->len + tl] = ':';
        memcpy(s->buf + s->len + tl + 1, value, value_len);
        s->buf[s->len + tl + 1 + value_len] = '\0';
        s->len += tl + 1 + value_len + 1;
        s->n++;
        return 0;
}

int ae_wl_sel_add_u32(struct ae_wl_selectors *s, const char *type, unsigned long v)
{
        char num[24];
        int n = snprintf(num, sizeof(num), "%lu", v);

        return ae_wl_sel_add(s, type, num, (size_t)n);
}

int ae_wl_sel_has(const struct ae_wl_selectors *s, const char *type, const char *value,
                  size_t value_len)
{
        size_t tl = strlen(type);

        for (size_t off = 0; off < s->len;) {
                const char *sel = s->buf + off;
                size_t l = strlen(sel);

                if (l == tl + 1 + value_len && memcmp(sel, type, tl) == 0 && sel[tl] == ':' &&
                    memcmp(sel + tl + 1, value, value_len) == 0)
                        return 1;
                off += l + 1;
        }
        return 0;
}

void ae_wl_sel_fini(struct ae_wl_selectors *s)
{
        if (!s)
                return;
        free(s->buf);
        memset(s, 0, sizeof(*s));
}

int ae_wl_sel_pack(const struct ae_wl_selectors *s, const struct ae_workload_result *tmpl,
                   struct ae_workload_result **ret)
{
        struct ae_workload_result *r;
        const char **ptrs;
        char *text;
        size_t head = sizeof(*r), total;

        /* Pointer array aligned after the struct, then the strings. */
        head = (head + _Alignof(char *) - 1) & ~(_Alignof(char *) - 1);
        ENSURE(s->n < (SIZE_MAX - head - s->len - 1) / sizeof(char *), -ENOMEM);
        total = head + s->n * sizeof(char *) + s->len + 1;
        r = malloc(total);
        ENSURE_ALLOC(r);
        *r = *tmpl;
        ptrs = (const char **)((char *)r + head);
        text = (char *)(ptrs + s->n);
        if (s->len)
                memcpy(text, s->buf, s->len);
        text[s->len] = '\0';
        r->path = text + s->len; /* "" */
        for (size_t i = 0, off = 0; i < s->n; i++) {
                ptrs[i] = text + off;
                if (r->path == text + s->len && strncmp(ptrs[i], "path:", 5) == 0)
                        r->path = ptrs[i] + 5;
                off += strlen(text + off) + 1;
        }
        r->n_selectors = s->n;
        r->selectors = ptrs;
        *ret = r;
        return 0;
}
