#include "common/writer.h"

#include <string.h>

void ae_writer_init(struct ae_writer *w, void *buf, size_t cap)
{
        w->buf = buf;
        w->cap = buf ? cap : 0;
        w->len = 0;
}

static int put_be(struct ae_writer *w, uint64_t v, size_t n)
{
        ENSURE(n <= w->cap - w->len, -ENOBUFS);
        for (size_t i = 0; i < n; i++)
                w->buf[w->len + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
        w->len += n;
        return 0;
}

int ae_writer_put_u8(struct ae_writer *w, uint8_t v)
{
        return put_be(w, v, 1);
}

int ae_writer_put_u16(struct ae_writer *w, uint16_t v)
{
        return put_be(w, v, 2);
}

int ae_writer_put_u32(struct ae_writer *w, uint32_t v)
{
        return put_be(w, v, 4);
}

int ae_writer_put_u64(struct ae_writer *w, uint64_t v)
{
        return put_be(w, v, 8);
}

int ae_writer_put_bytes(struct ae_writer *w, const void *p, size_t n)
{
        ENSURE(n <= w->cap - w->len, -ENOBUFS);
        if (n)
                memcpy(w->buf + w->len, p, n);
        w->len += n;
        return 0;
}

int ae_writer_put_sized16(struct ae_writer *w, const void *p, size_t n)
{
        ENSURE(n <= UINT16_MAX, -EMSGSIZE);
        /* Check the whole item first so a failure writes nothing. */
        ENSURE(n <= w->cap - w->len && 2 <= w->cap - w->len - n, -ENOBUFS);
        GUARD(ae_writer_put_u16(w, (uint16_t)n));
        return ae_writer_put_bytes(w, p, n);
}
