#include "common/base64.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "check_util.h"

/* RFC 4648 section 10 test vectors. */
static const struct {
        const char *plain, *std, *url;
} vectors[] = {
        { "", "", "" },
        { "f", "Zg==", "Zg" },
        { "fo", "Zm8=", "Zm8" },
        { "foo", "Zm9v", "Zm9v" },
        { "foob", "Zm9vYg==", "Zm9vYg" },
        { "fooba", "Zm9vYmE=", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

START_TEST(rfc4648_vectors)
{
        for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
                const char *plain = vectors[i].plain;
                char text[32];
                uint8_t back[32];
                size_t n;

                ck_assert_int_eq(ae_b64_encode(AE_B64_STD, plain, strlen(plain), text,
                                               sizeof(text), &n), 0);
                ck_assert_str_eq(text, vectors[i].std);
                ck_assert_uint_eq(n, strlen(vectors[i].std));
                ck_assert_int_eq(ae_b64_encode(AE_B64_URL, plain, strlen(plain), text,
                                               sizeof(text), NULL), 0);
                ck_assert_str_eq(text, vectors[i].url);

                ck_assert_int_eq(ae_b64_decode(AE_B64_STD, vectors[i].std,
                                               strlen(vectors[i].std), back, sizeof(back), &n),
                                 0);
                ck_assert_uint_eq(n, strlen(plain));
                ck_assert_mem_eq(back, plain, n);
                ck_assert_int_eq(ae_b64_decode(AE_B64_URL, vectors[i].url,
                                               strlen(vectors[i].url), back, sizeof(back), &n),
                                 0);
                ck_assert_uint_eq(n, strlen(plain));
                ck_assert_mem_eq(back, plain, n);
        }
}
END_TEST

START_TEST(url_alphabet)
{
        const uint8_t in[] = { 0xfb, 0xff, 0xbf };
        char text[8];
        uint8_t back[3];
        size_t n;

        ck_assert_int_eq(ae_b64_encode(AE_B64_STD, in, 3, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, "+/+/");
        ck_assert_int_eq(ae_b64_encode(AE_B64_URL, in, 3, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, "-_-_");
        ck_assert_int_eq(ae_b64_decode(AE_B64_URL, "-_-_", 4, back, 3, &n), 0);
        ck_assert_mem_eq(back, in, 3);
        /* Each alphabet rejects the other's symbols. */
        ck_assert_int_eq(ae_b64_decode(AE_B64_URL, "+/+/", 4, back, 3, &n), -EINVAL);
        ck_assert_int_eq(ae_b64_decode(AE_B64_STD, "-_-_", 4, back, 3, &n), -EINVAL);
}
END_TEST

START_TEST(strict_rejections)
{
        static const char *const bad_std[] = {
                "Zg=",      /* length not a multiple of 4 */
                "Zg",       /* padding missing */
                "Z===",     /* a single symbol carries 6 bits only */
                "====",     /* padding only */
                "Zg=a",     /* '=' in the middle */
                "Zh==",     /* non-canonical: unused low bits set */
                "Zm9=",     /* non-canonical in the 2-byte tail */
                "Zm 9v",    /* whitespace */
                "Zm9v\n",   /* newline */
                "Zm9vYg===", /* three '=' */
                "Zm\x80v",  /* byte outside the alphabet */
        };
        static const char *const bad_url[] = {
                "Zg==", /* padding is not allowed in the URL variant */
                "Z",    /* 1 symbol */
                "Zh",   /* non-canonical */
                "Zm9vY", /* 5 symbols: remainder 1 */
        };
        uint8_t out[16];
        size_t n = 55;

        for (size_t i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
                ck_assert_msg(ae_b64_decode(AE_B64_STD, bad_std[i], strlen(bad_std[i]), out,
                                            sizeof(out), &n) == -EINVAL,
                              "accepted std %s", bad_std[i]);
        for (size_t i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
                ck_assert_msg(ae_b64_decode(AE_B64_URL, bad_url[i], strlen(bad_url[i]), out,
                                            sizeof(out), &n) == -EINVAL,
                              "accepted url %s", bad_url[i]);
        ck_assert_uint_eq(n, 55);
        ck_assert_int_eq(ae_b64_decode(7, "Zg==", 4, out, sizeof(out), &n), -EINVAL);
}
END_TEST

START_TEST(buffer_limits)
{
        char text[8];
        uint8_t out[2];
        size_t n;

        ck_assert_int_eq(ae_b64_encode(AE_B64_STD, "foo", 3, text, 4, &n), -ENOBUFS);
        ck_assert_int_eq(ae_b64_encode(AE_B64_STD, "foo", 3, text, 5, &n), 0);
        ck_assert_int_eq(ae_b64_decode(AE_B64_STD, "Zm9v", 4, out, 2, &n), -ENOBUFS);
        ck_assert_int_eq(ae_b64_decode(AE_B64_STD, "Zm8=", 4, out, 2, &n), 0);
        ck_assert_uint_eq(n, 2);
}
END_TEST

/* Every byte value, in every position of a block: accepted exactly when it is
 * in the variant's alphabet, and decoded to its index there. */
START_TEST(decode_table_matches_alphabet)
{
        static const char *const abc[] = {
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        };
        const enum ae_b64_variant vs[] = { AE_B64_STD, AE_B64_URL };

        for (int v = 0; v < 2; v++)
                for (int c = 0; c < 256; c++)
                        for (int pos = 0; pos < 4; pos++) {
                                char text[4] = { 'A', 'A', 'A', 'A' };
                                const char *at = c ? strchr(abc[v], c) : NULL;
                                uint8_t out[3];
                                size_t n;
                                int r;

                                if (vs[v] == AE_B64_STD && c == '=' && pos == 3)
                                        continue; /* "AAA=" is valid padding */
                                text[pos] = (char)c;
                                r = ae_b64_decode(vs[v], text, 4, out, sizeof(out), &n);
                                if (!at) {
                                        ck_assert_msg(r == -EINVAL, "byte %d accepted", c);
                                        continue;
                                }
                                ck_assert_int_eq(r, 0);
                                uint32_t w = (uint32_t)out[0] << 16 | (uint32_t)out[1] << 8 |
                                             out[2];
                                ck_assert_uint_eq((w >> (6 * (3 - pos))) & 63,
                                                  (uint32_t)(at - abc[v]));
                        }
}
END_TEST

/* Agreement with OpenSSL's encoder (which we did not write) on random data. */
START_TEST(matches_openssl)
{
        uint8_t in[300], back[300];
        char ours[AE_B64_ENCODED_SIZE(300)];
        unsigned char theirs[AE_B64_ENCODED_SIZE(300)];

        for (int round = 0; round < 200; round++) {
                size_t len = (size_t)round % 300, n;
                int tn;

                ck_assert_int_eq(RAND_bytes(in, sizeof(in)), 1);
                ck_assert_int_eq(ae_b64_encode(AE_B64_STD, in, len, ours, sizeof(ours), &n), 0);
                tn = EVP_EncodeBlock(theirs, in, (int)len);
                ck_assert_int_eq(tn, (int)n);
                ck_assert_mem_eq(ours, theirs, n);
                ck_assert_int_eq(ae_b64_decode(AE_B64_STD, ours, n, back, sizeof(back), &n), 0);
                ck_assert_uint_eq(n, len);
                ck_assert_mem_eq(back, in, len);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("base64");
        TCase *tc = tcase_create("base64");

        tcase_add_test(tc, rfc4648_vectors);
        tcase_add_test(tc, url_alphabet);
        tcase_add_test(tc, strict_rejections);
        tcase_add_test(tc, buffer_limits);
        tcase_add_test(tc, decode_table_matches_alphabet);
        tcase_add_test(tc, matches_openssl);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
