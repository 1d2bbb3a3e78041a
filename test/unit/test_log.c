#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/log_escape.h"
#include "check_util.h"

#define TS "2026-11-21T05:35:47.123Z"

static json_t *parse_line(const char *line)
{
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);

        ck_assert_msg(j != NULL, "not JSON (%s): %s", err.text, line);
        return j;
}

START_TEST(text_line)
{
        char line[512];

        ae_log_render(line, sizeof(line), AE_LOG_TEXT, TS, "aegis-agent", 812, AE_LOG_INFO,
                      "node attested",
                      AE_LOG_KV({ "spiffe_id", "spiffe://td/x" }, { "reason", "pcr 7 differs" },
                                { "empty", "" }, { "null", NULL }));
        ck_assert_str_eq(line, TS " aegis-agent[812] info: node attested spiffe_id=spiffe://td/x"
                               " reason=\"pcr 7 differs\" empty=\"\" null=\"\"");
}
END_TEST

START_TEST(text_escapes_untrusted)
{
        char line[512];

        /* A value that tries to forge a second log line and break quoting. */
        ae_log_render(line, sizeof(line), AE_LOG_TEXT, TS, "a", 1, AE_LOG_WARNING,
                      "bad\nmsg",
                      AE_LOG_KV({ "path", "/tmp/x\n2026 aegis info: forged \"q\" \\ \x01 \xff" },
                                { "k e=y", "v" }));
        ck_assert_ptr_null(strchr(line, '\n'));
        ck_assert_str_eq(line, TS " a[1] warning: bad\\nmsg path=\"/tmp/x\\n2026 aegis info: "
                               "forged \\\"q\\\" \\\\ \\x01 \\xff\" k_e_y=v");
}
END_TEST

START_TEST(json_line)
{
        char line[512];
        json_t *j;

        ae_log_render(line, sizeof(line), AE_LOG_JSON, TS, "aegis-server", 7, AE_LOG_ERROR,
                      "rejected \"node\"",
                      AE_LOG_KV({ "reason", "nonce reused" }, { "ctl", "a\tb\x1f" }));
        j = parse_line(line);
        ck_assert_str_eq(json_string_value(json_object_get(j, "ts")), TS);
        ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "error");
        ck_assert_str_eq(json_string_value(json_object_get(j, "ident")), "aegis-server");
        ck_assert_int_eq(json_integer_value(json_object_get(j, "pid")), 7);
        ck_assert_str_eq(json_string_value(json_object_get(j, "msg")), "rejected \"node\"");
        ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), "nonce reused");
        ck_assert_str_eq(json_string_value(json_object_get(j, "ctl")), "a\tb\x1f");
        json_decref(j);
}
END_TEST

START_TEST(json_invalid_utf8_replaced)
{
        char line[512];
        json_t *j;

        /* Valid multi-byte text survives; overlong, surrogate, truncated and
         * stray bytes each become U+FFFD. */
        ae_log_render(line, sizeof(line), AE_LOG_JSON, TS, "a", 1, AE_LOG_INFO, "m",
                      AE_LOG_KV({ "v", "Zürich \xe2\x82\xac \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82" }));
        j = parse_line(line);
        ck_assert_str_eq(json_string_value(json_object_get(j, "v")),
                         "Zürich € \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
        json_decref(j);
}
END_TEST

START_TEST(truncation_stays_valid)
{
        char big[3000], line[256];

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        /* Cut at every possible size: JSON must parse and say it was cut,
         * text must say so too. */
        for (size_t size = 30; size < sizeof(line); size++) {
                size_t n = ae_log_render(line, size, AE_LOG_JSON, TS, "ident", 1, AE_LOG_INFO,
                                         "message \"with\" escapes \xe2\x82\xac",
                                         AE_LOG_KV({ "k", big }, { "k2", "v2" }));
                json_t *j;

                ck_assert_uint_lt(n, size);
                ck_assert_uint_eq(strlen(line), n);
                j = parse_line(line);
                ck_assert(json_is_true(json_object_get(j, "truncated")));
                json_decref(j);

                n = ae_log_render(line, size, AE_LOG_TEXT, TS, "ident", 1, AE_LOG_INFO, "m",
                                  AE_LOG_KV({ "k", big }));
                ck_assert_uint_lt(n, size);
                ck_assert_str_eq(line + n - strlen(" [truncated]"), " [truncated]");
        }
        /* Too small for anything: an empty string, no overflow. */
        ck_assert_uint_eq(ae_log_render(line, 5, AE_LOG_JSON, TS, "i", 1, AE_LOG_INFO, "m", NULL,
                                        0), 0);
        ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(levels_and_formats_parse)
{
        enum ae_log_level l;
        enum ae_log_format f;

        ck_assert_int_eq(ae_log_level_parse("debug", &l), 0);
        ck_assert_int_eq(l, AE_LOG_DEBUG);
        ck_assert_int_eq(ae_log_level_parse("WARNING", &l), 0);
        ck_assert_int_eq(l, AE_LOG_WARNING);
        ck_assert_int_eq(ae_log_level_parse("verbose", &l), -EINVAL);
        ck_assert_int_eq(ae_log_level_parse(NULL, &l), -EINVAL);
        ck_assert_int_eq(ae_log_format_parse("json", &f), 0);
        ck_assert_int_eq(f, AE_LOG_JSON);
        ck_assert_int_eq(ae_log_format_parse("xml", &f), -EINVAL);
        ck_assert_str_eq(ae_log_level_name(AE_LOG_ERROR), "error");
        ck_assert_str_eq(ae_log_level_name((enum ae_log_level)42), "unknown");
}
END_TEST

/* The real writer: one line per event to the configured fd, filtered by level. */
START_TEST(writes_lines_to_fd)
{
        char path[] = "/tmp/aegis-log-XXXXXX", buf[4096];
        int fd = mkstemp(path);
        FILE *f;
        int lines = 0;

        ck_assert_int_ge(fd, 0);
        ae_log_configure("aegis-test", AE_LOG_JSON, AE_LOG_INFO, fd);
        ck_assert(ae_log_enabled(AE_LOG_INFO));
        ck_assert(!ae_log_enabled(AE_LOG_DEBUG));
        ae_log(AE_LOG_INFO, "started %d workers", 4);
        ae_log(AE_LOG_DEBUG, "not written");
        ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "reason", "clock went back" }), "rejected");
        close(fd);

        f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        while (fgets(buf, sizeof(buf), f)) {
                json_t *j = parse_line(buf);

                ck_assert_str_eq(json_string_value(json_object_get(j, "ident")), "aegis-test");
                if (lines == 0)
                        ck_assert_str_eq(json_string_value(json_object_get(j, "msg")),
                                         "started 4 workers");
                else
                        ck_assert_str_eq(json_string_value(json_object_get(j, "reason")),
                                         "clock went back");
                json_decref(j);
                lines++;
        }
        fclose(f);
        unlink(path);
        ck_assert_int_eq(lines, 2);
}
END_TEST

START_TEST(utf8_prefix)
{
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"a", 1), 1);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xc3\xbc", 2), 2);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xc3\xbc", 1), 0);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xc1\xbf", 2), 0);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xe0\x80\x80", 3), 0);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\xf5\x80\x80\x80", 4), 0);
        ck_assert_uint_eq(ae_utf8_valid_prefix((const unsigned char *)"\x80", 1), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("log");

        tcase_add_test(tc, text_line);
        tcase_add_test(tc, text_escapes_untrusted);
        tcase_add_test(tc, json_line);
        tcase_add_test(tc, json_invalid_utf8_replaced);
        tcase_add_test(tc, truncation_stays_valid);
        tcase_add_test(tc, levels_and_formats_parse);
        tcase_add_test(tc, writes_lines_to_fd);
        tcase_add_test(tc, utf8_prefix);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
