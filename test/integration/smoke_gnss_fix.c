/* Smoke test of the gpsd fixture through ae_gnss_read_fix (libgps for the
 * connection): every scenario's gpsd serves what its NMEA log says. The
 * expected values come from the logs themselves, read with a small parser of
 * this file's own (not the writer's code), so the writer, gpsfake, gpsd and
 * the reader are all checked against the bytes on disk. */
#include "node-attestor/gnss/gnss_fix.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"

#define SHORT_TIMEOUT_MS 3000u
#define FIX_TIMEOUT_MS 15000u
/* Slack for a timeout to be honoured: scheduling, connect, close. */
#define TIMEOUT_SLACK_MS 2000

/* ---- an independent reader of the logs ---------------------------------- */

struct gga {
        double lat, lon, alt_msl, geoid_sep;
        int sats;
};

/* Splits a sentence (without checksum) into at most max fields, in place. */
static int split(char *line, char **fields, int max)
{
        int n = 0;
        char *star = strchr(line, '*');

        if (star)
                *star = '\0';
        while (line && n < max)
                fields[n++] = strsep(&line, ",");
        return n;
}

/* "ddmm.mmmm" (deg_digits 2) or "dddmm.mmmm" (3), hemisphere N/S/E/W. */
static double ddmm(const char *s, int deg_digits, const char *hemi)
{
        char deg[4] = { 0 };
        double v;

        ck_assert_uint_gt(strlen(s), (size_t)deg_digits);
        memcpy(deg, s, (size_t)deg_digits);
        v = atof(deg) + atof(s + deg_digits) / 60.0;
        return (hemi[0] == 'S' || hemi[0] == 'W') ? -v : v;
}

/* The first line of path starting with prefix (and, if last, the last one). */
static void find_line(const char *path, const char *prefix, bool last, char *buf, size_t size)
{
        FILE *f = fopen(path, "r");
        char line[256];
        bool found = false;

        ck_assert_msg(f != NULL, "cannot open %s", path);
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, prefix, strlen(prefix)) != 0)
                        continue;
                snprintf(buf, size, "%s", line);
                found = true;
                if (!last)
                        break;
        }
        fclose(f);
        ck_assert_msg(found, "no %s line in %s", prefix, path);
}

static struct gga first_gga(const char *path)
{
        char line[256], *f[16];
        struct gga g;

        find_line(path, "$GPGGA,", false, line, sizeof(line));
        ck_assert_int_ge(split(line, f, 16), 12);
        g.lat = ddmm(f[2], 2, f[3]);
        g.lon = ddmm(f[4], 3, f[5]);
        g.sats = atoi(f[7]);
        g.alt_msl = atof(f[9]);
        g.geoid_sep = atof(f[11]);
        return g;
}

/* UTC seconds of an RMC line: time hhmmss.ss in field 1, date ddmmyy in 9. */
static time_t rmc_time(const char *path, bool last)
{
        char line[256], *f[16];
        struct tm tm = { 0 };
        int hms, dmy;

        find_line(path, "$GPRMC,", last, line, sizeof(line));
        ck_assert_int_ge(split(line, f, 16), 10);
        hms = atoi(f[1]);
        dmy = atoi(f[9]);
        tm.tm_hour = hms / 10000;
        tm.tm_min = hms / 100 % 100;
        tm.tm_sec = hms % 100;
        tm.tm_mday = dmy / 10000;
        tm.tm_mon = dmy / 100 % 100 - 1;
        tm.tm_year = dmy % 100 + 100;
        return timegm(&tm);
}

/* Great-circle distance on the same sphere the scenarios use (haversine). */
static double distance_m(double lat1, double lon1, double lat2, double lon2)
{
        const double r = 6371008.8, k = M_PI / 180.0;
        double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
        double a = sin(dlat / 2) * sin(dlat / 2) +
                   cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);

        return 2 * r * asin(sqrt(a));
}

/* ---- helpers -------------------------------------------------------------- */

static struct ae_gnss_source source(const char *scenario, unsigned timeout_ms)
{
        char name[64];
        struct ae_gnss_source src = { 0 };

        snprintf(name, sizeof(name), "AE_GPSD_%s_HOST", scenario);
        src.host = ae_test_env(name);
        snprintf(name, sizeof(name), "AE_GPSD_%s_PORT", scenario);
        src.port = (uint16_t)atoi(ae_test_env(name));
        src.timeout_ms = timeout_ms;
        return src;
}

static long long mono_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads and asserts the exact error, and that the timeout was kept. */
static void expect_error(const struct ae_gnss_source *src, const struct ae_gnss_quality *want,
                         int expected)
{
        struct ae_gnss_fix fix;
        long long t0 = mono_ms(), spent;
        int r;

        memset(&fix, 0x5a, sizeof(fix));
        r = ae_gnss_read_fix(src, want, &fix);
        spent = mono_ms() - t0;
        ck_assert_msg(r == expected, "expected %d (%s), got %d (%s)", expected,
                      strerror(-expected), r, strerror(-r));
        ck_assert_msg(spent <= (long long)src->timeout_ms + TIMEOUT_SLACK_MS,
                      "took %lld ms with a timeout of %u ms", spent, src->timeout_ms);
        /* ret_fix is written only on success. */
        ck_assert_uint_eq(((unsigned char *)&fix)[0], 0x5a);
}

static struct ae_gnss_fix expect_fix(const struct ae_gnss_source *src,
                                     const struct ae_gnss_quality *want)
{
        struct ae_gnss_fix fix;
        int r = ae_gnss_read_fix(src, want, &fix);

        ck_assert_msg(r == 0, "no fix: %d (%s)", r, strerror(-r));
        ck_assert(fix.device[0] != '\0');
        ck_assert_str_eq(fix.driver, "NMEA0183");
        return fix;
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(inside_matches_its_log)
{
        const char *log = ae_test_env("AE_NMEA_INSIDE");
        struct ae_gnss_source src = source("INSIDE", FIX_TIMEOUT_MS);
        struct gga g = first_gga(log);
        time_t first = rmc_time(log, false), last = rmc_time(log, true);
        struct ae_gnss_fix fix = expect_fix(&src, NULL);

        /* What the log says: Berlin, 34 m MSL, geoid 39.5 m, 9 used. */
        ck_assert_double_eq_tol(g.lat, 52.52, 1e-6);
        ck_assert_double_eq_tol(g.lon, 13.405, 1e-6);

        ck_assert_int_eq(fix.mode, 3);
        ck_assert_double_eq_tol(fix.latitude_deg, g.lat, 1e-6);
        ck_assert_double_eq_tol(fix.longitude_deg, g.lon, 1e-6);
        ck_assert(fix.has_alt_msl);
        ck_assert_double_eq_tol(fix.alt_msl_m, g.alt_msl, 1e-3);
        ck_assert(fix.has_alt_hae);
        ck_assert_double_eq_tol(fix.alt_hae_m, g.alt_msl + g.geoid_sep, 1e-3);
        ck_assert(fix.has_eph && fix.eph_m > 0.0 && fix.eph_m < 50.0);
        ck_assert(fix.has_epv && fix.epv_m > 0.0);
        ck_assert_int_eq(fix.satellites_used, g.sats);
        ck_assert_msg(fix.time.tv_sec >= first && fix.time.tv_sec <= last,
                      "fix time %lld outside the log's %lld..%lld",
                      (long long)fix.time.tv_sec, (long long)first, (long long)last);
        ck_assert(strncmp(fix.device, "/dev/", 5) == 0);
}
END_TEST

START_TEST(outside_is_paris)
{
        const char *log = ae_test_env("AE_NMEA_OUTSIDE");
        struct ae_gnss_source src = source("OUTSIDE", FIX_TIMEOUT_MS);
        struct gga g = first_gga(log);
        struct ae_gnss_fix fix = expect_fix(&src, NULL);

        ck_assert_double_eq_tol(g.lat, 48.8566, 1e-6);
        ck_assert_double_eq_tol(g.lon, 2.3522, 1e-6);
        ck_assert_int_eq(fix.mode, 3);
        ck_assert_double_eq_tol(fix.latitude_deg, g.lat, 1e-6);
        ck_assert_double_eq_tol(fix.longitude_deg, g.lon, 1e-6);
        ck_assert_double_eq_tol(fix.alt_msl_m, g.alt_msl, 1e-3);
}
END_TEST

START_TEST(nofix_times_out)
{
        struct ae_gnss_source src = source("NOFIX", SHORT_TIMEOUT_MS);
        struct ae_gnss_quality two_d = { .min_mode = 2 };

        expect_error(&src, NULL, -ETIMEDOUT);
        expect_error(&src, &two_d, -ETIMEDOUT);
}
END_TEST

START_TEST(twod_is_not_3d)
{
        struct ae_gnss_source src = source("TWOD", SHORT_TIMEOUT_MS);
        struct ae_gnss_quality three_d = { .min_mode = 3 };

        expect_error(&src, NULL, -ETIMEDOUT); /* the default wants 3D */
        expect_error(&src, &three_d, -ETIMEDOUT);
}
END_TEST

START_TEST(twod_with_min_2d)
{
        const char *log = ae_test_env("AE_NMEA_TWOD");
        struct ae_gnss_source src = source("TWOD", FIX_TIMEOUT_MS);
        struct ae_gnss_quality two_d = { .min_mode = 2 };
        struct gga g = first_gga(log);
        struct ae_gnss_fix fix = expect_fix(&src, &two_d);

        ck_assert_int_eq(fix.mode, 2);
        ck_assert(!fix.has_alt_msl && !fix.has_alt_hae);
        ck_assert(isnan(fix.alt_msl_m) && isnan(fix.alt_hae_m));
        ck_assert_double_eq_tol(fix.latitude_deg, g.lat, 1e-6);
        ck_assert_double_eq_tol(fix.longitude_deg, g.lon, 1e-6);
        ck_assert_int_eq(fix.satellites_used, g.sats);
}
END_TEST

START_TEST(poor_fails_an_eph_bound)
{
        struct ae_gnss_source src = source("POOR", SHORT_TIMEOUT_MS);
        struct ae_gnss_quality bounded = { .min_mode = 3, .max_eph_m = 50.0 };

        expect_error(&src, &bounded, -ETIMEDOUT);
}
END_TEST

START_TEST(poor_without_bound)
{
        struct ae_gnss_source src = source("POOR", FIX_TIMEOUT_MS);
        struct ae_gnss_fix fix = expect_fix(&src, NULL);

        ck_assert_int_eq(fix.mode, 3);
        ck_assert(fix.has_eph);
        ck_assert_msg(fix.eph_m > 50.0, "eph %.1f m", fix.eph_m);
}
END_TEST

START_TEST(inside_meets_an_eph_bound)
{
        struct ae_gnss_source src = source("INSIDE", FIX_TIMEOUT_MS);
        struct ae_gnss_quality bounded = { .min_mode = 3, .max_eph_m = 50.0 };
        struct ae_gnss_fix fix = expect_fix(&src, &bounded);

        ck_assert(fix.has_eph && fix.eph_m <= 50.0);
}
END_TEST

START_TEST(jump_is_500_km)
{
        const char *log = ae_test_env("AE_NMEA_JUMP");
        struct ae_gnss_source src = source("JUMP", FIX_TIMEOUT_MS);
        struct gga a = first_gga(log);
        struct ae_gnss_fix first = expect_fix(&src, NULL), next;
        long long until = mono_ms() + 40000;
        double d = 0.0;

        /* Either end of the jump must be one of the log's two points. */
        ck_assert(fabs(first.latitude_deg - a.lat) < 1e-6 ||
                  fabs(distance_m(first.latitude_deg, first.longitude_deg, a.lat, a.lon) -
                       500000.0) < 1000.0);
        while (mono_ms() < until) {
                next = expect_fix(&src, NULL);
                d = distance_m(first.latitude_deg, first.longitude_deg, next.latitude_deg,
                               next.longitude_deg);
                if (d > 1000.0)
                        break;
                ck_assert_double_eq_tol(d, 0.0, 1.0);
        }
        ck_assert_msg(d > 1000.0, "no second position within 40 s");
        ck_assert_msg(fabs(d - 500000.0) <= 1000.0, "jump of %.1f m", d);
        ck_assert(strcmp(first.device, next.device) == 0);
}
END_TEST

START_TEST(watch_one_device)
{
        struct ae_gnss_source src = source("INSIDE", FIX_TIMEOUT_MS);
        struct ae_gnss_fix any = expect_fix(&src, NULL), only;

        src.device = any.device;
        only = expect_fix(&src, NULL);
        ck_assert_str_eq(only.device, any.device);

        src.device = "/dev/aegis-no-such-receiver";
        src.timeout_ms = SHORT_TIMEOUT_MS;
        expect_error(&src, NULL, -ENODEV);
}
END_TEST

START_TEST(closed_port_is_refused)
{
        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t len = sizeof(sa);
        struct ae_gnss_source src = { .host = "127.0.0.1", .timeout_ms = SHORT_TIMEOUT_MS };
        int fd;

        /* A port the kernel just handed out and nobody listens on. */
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        src.port = ntohs(sa.sin_port);
        close(fd);

        expect_error(&src, NULL, -ECONNREFUSED);
}
END_TEST

START_TEST(bad_arguments)
{
        struct ae_gnss_source src = source("INSIDE", SHORT_TIMEOUT_MS);
        struct ae_gnss_quality mode4 = { .min_mode = 4 }, neg = { .max_eph_m = -1.0 };
        struct ae_gnss_quality nan_eph = { .max_eph_m = NAN };
        struct ae_gnss_fix fix;

        ck_assert_int_eq(ae_gnss_read_fix(&src, &mode4, &fix), -EINVAL);
        ck_assert_int_eq(ae_gnss_read_fix(&src, &neg, &fix), -EINVAL);
        ck_assert_int_eq(ae_gnss_read_fix(&src, &nan_eph, &fix), -EINVAL);
        src.timeout_ms = AE_GNSS_TIMEOUT_MAX_MS + 1;
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
        src.timeout_ms = SHORT_TIMEOUT_MS;
        src.device = "";
        ck_assert_int_eq(ae_gnss_read_fix(&src, NULL, &fix), -EINVAL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("smoke_gnss_fix");
        TCase *tc = tcase_create("gpsd");

        /* Fixes arrive once a second; the jump needs ~10-20 s. */
        tcase_set_timeout(tc, 90);
        tcase_add_test(tc, inside_matches_its_log);
        tcase_add_test(tc, outside_is_paris);
        tcase_add_test(tc, nofix_times_out);
        tcase_add_test(tc, twod_is_not_3d);
        tcase_add_test(tc, twod_with_min_2d);
        tcase_add_test(tc, poor_fails_an_eph_bound);
        tcase_add_test(tc, poor_without_bound);
        tcase_add_test(tc, inside_meets_an_eph_bound);
        tcase_add_test(tc, jump_is_500_km);
        tcase_add_test(tc, watch_one_device);
        tcase_add_test(tc, closed_port_is_refused);
        tcase_add_test(tc, bad_arguments);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
