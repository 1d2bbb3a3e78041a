#include "common/hex.h"

#include <string.h>

#include "check_util.h"

START_TEST(encode)
{
        const uint8_t in[] = { 0x00, 0x01, 0xab, 0xff, 0x7f };
        char out[AE_HEX_SIZE(5)];

        ck_assert_int_eq(ae_hex_encode(in, sizeof(in), out, sizeof(out)), 0);
        ck_assert_str_eq(out, "0001abff7f");
        ck_assert_int_eq(ae_hex_encode(in, 0, out, 1), 0);
        ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(encode_too_small)
{
        const uint8_t in[] = { 0xaa, 0xbb };
        char out[8] = "keep";

        ck_assert_int_eq(ae_hex_encode(in, 2, out, 4), -ENOBUFS);
        ck_assert_str_eq(out, "keep");
        ck_assert_int_eq(ae_hex_encode(in, 0, out, 0), -ENOBUFS);
}
END_TEST

START_TEST(decode_both_cases)
{
        uint8_t out[4];
        size_t n = 0;

        ck_assert_int_eq(ae_hex_decode("DeadBEef", 8, out, sizeof(out), &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_mem_eq(out, "\xde\xad\xbe\xef", 4);
        ck_assert_int_eq(ae_hex_decode("", 0, out, 0, &n), 0);
        ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(decode_rejects)
{
        uint8_t out[4] = { 1, 2, 3, 4 };
        size_t n = 77;

        ck_assert_int_eq(ae_hex_decode("abc", 3, out, sizeof(out), &n), -EINVAL);
        ck_assert_int_eq(ae_hex_decode("zz", 2, out, sizeof(out), &n), -EINVAL);
        ck_assert_int_eq(ae_hex_decode("0g", 2, out, sizeof(out), &n), -EINVAL);
        ck_assert_int_eq(ae_hex_decode("0 ", 2, out, sizeof(out), &n), -EINVAL);
        /* A bad digit late in the string leaves the output untouched. */
        ck_assert_int_eq(ae_hex_decode("aabbccgg", 8, out, sizeof(out), &n), -EINVAL);
        ck_assert_mem_eq(out, "\x01\x02\x03\x04", 4);
        ck_assert_int_eq(ae_hex_decode("aabbccddee", 10, out, sizeof(out), &n), -ENOBUFS);
        ck_assert_uint_eq(n, 77);
}
END_TEST

START_TEST(round_trip_all_bytes)
{
        uint8_t in[256], back[256];
        char text[AE_HEX_SIZE(256)];
        size_t n;

        for (int i = 0; i < 256; i++)
                in[i] = (uint8_t)i;
        ck_assert_int_eq(ae_hex_encode(in, 256, text, sizeof(text)), 0);
        ck_assert_uint_eq(strlen(text), 512);
        ck_assert_int_eq(ae_hex_decode(text, 512, back, sizeof(back), &n), 0);
        ck_assert_uint_eq(n, 256);
        ck_assert_mem_eq(in, back, 256);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("hex");
        TCase *tc = tcase_create("hex");

        tcase_add_test(tc, encode);
        tcase_add_test(tc, encode_too_small);
        tcase_add_test(tc, decode_both_cases);
        tcase_add_test(tc, decode_rejects);
        tcase_add_test(tc, round_trip_all_bytes);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
