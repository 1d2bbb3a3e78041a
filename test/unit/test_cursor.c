#include "common/cursor.h"

#include <string.h>

#include "check_util.h"

static const uint8_t msg[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                               0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

START_TEST(integers_big_endian)
{
        struct ae_cursor c;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;

        ae_cursor_init(&c, msg, sizeof(msg));
        ck_assert_int_eq(ae_cursor_read_u8(&c, &u8), 0);
        ck_assert_uint_eq(u8, 0x01);
        ck_assert_int_eq(ae_cursor_read_u16(&c, &u16), 0);
        ck_assert_uint_eq(u16, 0x0203);
        ck_assert_int_eq(ae_cursor_read_u32(&c, &u32), 0);
        ck_assert_uint_eq(u32, 0x04050607);
        ck_assert_int_eq(ae_cursor_read_u64(&c, &u64), 0);
        ck_assert(u64 == 0x08090a0b0c0d0e0fULL);
        ck_assert_uint_eq(ae_cursor_remaining(&c), 0);
        ck_assert_int_eq(ae_cursor_expect_end(&c), 0);
}
END_TEST

START_TEST(short_read_leaves_cursor)
{
        struct ae_cursor c;
        uint32_t u32 = 0xdeadbeef;
        uint64_t u64;
        uint8_t buf[4];

        ae_cursor_init(&c, msg, 3);
        ck_assert_int_eq(ae_cursor_read_u32(&c, &u32), -EBADMSG);
        ck_assert_uint_eq(u32, 0xdeadbeef); /* output untouched */
        ck_assert_uint_eq(c.pos, 0);
        ck_assert_int_eq(ae_cursor_read_u64(&c, &u64), -EBADMSG);
        ck_assert_int_eq(ae_cursor_copy(&c, buf, 4), -EBADMSG);
        ck_assert_int_eq(ae_cursor_skip(&c, 4), -EBADMSG);
        ck_assert_uint_eq(c.pos, 0);
        ck_assert_int_eq(ae_cursor_expect_end(&c), -EBADMSG);
        ck_assert_int_eq(ae_cursor_skip(&c, 3), 0);
        ck_assert_int_eq(ae_cursor_expect_end(&c), 0);
}
END_TEST

START_TEST(huge_length_does_not_wrap)
{
        struct ae_cursor c;
        const uint8_t *p;

        ae_cursor_init(&c, msg, sizeof(msg));
        ck_assert_int_eq(ae_cursor_skip(&c, 2), 0);
        /* pos + n would overflow size_t; the check must be on what remains. */
        ck_assert_int_eq(ae_cursor_read_bytes(&c, SIZE_MAX, &p), -EBADMSG);
        ck_assert_int_eq(ae_cursor_read_bytes(&c, SIZE_MAX - 1, &p), -EBADMSG);
        ck_assert_uint_eq(c.pos, 2);
}
END_TEST

START_TEST(borrow_and_copy)
{
        struct ae_cursor c;
        const uint8_t *p;
        uint8_t buf[3];

        ae_cursor_init(&c, msg, sizeof(msg));
        ck_assert_int_eq(ae_cursor_read_bytes(&c, 2, &p), 0);
        ck_assert_ptr_eq(p, msg);
        ck_assert_int_eq(ae_cursor_copy(&c, buf, 3), 0);
        ck_assert_mem_eq(buf, msg + 2, 3);
        ck_assert_int_eq(ae_cursor_read_bytes(&c, 0, &p), 0);
        ck_assert_int_eq(ae_cursor_copy(&c, NULL, 0), 0);
}
END_TEST

START_TEST(sized16)
{
        const uint8_t good[] = { 0x00, 0x03, 'a', 'b', 'c', 0xff };
        const uint8_t trunc[] = { 0x00, 0x05, 'a', 'b' };
        const uint8_t empty[] = { 0x00, 0x00 };
        struct ae_cursor c;
        const uint8_t *p;
        size_t n = 99;

        ae_cursor_init(&c, good, sizeof(good));
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 2, &p, &n), -EMSGSIZE);
        ck_assert_uint_eq(c.pos, 0);
        ck_assert_uint_eq(n, 99);
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 3, &p, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_mem_eq(p, "abc", 3);
        ck_assert_uint_eq(ae_cursor_remaining(&c), 1);

        ae_cursor_init(&c, trunc, sizeof(trunc));
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 100, &p, &n), -EBADMSG);
        ck_assert_uint_eq(c.pos, 0); /* the length prefix was not consumed */

        ae_cursor_init(&c, trunc, 1);
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 100, &p, &n), -EBADMSG);

        ae_cursor_init(&c, empty, sizeof(empty));
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 0, &p, &n), 0);
        ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(null_buffer_is_empty)
{
        struct ae_cursor c;
        uint8_t u8;

        ae_cursor_init(&c, NULL, 100);
        ck_assert_uint_eq(ae_cursor_remaining(&c), 0);
        ck_assert_int_eq(ae_cursor_read_u8(&c, &u8), -EBADMSG);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cursor");
        TCase *tc = tcase_create("cursor");

        tcase_add_test(tc, integers_big_endian);
        tcase_add_test(tc, short_read_leaves_cursor);
        tcase_add_test(tc, huge_length_does_not_wrap);
        tcase_add_test(tc, borrow_and_copy);
        tcase_add_test(tc, sized16);
        tcase_add_test(tc, null_buffer_is_empty);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
