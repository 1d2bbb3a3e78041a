/* What aegis_gnss believes of one TPV report: the checks on gpsd's values,
 * its time format, the quality judgement and the device table. */
#include "node-attestor/gnss/gnss_tpv.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "check_util.h"
#include "node-attestor/gnss/gnss_devices.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/gnss/gnss_time.h"

/* A TPV as gpsd 3.22 wrote it for the "inside" scenario. */
static json_t *good_tpv(void)
{
        json_t *t = json_pack("{s:s, s:s, s:i, s:s, s:f, s:f, s:f, s:f, s:f, s:f}", "class", "TPV",
                              "device", "/dev/ttyACM0", "mode", 3, "time",
                              "2023-11-14T22:13:20.250Z", "lat", 52.52, "lon", 13.405, "altHAE",
                              73.5, "altMSL", 34.0, "eph", 17.1, "epv", 29.9);

        ck_assert_ptr_nonnull(t);
        return t;
}

static void expect_reject(json_t *t, int expected)
{
        struct ae_gnss_fix fix;

        memset(&fix, 0x5a, sizeof(fix));
        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), expected);
        ck_assert_uint_eq(((unsigned char *)&fix)[0], 0x5a); /* untouched */
        json_decref(t);
}

/* good_tpv() with key set to v (NULL: removed). */
static json_t *with(const char *key, json_t *v)
{
        json_t *t = good_tpv();

        if (v)
                ck_assert_int_eq(json_object_set_new(t, key, v), 0);
        else
                ck_assert_int_eq(json_object_del(t, key), 0);
        return t;
}

START_TEST(good_fix)
{
        json_t *t = good_tpv();
        struct ae_gnss_fix fix;

        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        json_decref(t);
        ck_assert_int_eq(fix.mode, 3);
        ck_assert_double_eq(fix.latitude_deg, 52.52);
        ck_assert_double_eq(fix.longitude_deg, 13.405);
        ck_assert(fix.has_alt_hae && fix.alt_hae_m == 73.5);
        ck_assert(fix.has_alt_msl && fix.alt_msl_m == 34.0);
        ck_assert(fix.has_eph && fix.eph_m == 17.1);
        ck_assert(fix.has_epv && fix.epv_m == 29.9);
        ck_assert_int_eq(fix.time.tv_sec, 1700000000);
        ck_assert_int_eq(fix.time.tv_nsec, 250000000);
        ck_assert_int_eq(fix.satellites_used, -1);
        ck_assert_str_eq(fix.device, "/dev/ttyACM0");
        ck_assert_str_eq(fix.driver, "");
}
END_TEST

START_TEST(integers_are_numbers)
{
        json_t *t = with("lat", json_integer(52));
        struct ae_gnss_fix fix;

        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        ck_assert_double_eq(fix.latitude_deg, 52.0);
        json_decref(t);
}
END_TEST

START_TEST(no_fix_is_not_an_error)
{
        expect_reject(with("mode", json_integer(1)), -EAGAIN);
        expect_reject(with("mode", json_integer(0)), -EAGAIN);
        expect_reject(with("mode", NULL), -EAGAIN);
}
END_TEST

START_TEST(rejects_bad_reports)
{
        expect_reject(with("mode", json_integer(4)), -EBADMSG);
        expect_reject(with("mode", json_integer(-1)), -EBADMSG);
        expect_reject(with("mode", json_string("3")), -EBADMSG);
        expect_reject(with("mode", json_real(3.0)), -EBADMSG);
        expect_reject(with("time", NULL), -EBADMSG);
        expect_reject(with("time", json_integer(1700000000)), -EBADMSG);
        expect_reject(with("time", json_string("2023-11-14 22:13:20Z")), -EBADMSG);
        expect_reject(with("lat", NULL), -EBADMSG);
        expect_reject(with("lat", json_real(90.5)), -EBADMSG);
        expect_reject(with("lat", json_string("52.52")), -EBADMSG);
        expect_reject(with("lon", json_real(-180.0001)), -EBADMSG);
        expect_reject(with("lon", json_null()), -EBADMSG);
        expect_reject(with("device", NULL), -EBADMSG);
        expect_reject(with("device", json_string("")), -EBADMSG);
        expect_reject(with("device", json_integer(1)), -EBADMSG);
}
END_TEST

START_TEST(drops_implausible_extras)
{
        json_t *t = good_tpv();
        struct ae_gnss_fix fix;

        json_object_del(t, "altMSL");
        json_object_set_new(t, "altHAE", json_real(1e9));
        json_object_set_new(t, "eph", json_real(-1.0));
        json_object_set_new(t, "epv", json_string("29.9"));
        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        json_decref(t);
        ck_assert(!fix.has_alt_msl && isnan(fix.alt_msl_m));
        ck_assert(!fix.has_alt_hae && isnan(fix.alt_hae_m));
        ck_assert(!fix.has_eph && isnan(fix.eph_m));
        ck_assert(!fix.has_epv && isnan(fix.epv_m));
        /* "3D" without any believable altitude is a 2D fix. */
        ck_assert_int_eq(fix.mode, 2);

        t = with("altHAE", NULL);
        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        json_decref(t);
        ck_assert_int_eq(fix.mode, 3); /* MSL alone is an altitude */
}
END_TEST

START_TEST(strings_are_bounded_and_printable)
{
        char raw[300];
        json_t *t;
        struct ae_gnss_fix fix;
        char small[4];

        memset(raw, 'A', sizeof(raw) - 1);
        raw[sizeof(raw) - 1] = '\0';
        raw[1] = '\n';
        raw[2] = '\x7f';
        t = with("device", json_string(raw));
        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        json_decref(t);
        ck_assert_uint_eq(strlen(fix.device), AE_GNSS_DEVICE_MAX - 1);
        ck_assert(strncmp(fix.device, "A??AAA", 6) == 0);

        /* No NUL within src_size: the copy still ends. */
        memset(raw, 'B', 8);
        ae_gnss_copy_text(small, sizeof(small), raw, 8);
        ck_assert_str_eq(small, "BBB");
        ae_gnss_copy_text(small, sizeof(small), NULL, 0);
        ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(time_format)
{
        struct timespec ts = { 7, 7 };

        ck_assert_int_eq(ae_gnss_parse_time("2026-11-21T05:41:09.000Z", &ts), 0);
        ck_assert_int_eq(ts.tv_sec, 1795239669);
        ck_assert_int_eq(ts.tv_nsec, 0);
        ck_assert_int_eq(ae_gnss_parse_time("2026-11-21T05:41:09Z", &ts), 0);
        ck_assert_int_eq(ts.tv_sec, 1795239669);
        ck_assert_int_eq(ae_gnss_parse_time("1980-01-06T00:00:00.123456789Z", &ts), 0);
        ck_assert_int_eq(ts.tv_sec, 315964800); /* the GPS epoch */
        ck_assert_int_eq(ts.tv_nsec, 123456789);
        ck_assert_int_eq(ae_gnss_parse_time("2024-02-29T23:59:59.5Z", &ts), 0);
        ck_assert_int_eq(ts.tv_nsec, 500000000);

        static const char *const bad[] = {
                "",
                "2026-11-21T05:41:09.000",        /* no zone */
                "2026-11-21T05:41:09.000+00:00",  /* UTC as Z only */
                "2026-11-21 05:41:09Z",
                "2026-11-21T05:41:09.Z",          /* empty fraction */
                "2026-11-21T05:41:09.0000000001Z", /* 10 digits */
                "2026-11-21T05:41:60Z",           /* leap-second label */
                "2026-11-21T24:00:00Z",
                "2026-13-01T00:00:00Z",
                "2023-02-29T00:00:00Z",           /* not a leap year */
                "2026-04-31T00:00:00Z",
                "1979-12-31T23:59:59Z",           /* before GPS */
                "+026-11-21T05:41:09Z",
                "2026-11-21T05:41:09Zjunk",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(ae_gnss_parse_time(bad[i], &ts) == -EINVAL, "accepted %s", bad[i]);
        ck_assert_int_eq(ts.tv_nsec, 500000000); /* untouched by the failures */
}
END_TEST

START_TEST(quality_judgement)
{
        json_t *t = good_tpv();
        struct ae_gnss_fix fix;

        ck_assert_int_eq(ae_gnss_tpv_to_fix(t, &fix), 0);
        json_decref(t);
        ck_assert(ae_gnss_fix_meets(&fix, 3, 0.0));
        ck_assert(ae_gnss_fix_meets(&fix, 2, 0.0));
        ck_assert(ae_gnss_fix_meets(&fix, 3, 17.1));
        ck_assert(!ae_gnss_fix_meets(&fix, 3, 17.0));
        fix.mode = 2;
        ck_assert(!ae_gnss_fix_meets(&fix, 3, 0.0));
        ck_assert(ae_gnss_fix_meets(&fix, 2, 0.0));
        /* A bound on eph needs an eph. */
        fix.has_eph = false;
        fix.eph_m = NAN;
        ck_assert(!ae_gnss_fix_meets(&fix, 2, 1000.0));
        ck_assert(ae_gnss_fix_meets(&fix, 2, 0.0));
}
END_TEST

START_TEST(device_table)
{
        struct ae_gnss_devices t = { 0 };
        struct ae_gnss_device *d;
        char path[64];

        ae_gnss_devices_note(&t, "/dev/ttyACM0", 13, "", 1, NULL, 0);
        d = ae_gnss_devices_find(&t, "/dev/ttyACM0");
        ck_assert_ptr_nonnull(d);
        ck_assert_str_eq(d->driver, "");
        ck_assert_int_eq(d->satellites_used, -1);
        /* Identified later; a later report without driver keeps it. */
        ae_gnss_devices_note(&t, "/dev/ttyACM0", 13, "u-blox", 7, "SW ROM CORE 3.01", 17);
        ae_gnss_devices_note(&t, "/dev/ttyACM0", 13, "", 1, NULL, 0);
        ck_assert_str_eq(d->driver, "u-blox");
        ck_assert_str_eq(d->subtype, "SW ROM CORE 3.01");
        ae_gnss_devices_note_sky(&t, "/dev/ttyACM0", 13, 9, 140);
        ck_assert_int_eq(d->satellites_used, 9);
        ae_gnss_devices_note_sky(&t, "/dev/ttyACM0", 13, 141, 140);
        ck_assert_int_eq(d->satellites_used, -1);
        ae_gnss_devices_note_sky(&t, "/dev/ttyACM0", 13, -3, 140);
        ck_assert_int_eq(d->satellites_used, -1);

        /* No path, no entry; and the table stays bounded. */
        ae_gnss_devices_note(&t, "", 1, "x", 2, NULL, 0);
        ae_gnss_devices_note(&t, NULL, 0, "x", 2, NULL, 0);
        ck_assert_uint_eq(t.n, 1);
        for (int i = 0; i < 2 * AE_GNSS_DEVICES_MAX; i++) {
                snprintf(path, sizeof(path), "/dev/gps%d", i);
                ae_gnss_devices_note(&t, path, sizeof(path), "NMEA0183", 9, NULL, 0);
        }
        ck_assert_uint_eq(t.n, AE_GNSS_DEVICES_MAX);
        ck_assert_ptr_null(ae_gnss_devices_find(&t, "/dev/gps12"));
        ck_assert_ptr_nonnull(ae_gnss_devices_find(&t, "/dev/gps0"));
}
END_TEST

START_TEST(bad_arguments)
{
        struct ae_gnss_source src = { .host = "127.0.0.1", .port = 1, .timeout_ms = 100 };
        struct ae_gnss_quality q = { 0 };
        struct ae_gnss_fix fix;
        char long_host[AE_GNSS_HOST_MAX + 2];
        char long_dev[AE_GNSS_DEVICE_MAX + 1];

        ck_assert_int_eq(ae_gnss_read_fix(NULL, NULL, &fix), -EINVAL);
        q.min_mode = 1;
        ck_assert_int_eq(ae_gnss_read_fix(&src, &q, &fix), -EINVAL);
        q.min_mode = 4;
        ck_assert_int_eq(ae_gnss_read_fix(&src, &q, &fix), -EINVAL);
        q.min_mode = 3;
        q.max_eph_m = -1.0;
        ck_assert_int_eq(ae_gnss_read_fix(&src, &q, &fix), -EINVAL);
        q.max_eph_m = NAN;
        ck_assert_int_eq(ae_gnss_read_fix(&src, &q, &fix), -EINVAL);
        q.max_eph_m = INFINITY;
        ck_assert_int_eq(ae_gnss_read_fix(&src, &q, &fix), -EINVAL);

        memset(long_host, 'h', sizeof(long_host) - 1);
        long_host[sizeof(long_host) - 1] = '\0';
        src.host = long_host;
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
        src.host = "";
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
        src.host = "127.0.0.1";

        memset(long_dev, 'd', sizeof(long_dev) - 1);
        long_dev[sizeof(long_dev) - 1] = '\0';
        src.device = long_dev;
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
        src.device = NULL;

        src.timeout_ms = AE_GNSS_TIMEOUT_MAX_MS + 1;
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("gnss_tpv");
        TCase *tc = tcase_create("gnss_tpv");

        tcase_add_test(tc, good_fix);
        tcase_add_test(tc, integers_are_numbers);
        tcase_add_test(tc, no_fix_is_not_an_error);
        tcase_add_test(tc, rejects_bad_reports);
        tcase_add_test(tc, drops_implausible_extras);
        tcase_add_test(tc, strings_are_bounded_and_printable);
        tcase_add_test(tc, time_format);
        tcase_add_test(tc, quality_judgement);
        tcase_add_test(tc, device_table);
        tcase_add_test(tc, bad_arguments);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
