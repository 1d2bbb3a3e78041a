#include "common/base64.h"


static const char std_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int ae_b64_encode(enum ae_b64_variant v, const void *in, size_t n, char *out, size_t out_size,
                  size_t *ret_len)
{
        const char *abc = v == AE_B64_URL ? url_alphabet : std_alphabet;
        const uint8_t *p = in;
        size_t o = 0, i = 0;

        ENSURE(v == AE_B64_STD || v == AE_B64_URL, -EINVAL);
        ENSURE(n <= (SIZE_MAX - 1) / 4 * 3 - 2, -EOVERFLOW);
        ENSURE(out_size >= AE_B64_ENCODED_SIZE(n), -ENOBUFS);

        for (; i + 3 <= n; i += 3) {
                uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
                out[o++] = abc[w >> 18];
                out[o++] = abc[(w >> 12) & 63];
                out[o++] = abc[(w >> 6) & 63];
                out[o++] = abc[w & 63];
        }
        if (n - i == 1) {
                uint32_t w = (uint32_t)p[i] << 16;
                out[o++] = abc[w >> 18];
                out[o++] = abc[(w >> 12) & 63];
                if (v == AE_B64_STD) {
                        out[o++] = '=';
                        out[o++] = '=';
                }
        } else if (n - i == 2) {
                uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
                out[o++] = abc[w >> 18];
                out[o++] = abc[(w >> 12) & 63];
                out[o++] = abc[(w >> 6) & 63];
                if (v == AE_B64_STD)
                        out[o++] = '=';
        }
        out[o] = '\0';
        if (ret_len)
                *ret_len = o;
        return 0;
}

/* 256-entry decode tables, one load per symbol: the symbol's value, or 0xff
 * for a byte outside the alphabet. Constant, so there is no initialisation
 * race; test_base64 checks every entry against the alphabets above. */
#define X 0xff
#define ROW_STD_2B X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63
#define ROW_URL_2B X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X
#define ROW_3 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X
#define ROW_4 X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
#define ROW_5_STD 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X
#define ROW_5_URL 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63
#define ROW_6 X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40
#define ROW_7 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X
#define ROW_X X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
#define HIGH ROW_X, ROW_X, ROW_X, ROW_X, ROW_X, ROW_X, ROW_X, ROW_X

static const uint8_t std_table[256] = { ROW_X, ROW_X, ROW_STD_2B, ROW_3, ROW_4, ROW_5_STD,
                                        ROW_6, ROW_7, HIGH };
static const uint8_t url_table[256] = { ROW_X, ROW_X, ROW_URL_2B, ROW_3, ROW_4, ROW_5_URL,
                                        ROW_6, ROW_7, HIGH };
#undef X

int ae_b64_decode(enum ae_b64_variant v, const char *in, size_t in_len, uint8_t *out,
                  size_t out_size, size_t *ret_len)
{
        const uint8_t *table = v == AE_B64_URL ? url_table : std_table;
        const unsigned char *p = (const unsigned char *)in;
        size_t data_len = in_len, tail, full, o = 0;
        uint32_t acc = 0;

        ENSURE(v == AE_B64_STD || v == AE_B64_URL, -EINVAL);
        if (v == AE_B64_STD) {
                ENSURE(in_len % 4 == 0, -EINVAL);
                /* At most two '=' and only at the very end. */
                if (data_len > 0 && in[data_len - 1] == '=')
                        data_len--;
                if (data_len > 0 && in[data_len - 1] == '=')
                        data_len--;
        }
        tail = data_len % 4;
        full = data_len - tail;
        ENSURE(tail != 1, -EINVAL); /* one symbol carries only 6 bits */
        ENSURE(full / 4 * 3 + (tail ? tail - 1 : 0) <= out_size, -ENOBUFS);

        for (size_t i = 0; i < full; i += 4) {
                uint32_t a = table[p[i]], b = table[p[i + 1]], c = table[p[i + 2]],
                         d = table[p[i + 3]];

                /* 0xff has bit 7 set; valid symbols never do. */
                ENSURE(((a | b | c | d) & 0x80) == 0, -EINVAL);
                acc = a << 18 | b << 12 | c << 6 | d;
                out[o++] = (uint8_t)(acc >> 16);
                out[o++] = (uint8_t)(acc >> 8);
                out[o++] = (uint8_t)acc;
        }
        acc = 0;
        for (size_t i = full; i < data_len; i++) {
                uint32_t s = table[p[i]];

                ENSURE((s & 0x80) == 0, -EINVAL);
                acc = acc << 6 | s;
        }
        if (tail == 2) {
                ENSURE((acc & 0x0f) == 0, -EINVAL); /* non-canonical low bits */
                out[o++] = (uint8_t)(acc >> 4);
        } else if (tail == 3) {
                ENSURE((acc & 0x03) == 0, -EINVAL);
                out[o++] = (uint8_t)(acc >> 10);
                out[o++] = (uint8_t)(acc >> 2);
        }
        *ret_len = o;
        return 0;
}
