#include "workload-attestor/proc_text.h"

#include <string.h>

int ae_wl_next_line(struct ae_cursor *c, struct ae_wl_span *ret)
{
        size_t left = ae_cursor_remaining(c), n;
        const uint8_t *start, *nl;

        ENSURE(left > 0, -ENODATA);
        start = c->data + c->pos;
        nl = memchr(start, '\n', left);
        n = nl ? (size_t)(nl - start) : left;
        GUARD(ae_cursor_skip(c, nl ? n + 1 : n));
        ret->p = (const char *)start;
        ret->len = n;
        return 0;
}

static bool is_sep(char ch)
{
        return ch == ' ' || ch == '\t';
}

bool ae_wl_next_field(struct ae_wl_span *s, struct ae_wl_span *ret)
{
        size_t i = 0, start;

        while (i < s->len && is_sep(s->p[i]))
                i++;
        if (i == s->len) {
                s->p += i;
                s->len = 0;
                return false;
        }
        start = i;
        while (i < s->len && !is_sep(s->p[i]))
                i++;
        ret->p = s->p + start;
        ret->len = i - start;
        s->p += i;
        s->len -= i;
        return true;
}

bool ae_wl_strip_prefix(struct ae_wl_span s, const char *key, struct ae_wl_span *ret_rest)
{
        size_t k = strlen(key);

        if (s.len < k || memcmp(s.p, key, k) != 0)
                return false;
        ret_rest->p = s.p + k;
        ret_rest->len = s.len - k;
        return true;
}

int ae_wl_parse_u64(struct ae_wl_span s, uint64_t *ret)
{
        uint64_t v = 0;

        ENSURE(s.len > 0 && s.len <= 20, -EINVAL);
        for (size_t i = 0; i < s.len; i++) {
                unsigned d = (unsigned char)s.p[i] - '0';

                ENSURE(d <= 9, -EINVAL);
                ENSURE(v <= (UINT64_MAX - d) / 10, -EINVAL);
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int ae_wl_parse_i64(struct ae_wl_span s, int64_t *ret)
{
        bool neg = s.len > 0 && s.p[0] == '-';
        struct ae_wl_span digits = { s.p + neg, s.len - neg };
        uint64_t v;

        GUARD(ae_wl_parse_u64(digits, &v));
        if (neg) {
                ENSURE(v <= (uint64_t)INT64_MAX + 1, -EINVAL);
                *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        } else {
                ENSURE(v <= INT64_MAX, -EINVAL);
                *ret = (int64_t)v;
        }
        return 0;
}

bool ae_wl_span_eq(struct ae_wl_span s, const char *text)
{
        size_t n = strlen(text);

        return s.len == n && memcmp(s.p, text, n) == 0;
}
