/* The report collector of aegis_gnss, fed with JSON lines as gpsd 3.22
 * wrote them (captured from the gpsd fixture with gpspipe -w, trimmed to
 * fewer satellites), with lines libgps 3.22 cannot decode, and with lines
 * that must be refused. */
#include "node-attestor/gnss/gnss_report.h"

#include <errno.h>
#include <string.h>

#include "check_util.h"
#include "node-attestor/gnss/gnss_line.h"

static const char DEVICES[] =
        "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"/dev/pts/1\","
        "\"driver\":\"NMEA0183\",\"activated\":\"2026-11-21T05:41:10.527Z\",\"flags\":1,"
        "\"native\":0,\"bps\":4800,\"parity\":\"N\",\"stopbits\":1,\"cycle\":1.00}]}";
/* gpsd re-announces the device without its driver when it reopens it. */
static const char DEVICE_NO_DRIVER[] =
        "{\"class\":\"DEVICE\",\"path\":\"/dev/pts/1\",\"activated\":\"2026-11-21T05:42:36.513Z\"}";
static const char SKY[] =
        "{\"class\":\"SKY\",\"device\":\"/dev/pts/1\",\"xdop\":0.66,\"ydop\":0.53,\"vdop\":1.30,"
        "\"tdop\":0.85,\"hdop\":0.90,\"gdop\":1.90,\"pdop\":1.60,\"nSat\":4,\"uSat\":3,"
        "\"satellites\":[{\"PRN\":2,\"el\":67.0,\"az\":112.0,\"ss\":45.0,\"used\":true,"
        "\"gnssid\":0,\"svid\":2},{\"PRN\":5,\"el\":54.0,\"az\":203.0,\"ss\":44.0,\"used\":true,"
        "\"gnssid\":0,\"svid\":5},{\"PRN\":7,\"el\":41.0,\"az\":58.0,\"ss\":42.0,\"used\":true,"
        "\"gnssid\":0,\"svid\":7},{\"PRN\":28,\"el\":7.0,\"az\":85.0,\"ss\":28.0,\"used\":false,"
        "\"gnssid\":0,\"svid\":28}]}";
static const char TPV_3D[] =
        "{\"class\":\"TPV\",\"device\":\"/dev/pts/1\",\"mode\":3,\"time\":\"2026-11-21T05:41:09.000Z\","
        "\"ept\":0.005,\"lat\":52.520000000,\"lon\":13.405000000,\"altHAE\":73.5000,"
        "\"altMSL\":34.0000,\"alt\":34.0000,\"epx\":9.876,\"epy\":7.986,\"epv\":29.900,"
        "\"magvar\":4.1,\"speed\":0.000,\"climb\":0.000,\"eps\":19.75,\"epc\":59.80,"
        "\"geoidSep\":39.500,\"eph\":17.100,\"sep\":30.400}";
static const char TPV_3D_NEXT[] =
        "{\"class\":\"TPV\",\"device\":\"/dev/pts/1\",\"mode\":3,\"time\":\"2026-11-21T05:41:10.000Z\","
        "\"lat\":52.520000000,\"lon\":13.405000000,\"altHAE\":73.5000,\"altMSL\":34.0000,"
        "\"epv\":29.900,\"eph\":17.100}";
static const char TPV_2D[] =
        "{\"class\":\"TPV\",\"device\":\"/dev/pts/1\",\"mode\":2,\"time\":\"2026-11-21T05:43:00.000Z\","
        "\"ept\":0.005,\"lat\":52.520000000,\"lon\":13.405000000,\"magvar\":4.1,\"speed\":0.000,"
        "\"eph\":45.600,\"sep\":49.400}";
static const char TPV_NO_FIX[] = "{\"class\":\"TPV\",\"device\":\"/dev/pts/1\",\"mode\":1}";
static const char TPV_BAD_LAT[] =
        "{\"class\":\"TPV\",\"device\":\"/dev/pts/1\",\"mode\":3,\"time\":\"2026-11-21T05:41:09.000Z\","
        "\"lat\":91.0,\"lon\":13.405,\"altMSL\":34.0}";
static const char ERROR_NO_DEVICE[] =
        "{\"class\":\"ERROR\",\"message\":\"No such device as /dev/nonexistent\"}";

static int feed(struct ae_gnss_collector *c, const char *line, struct ae_gnss_fix *ret_fix)
{
        return ae_gnss_collector_feed(c, line, strlen(line), ret_fix);
}

START_TEST(sky_before_tpv)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, DEVICES, &fix), 0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 1);
        ck_assert_int_eq(fix.mode, 3);
        ck_assert_double_eq_tol(fix.latitude_deg, 52.52, 1e-9);
        ck_assert_double_eq_tol(fix.longitude_deg, 13.405, 1e-9);
        ck_assert_double_eq_tol(fix.alt_msl_m, 34.0, 1e-9);
        ck_assert_double_eq_tol(fix.alt_hae_m, 73.5, 1e-9);
        ck_assert_double_eq_tol(fix.eph_m, 17.1, 1e-9);
        ck_assert_double_eq_tol(fix.epv_m, 29.9, 1e-9);
        ck_assert_int_eq(fix.satellites_used, 3);
        ck_assert_int_eq(fix.time.tv_sec, 1795239669); /* 2026-11-21T05:41:09Z */
        ck_assert_str_eq(fix.device, "/dev/pts/1");
        ck_assert_str_eq(fix.driver, "NMEA0183");
        ck_assert_str_eq(fix.subtype, "");
}
END_TEST

START_TEST(tpv_held_until_its_sky)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, DEVICES, &fix), 0);
        ck_assert_int_eq(feed(&c, DEVICE_NO_DRIVER, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 1);
        ck_assert_int_eq(fix.satellites_used, 3);
        ck_assert_int_eq(fix.time.tv_sec, 1795239669);
        /* The driverless re-announcement did not erase the driver. */
        ck_assert_str_eq(fix.driver, "NMEA0183");
}
END_TEST

START_TEST(second_tpv_without_sky)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D_NEXT, &fix), 1);
        ck_assert_int_eq(fix.time.tv_sec, 1795239670); /* the newer one */
        ck_assert_int_eq(fix.satellites_used, -1);
        ck_assert_str_eq(fix.driver, ""); /* never announced */
}
END_TEST

START_TEST(lost_fix_drops_the_held_one)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_NO_FIX, &fix), 0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), -ETIMEDOUT);
}
END_TEST

START_TEST(timeout_returns_the_held_fix)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0);
        memset(&fix, 0, sizeof(fix));
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), 0);
        ck_assert_int_eq(fix.mode, 3);
        ck_assert_int_eq(fix.satellites_used, -1);
}
END_TEST

START_TEST(bad_fixes_are_reported_at_timeout)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, TPV_BAD_LAT, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_NO_FIX, &fix), 0);
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), -EBADMSG);
}
END_TEST

START_TEST(mode_and_eph_requirements)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_2D, &fix), 0);
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), -ETIMEDOUT);

        ae_gnss_collector_init(&c, NULL, 2, 0.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_2D, &fix), 1);
        ck_assert_int_eq(fix.mode, 2);
        ck_assert(!fix.has_alt_msl && !fix.has_alt_hae);

        ae_gnss_collector_init(&c, NULL, 3, 10.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0); /* eph 17.1 > 10 */
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), -ETIMEDOUT);

        ae_gnss_collector_init(&c, NULL, 3, 20.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 1);
}
END_TEST

START_TEST(other_devices_do_not_count)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, "/dev/pts/2", 3, 0.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_BAD_LAT, &fix), 0);
        ck_assert_int_eq(ae_gnss_collector_timeout(&c, &fix), -ETIMEDOUT);

        ae_gnss_collector_init(&c, "/dev/pts/1", 3, 0.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, TPV_3D, &fix), 1);
}
END_TEST

START_TEST(gpsd_errors)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        ae_gnss_collector_init(&c, "/dev/nonexistent", 3, 0.0);
        ck_assert_int_eq(feed(&c, ERROR_NO_DEVICE, &fix), -ENODEV);
        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, ERROR_NO_DEVICE, &fix), -EPROTO);
}
END_TEST

START_TEST(lines_libgps_cannot_decode)
{
        /* Each of these never returns from libgps 3.22's gps_unpack(). */
        static const char *const hangs[] = {
                "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"/dev/pts/1\"",
                "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"x\","
                "\"driver\":null}]}",
                "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"x\","
                "\"bps\":\"fast\"}]}",
                "{\"c0lass\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"x\"}]}",
                "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"x\"},{},{},{},"
                "{},{}]}",
                "{\"class\":\"TPV\",\"device\":\"/dev/2pts/1\",\"mode\":2,\"timeclass\":\"DEVICES\","
                "\"devices\":[{\"class\":\"DEVICE\",\"path\":\"/dev/pts/1\",\"driver\":\"NMEA0183\"}]}",
        };
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;

        /* Reaching the end of this test is the assertion. */
        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        for (size_t i = 0; i < sizeof(hangs) / sizeof(hangs[0]); i++)
                ck_assert_int_eq(feed(&c, hangs[i], &fix), 0);
        /* The well-formed ones still told what they could; the TPV with
         * its odd members but no time is no fix. */
        ck_assert_ptr_nonnull(ae_gnss_devices_find(&c.devices, "x"));
        ck_assert_str_eq(ae_gnss_devices_find(&c.devices, "x")->driver, "");
        ck_assert(!c.pending);
        ck_assert(c.saw_bad);
}
END_TEST

START_TEST(rejected_lines)
{
        static const char *const bad[] = {
                "",
                "{}",
                "[{\"class\":\"TPV\"}]",
                "{\"mode\":3,\"class\":\"TPV\"}",       /* class not first */
                "{\"class\":\"tpv\",\"mode\":3}",       /* lower case class */
                "{\"class\":\"TPV\",\"mode\":3",        /* unterminated */
                "{\"class\":\"TPV\",\"mode\":3}x",      /* trailing bytes */
                "{\"class\":\"TPV\",\"mode\":3,\"mode\":2}", /* duplicate key */
                "{\"class\":\"TPV\",\"device\":\"a\tb\"}",  /* control byte */
                "{\"class\":\"TPV\",\"x\":[[[[[[[[[1]]]]]]]]]}", /* too deep */
        };
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;
        enum ae_gnss_class class;
        char big[AE_GNSS_LINE_MAX + 64];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(ae_gnss_line_parse(bad[i], strlen(bad[i]), &class, NULL) == -EBADMSG,
                              "accepted: %s", bad[i]);
        /* Over-long, though well formed. */
        memset(big, ' ', sizeof(big));
        memcpy(big, "{\"class\":\"TPV\",", sizeof("{\"class\":\"TPV\",") - 1);
        big[sizeof(big) - 2] = '}';
        big[sizeof(big) - 1] = '\0';
        ck_assert_int_eq(ae_gnss_line_parse(big, strlen(big), &class, NULL), -EBADMSG);

        ck_assert_int_eq(ae_gnss_line_parse(TPV_3D, strlen(TPV_3D), &class, NULL), 0);
        ck_assert_int_eq(class, AE_GNSS_CLASS_TPV);
        ck_assert_int_eq(ae_gnss_line_parse(DEVICES, strlen(DEVICES), &class, NULL), 0);
        ck_assert_int_eq(class, AE_GNSS_CLASS_DEVICES);
        ck_assert_int_eq(ae_gnss_line_parse(DEVICE_NO_DRIVER, strlen(DEVICE_NO_DRIVER), &class,
                                            NULL), 0);
        ck_assert_int_eq(class, AE_GNSS_CLASS_DEVICE);
        ck_assert_int_eq(ae_gnss_line_parse("{\"class\":\"GST\"}", 15, &class, NULL), 0);
        ck_assert_int_eq(class, AE_GNSS_CLASS_OTHER);

        /* A rejected line changes nothing. */
        ae_gnss_collector_init(&c, NULL, 3, 0.0);
        ck_assert_int_eq(feed(&c, SKY, &fix), 0);
        ck_assert_int_eq(feed(&c, "{\"class\":\"TPV\",\"mode\":3", &fix), 0);
        ck_assert(!c.pending && !c.saw_bad);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("gnss_report");
        TCase *tc = tcase_create("gnss_report");

        tcase_add_test(tc, sky_before_tpv);
        tcase_add_test(tc, tpv_held_until_its_sky);
        tcase_add_test(tc, second_tpv_without_sky);
        tcase_add_test(tc, lost_fix_drops_the_held_one);
        tcase_add_test(tc, timeout_returns_the_held_fix);
        tcase_add_test(tc, bad_fixes_are_reported_at_timeout);
        tcase_add_test(tc, mode_and_eph_requirements);
        tcase_add_test(tc, other_devices_do_not_count);
        tcase_add_test(tc, gpsd_errors);
        tcase_add_test(tc, lines_libgps_cannot_decode);
        tcase_add_test(tc, rejected_lines);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
