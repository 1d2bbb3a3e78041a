#include "common/cursor.h"

#include <string.h>

void ae_cursor_init(struct ae_cursor *c, const void *data, size_t size)
{
        c->data = data;
        c->size = data ? size : 0;
        c->pos = 0;
}

size_t ae_cursor_remaining(const struct ae_cursor *c)
{
        return c->size - c->pos;
}

int ae_cursor_read_bytes(struct ae_cursor *c, size_t n, const uint8_t **ret)
{
        ENSURE(n <= ae_cursor_remaining(c), -EBADMSG);
        *ret = c->data + c->pos;
        c->pos += n;
        return 0;
}

/* Big-endian unsigned integer of n (1..8) bytes. */
static int read_be(struct ae_cursor *c, size_t n, uint64_t *ret)
{
        const uint8_t *p;
        uint64_t v = 0;

        GUARD(ae_cursor_read_bytes(c, n, &p));
        for (size_t i = 0; i < n; i++)
                v = (v << 8) | p[i];
        *ret = v;
        return 0;
}

int ae_cursor_read_u8(struct ae_cursor *c, uint8_t *ret)
{
        uint64_t v;

        GUARD(read_be(c, 1, &v));
        *ret = (uint8_t)v;
        return 0;
}

int ae_cursor_read_u16(struct ae_cursor *c, uint16_t *ret)
{
        uint64_t v;

        GUARD(read_be(c, 2, &v));
        *ret = (uint16_t)v;
        return 0;
}

int ae_cursor_read_u32(struct ae_cursor *c, uint32_t *ret)
{
        uint64_t v;

        GUARD(read_be(c, 4, &v));
        *ret = (uint32_t)v;
        return 0;
}

int ae_cursor_read_u64(struct ae_cursor *c, uint64_t *ret)
{
        return read_be(c, 8, ret);
}

int ae_cursor_copy(struct ae_cursor *c, void *dst, size_t n)
{
        const uint8_t *p;

        GUARD(ae_cursor_read_bytes(c, n, &p));
        if (n)
                memcpy(dst, p, n);
        return 0;
}

int ae_cursor_skip(struct ae_cursor *c, size_t n)
{
        const uint8_t *p;

        return ae_cursor_read_bytes(c, n, &p);
}

int ae_cursor_read_sized16(struct ae_cursor *c, size_t max, const uint8_t **ret, size_t *ret_len)
{
        struct ae_cursor peek = *c;
        const uint8_t *p;
        uint16_t n;

        GUARD(ae_cursor_read_u16(&peek, &n));
        ENSURE(n <= max, -EMSGSIZE);
        GUARD(ae_cursor_read_bytes(&peek, n, &p));
        *c = peek;
        *ret = p;
        *ret_len = n;
        return 0;
}

int ae_cursor_expect_end(const struct ae_cursor *c)
{
        ENSURE(ae_cursor_remaining(c) == 0, -EBADMSG);
        return 0;
}
