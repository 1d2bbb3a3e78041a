#include "common/writer.h"

#include <string.h>

#include "common/cursor.h"
#include "check_util.h"

START_TEST(round_trip_with_cursor)
{
        uint8_t buf[32];
        struct ae_writer w;
        struct ae_cursor c;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;
        const uint8_t *p;
        size_t n;

        ae_writer_init(&w, buf, sizeof(buf));
        ck_assert_int_eq(ae_writer_put_u8(&w, 0xab), 0);
        ck_assert_int_eq(ae_writer_put_u16(&w, 0x1234), 0);
        ck_assert_int_eq(ae_writer_put_u32(&w, 0xdeadbeef), 0);
        ck_assert_int_eq(ae_writer_put_u64(&w, 0x0102030405060708ULL), 0);
        ck_assert_int_eq(ae_writer_put_sized16(&w, "xyz", 3), 0);
        ck_assert_int_eq(ae_writer_put_bytes(&w, "!", 1), 0);
        ck_assert_uint_eq(w.len, 1 + 2 + 4 + 8 + 2 + 3 + 1);
        ck_assert_uint_eq(buf[1], 0x12); /* big-endian on the wire */

        ae_cursor_init(&c, buf, w.len);
        ck_assert_int_eq(ae_cursor_read_u8(&c, &u8), 0);
        ck_assert_int_eq(ae_cursor_read_u16(&c, &u16), 0);
        ck_assert_int_eq(ae_cursor_read_u32(&c, &u32), 0);
        ck_assert_int_eq(ae_cursor_read_u64(&c, &u64), 0);
        ck_assert_int_eq(ae_cursor_read_sized16(&c, 16, &p, &n), 0);
        ck_assert_uint_eq(u8, 0xab);
        ck_assert_uint_eq(u16, 0x1234);
        ck_assert_uint_eq(u32, 0xdeadbeef);
        ck_assert(u64 == 0x0102030405060708ULL);
        ck_assert_uint_eq(n, 3);
        ck_assert_mem_eq(p, "xyz", 3);
}
END_TEST

START_TEST(overflow_writes_nothing)
{
        uint8_t buf[8];
        struct ae_writer w;

        memset(buf, 0xee, sizeof(buf));
        ae_writer_init(&w, buf, 5);
        ck_assert_int_eq(ae_writer_put_u32(&w, 1), 0);
        ck_assert_int_eq(ae_writer_put_u16(&w, 0x9999), -ENOBUFS);
        ck_assert_int_eq(ae_writer_put_u64(&w, 1), -ENOBUFS);
        ck_assert_int_eq(ae_writer_put_bytes(&w, "ab", 2), -ENOBUFS);
        ck_assert_uint_eq(w.len, 4);
        ck_assert_uint_eq(buf[4], 0xee);
        /* The length prefix would fit, the body not: nothing at all is written. */
        ae_writer_init(&w, buf, 4);
        ck_assert_int_eq(ae_writer_put_sized16(&w, "abc", 3), -ENOBUFS);
        ck_assert_uint_eq(w.len, 0);
        ck_assert_uint_eq(buf[0], 0x00);
        ck_assert_int_eq(ae_writer_put_u8(&w, 7), 0);
        ck_assert_int_eq(ae_writer_put_u16(&w, 7), 0);
        ck_assert_int_eq(ae_writer_put_u8(&w, 7), 0);
        ck_assert_int_eq(ae_writer_put_u8(&w, 7), -ENOBUFS);
}
END_TEST

START_TEST(sized16_limit)
{
        static uint8_t big[70000];
        uint8_t buf[16];
        struct ae_writer w;

        ae_writer_init(&w, buf, sizeof(buf));
        ck_assert_int_eq(ae_writer_put_sized16(&w, big, 65536), -EMSGSIZE);
        ck_assert_uint_eq(w.len, 0);
        ck_assert_int_eq(ae_writer_put_sized16(&w, NULL, 0), 0);
        ck_assert_uint_eq(w.len, 2);
}
END_TEST

START_TEST(null_buffer_has_no_room)
{
        struct ae_writer w;

        ae_writer_init(&w, NULL, 10);
        ck_assert_int_eq(ae_writer_put_u8(&w, 1), -ENOBUFS);
        ck_assert_int_eq(ae_writer_put_bytes(&w, NULL, 0), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("writer");
        TCase *tc = tcase_create("writer");

        tcase_add_test(tc, round_trip_with_cursor);
        tcase_add_test(tc, overflow_writes_nothing);
        tcase_add_test(tc, sized16_limit);
        tcase_add_test(tc, null_buffer_has_no_room);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
