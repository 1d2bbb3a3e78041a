#include "common/hex.h"

int ae_hex_encode(const void *in, size_t n, char *out, size_t out_size)
{
        static const char digits[] = "0123456789abcdef";
        const uint8_t *p = in;

        ENSURE(n <= (SIZE_MAX - 1) / 2, -EOVERFLOW);
        ENSURE(out_size >= AE_HEX_SIZE(n), -ENOBUFS);
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[p[i] >> 4];
                out[2 * i + 1] = digits[p[i] & 0x0f];
        }
        out[2 * n] = '\0';
        return 0;
}

static int nibble(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int ae_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_size, size_t *ret_len)
{
        size_t n = in_len / 2;

        ENSURE(in_len % 2 == 0, -EINVAL);
        ENSURE(n <= out_size, -ENOBUFS);
        /* Validate everything before writing, so a bad digit leaves out intact. */
        for (size_t i = 0; i < in_len; i++)
                ENSURE(nibble(in[i]) >= 0, -EINVAL);
        for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(nibble(in[2 * i]) << 4 | nibble(in[2 * i + 1]));
        *ret_len = n;
        return 0;
}
