#include "test/fixtures/nmea_writer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "test/fixtures/great_circle.h"

/* Expected sentences were derived once, independently of this code, in
 * Python: checksum = reduce(lambda a, c: a ^ ord(c), body, 0) over the body
 * between '$' and '*', formatted "%02X". That function reproduces the
 * checksums of the two textbook sentences in checksum_of_textbook_sentences,
 * which come from the NMEA 0183 literature, not from us. */

/* 2023-11-14T22:13:20Z */
#define T0 ((time_t)1700000000)

static const struct ae_nmea_sat sky[] = {
        { 2, 67, 112, 45, true },   { 5, 54, 203, 44, true },  { 7, 41, 58, 42, true },
        { 9, 38, 291, 41, true },   { 13, 29, 145, 39, true }, { 15, 23, 322, 37, true },
        { 18, 19, 20, 36, true },   { 20, 15, 240, 34, true }, { 24, 12, 178, 33, true },
        { 28, 7, 85, 28, false },   { 30, 4, 350, 25, false },
};

/* The "inside" scenario's first epoch. */
static struct ae_nmea_epoch berlin(void)
{
        struct ae_nmea_epoch e = {
                .time = T0,
                .mode = 3,
                .lat_deg = 52.52,
                .lon_deg = 13.405,
                .alt_msl_m = 34.0,
                .geoid_sep_m = 39.5,
                .speed_knots = 0.0,
                .course_deg = NAN,
                .pdop = 1.6,
                .hdop = 0.9,
                .vdop = 1.3,
                .rms_m = 1.5,
                .sigma_lat_m = 1.2,
                .sigma_lon_m = 0.9,
                .sigma_alt_m = 2.1,
                .n_sats = sizeof(sky) / sizeof(sky[0]),
        };

        memcpy(e.sats, sky, sizeof(sky));
        return e;
}

static void assert_well_formed(const char *line)
{
        size_t n = strlen(line);

        ck_assert_uint_le(n, 82);
        ck_assert_int_eq(line[0], '$');
        ck_assert_str_eq(line + n - 2, "\r\n");
        ck_assert_int_eq(line[n - 5], '*');
}

START_TEST(checksum_of_textbook_sentences)
{
        static const char gga[] = "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,";
        static const char rmc[] =
                "GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W";

        ck_assert_uint_eq(ae_nmea_checksum(gga, strlen(gga)), 0x47);
        ck_assert_uint_eq(ae_nmea_checksum(rmc, strlen(rmc)), 0x6A);
        ck_assert_uint_eq(ae_nmea_checksum("", 0), 0);
}
END_TEST

START_TEST(berlin_epoch)
{
        struct ae_nmea_epoch e = berlin();
        char line[AE_NMEA_LINE_MAX];

        ck_assert_int_eq(ae_nmea_rmc(&e, line), 0);
        ck_assert_str_eq(line,
                         "$GPRMC,221320.00,A,5231.2000,N,01324.3000,E,0.00,,141123,,,A*44\r\n");
        assert_well_formed(line);
        ck_assert_int_eq(ae_nmea_gga(&e, line), 0);
        ck_assert_str_eq(line,
                         "$GPGGA,221320.00,5231.2000,N,01324.3000,E,1,09,0.9,34.0,M,39.5,M,,*54\r\n");
        assert_well_formed(line);
        ck_assert_int_eq(ae_nmea_gsa(&e, line), 0);
        ck_assert_str_eq(line, "$GPGSA,A,3,02,05,07,09,13,15,18,20,24,,,,1.6,0.9,1.3*3C\r\n");
        ck_assert_uint_eq(ae_nmea_gsv_count(&e), 3);
        ck_assert_int_eq(ae_nmea_gsv(&e, 0, line), 0);
        ck_assert_str_eq(line,
                         "$GPGSV,3,1,11,02,67,112,45,05,54,203,44,07,41,058,42,09,38,291,41*7A\r\n");
        assert_well_formed(line);
        ck_assert_int_eq(ae_nmea_gsv(&e, 2, line), 0);
        ck_assert_str_eq(line, "$GPGSV,3,3,11,24,12,178,33,28,07,085,28,30,04,350,25*4E\r\n");
        ck_assert_int_eq(ae_nmea_gst(&e, line), 0);
        ck_assert_str_eq(line, "$GPGST,221320.00,1.5,,,,1.2,0.9,2.1*74\r\n");
}
END_TEST

START_TEST(no_fix_epoch)
{
        struct ae_nmea_epoch e = berlin();
        char line[AE_NMEA_LINE_MAX];

        e.mode = 1;
        e.n_sats = 0;
        e.speed_knots = NAN;
        e.pdop = e.hdop = e.vdop = NAN;
        ck_assert_int_eq(ae_nmea_rmc(&e, line), 0);
        ck_assert_str_eq(line, "$GPRMC,221320.00,V,,,,,,,141123,,,N*79\r\n");
        ck_assert_int_eq(ae_nmea_gga(&e, line), 0);
        ck_assert_str_eq(line, "$GPGGA,221320.00,,,,,0,00,,,,,,,*48\r\n");
        ck_assert_int_eq(ae_nmea_gsa(&e, line), 0);
        ck_assert_str_eq(line, "$GPGSA,A,1,,,,,,,,,,,,,,,*1E\r\n");
        /* Seeing nothing is still said with one GSV. */
        ck_assert_uint_eq(ae_nmea_gsv_count(&e), 1);
        ck_assert_int_eq(ae_nmea_gsv(&e, 0, line), 0);
        ck_assert_str_eq(line, "$GPGSV,1,1,00*79\r\n");
}
END_TEST

START_TEST(two_d_has_no_altitude)
{
        struct ae_nmea_epoch e = berlin();
        char line[AE_NMEA_LINE_MAX];

        e.mode = 2;
        e.hdop = 2.4;
        for (size_t i = 3; i < e.n_sats; i++)
                e.sats[i].used = false;
        ck_assert_int_eq(ae_nmea_gga(&e, line), 0);
        ck_assert_str_eq(line, "$GPGGA,221320.00,5231.2000,N,01324.3000,E,1,03,2.4,,,,,,*59\r\n");
}
END_TEST

START_TEST(south_west_sentence)
{
        struct ae_nmea_epoch e = berlin();
        char line[AE_NMEA_LINE_MAX];

        /* Buenos Aires. */
        e.lat_deg = -34.6037;
        e.lon_deg = -58.3816;
        ck_assert_int_eq(ae_nmea_rmc(&e, line), 0);
        ck_assert_str_eq(line,
                         "$GPRMC,221320.00,A,3436.2220,S,05822.8960,W,0.00,,141123,,,A*41\r\n");
}
END_TEST

START_TEST(coordinate_fields)
{
        char lat[AE_NMEA_LAT_MAX], lon[AE_NMEA_LON_MAX], h;

        ck_assert_int_eq(ae_nmea_format_lat(52.52, lat, &h), 0);
        ck_assert_str_eq(lat, "5231.2000");
        ck_assert_int_eq(h, 'N');
        ck_assert_int_eq(ae_nmea_format_lat(-33.8688, lat, &h), 0);
        ck_assert_str_eq(lat, "3352.1280");
        ck_assert_int_eq(h, 'S');
        ck_assert_int_eq(ae_nmea_format_lon(2.3522, lon, &h), 0);
        ck_assert_str_eq(lon, "00221.1320");
        ck_assert_int_eq(h, 'E');
        ck_assert_int_eq(ae_nmea_format_lon(-122.4194, lon, &h), 0);
        ck_assert_str_eq(lon, "12225.1640");
        ck_assert_int_eq(h, 'W');
        ck_assert_int_eq(ae_nmea_format_lat(90.0, lat, &h), 0);
        ck_assert_str_eq(lat, "9000.0000");
        ck_assert_int_eq(ae_nmea_format_lon(-180.0, lon, &h), 0);
        ck_assert_str_eq(lon, "18000.0000");
        ck_assert_int_eq(h, 'W');
}
END_TEST

START_TEST(coordinate_rounding)
{
        char lat[AE_NMEA_LAT_MAX], lon[AE_NMEA_LON_MAX], h;

        /* 52 deg 59.99999': the minutes round up into the degrees. */
        ck_assert_int_eq(ae_nmea_format_lat(52.0 + 59.99999 / 60.0, lat, &h), 0);
        ck_assert_str_eq(lat, "5300.0000");
        /* 52 deg 59.99994' stays below. */
        ck_assert_int_eq(ae_nmea_format_lat(52.0 + 59.99994 / 60.0, lat, &h), 0);
        ck_assert_str_eq(lat, "5259.9999");
        /* Rounds half away from zero at the last digit, both signs alike. */
        ck_assert_int_eq(ae_nmea_format_lat(10.0 + 0.00005 / 60.0 + 1e-12, lat, &h), 0);
        ck_assert_str_eq(lat, "1000.0001");
        ck_assert_int_eq(ae_nmea_format_lat(-(10.0 + 0.00005 / 60.0 + 1e-12), lat, &h), 0);
        ck_assert_str_eq(lat, "1000.0001");
        ck_assert_int_eq(h, 'S');
        /* 179 deg 59.999999' carries into 180 degrees. */
        ck_assert_int_eq(ae_nmea_format_lon(179.0 + 59.999999 / 60.0, lon, &h), 0);
        ck_assert_str_eq(lon, "18000.0000");
        /* A tiny negative value that rounds to zero has no southern sign. */
        ck_assert_int_eq(ae_nmea_format_lat(-1e-9, lat, &h), 0);
        ck_assert_str_eq(lat, "0000.0000");
        ck_assert_int_eq(h, 'N');
        ck_assert_int_eq(ae_nmea_format_lon(-1e-9, lon, &h), 0);
        ck_assert_str_eq(lon, "00000.0000");
        ck_assert_int_eq(h, 'E');
}
END_TEST

START_TEST(coordinate_rejects)
{
        char lat[AE_NMEA_LAT_MAX] = "untouched", lon[AE_NMEA_LON_MAX] = "untouched", h = '?';

        ck_assert_int_eq(ae_nmea_format_lat(90.00001, lat, &h), -EINVAL);
        ck_assert_int_eq(ae_nmea_format_lat(-90.00001, lat, &h), -EINVAL);
        ck_assert_int_eq(ae_nmea_format_lat(NAN, lat, &h), -EINVAL);
        ck_assert_int_eq(ae_nmea_format_lat(INFINITY, lat, &h), -EINVAL);
        ck_assert_int_eq(ae_nmea_format_lon(180.5, lon, &h), -EINVAL);
        ck_assert_int_eq(ae_nmea_format_lon(-INFINITY, lon, &h), -EINVAL);
        ck_assert_str_eq(lat, "untouched");
        ck_assert_str_eq(lon, "untouched");
        ck_assert_int_eq(h, '?');
}
END_TEST

START_TEST(sentence_rejects)
{
        struct ae_nmea_epoch e = berlin();
        char line[AE_NMEA_LINE_MAX] = "untouched";

        e.mode = 0;
        ck_assert_int_eq(ae_nmea_rmc(&e, line), -EINVAL);
        e.mode = 4;
        ck_assert_int_eq(ae_nmea_gga(&e, line), -EINVAL);
        e = berlin();
        e.lat_deg = 91.0;
        ck_assert_int_eq(ae_nmea_gga(&e, line), -EINVAL);
        e = berlin();
        e.sats[0].prn = 0;
        ck_assert_int_eq(ae_nmea_gsa(&e, line), -EINVAL);
        e = berlin();
        e.sats[0].elevation_deg = 91;
        ck_assert_int_eq(ae_nmea_gsv(&e, 0, line), -EINVAL);
        e = berlin();
        ck_assert_int_eq(ae_nmea_gsv(&e, 3, line), -EINVAL);
        e.n_sats = AE_NMEA_SATS_MAX + 1;
        ck_assert_int_eq(ae_nmea_gst(&e, line), -EINVAL);
        /* GSA can name 12 satellites, not 13. */
        e = berlin();
        e.n_sats = 13;
        for (size_t i = 0; i < e.n_sats; i++)
                e.sats[i] = (struct ae_nmea_sat){ (int)i + 1, 10, 10, 30, true };
        ck_assert_int_eq(ae_nmea_gsa(&e, line), -EINVAL);
        /* An altitude too long to fit in 82 characters. */
        e = berlin();
        e.alt_msl_m = 1e30;
        ck_assert_int_eq(ae_nmea_gga(&e, line), -EOVERFLOW);
        ck_assert_str_eq(line, "untouched");
}
END_TEST

START_TEST(whole_epoch)
{
        struct ae_nmea_epoch e = berlin();
        char *buf = NULL, *line, *save = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        int n = 0;

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(ae_nmea_write_epoch(f, &e), 7);
        ck_assert_int_eq(fclose(f), 0);
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                static const char *const order[] = { "$GPRMC", "$GPGGA", "$GPGSA", "$GPGSV",
                                                     "$GPGSV", "$GPGSV", "$GPGST" };

                ck_assert_int_lt(n, 7);
                ck_assert(strncmp(line, order[n], 6) == 0);
                n++;
        }
        ck_assert_int_eq(n, 7);
        free(buf);
}
END_TEST

START_TEST(destination_500_km_south)
{
        double lat, lon;

        ck_assert_int_eq(ae_gc_destination(52.52, 13.405, 180.0, 500000.0, &lat, &lon), 0);
        /* 500 km / 6371008.8 m = 4.4966018 degrees of arc, all of it in
         * latitude when heading due south (Python math, same sphere). */
        ck_assert_double_eq_tol(52.52 - lat, 4.4966018, 1e-6);
        ck_assert_double_eq_tol(lat, 48.02339818, 1e-8);
        ck_assert_double_eq_tol(lon, 13.405, 1e-9);
}
END_TEST

START_TEST(destination_elsewhere)
{
        double lat, lon;

        /* A quarter of the equator eastwards. */
        ck_assert_int_eq(ae_gc_destination(0.0, 0.0, 90.0, AE_GC_EARTH_RADIUS_M * M_PI / 2,
                                           &lat, &lon), 0);
        ck_assert_double_eq_tol(lat, 0.0, 1e-9);
        ck_assert_double_eq_tol(lon, 90.0, 1e-9);
        /* Across the antimeridian: 179 E plus 2 degrees is 179 W. */
        ck_assert_int_eq(ae_gc_destination(0.0, 179.0, 90.0,
                                           AE_GC_EARTH_RADIUS_M * 2.0 * M_PI / 180.0, &lat,
                                           &lon), 0);
        ck_assert_double_eq_tol(lon, -179.0, 1e-9);
        /* Zero distance stays put. */
        ck_assert_int_eq(ae_gc_destination(-33.0, 151.0, 45.0, 0.0, &lat, &lon), 0);
        ck_assert_double_eq_tol(lat, -33.0, 1e-12);
        ck_assert_double_eq_tol(lon, 151.0, 1e-12);
}
END_TEST

START_TEST(destination_rejects)
{
        double lat = 7.0, lon = 7.0;

        ck_assert_int_eq(ae_gc_destination(91.0, 0.0, 0.0, 1.0, &lat, &lon), -EINVAL);
        ck_assert_int_eq(ae_gc_destination(0.0, 181.0, 0.0, 1.0, &lat, &lon), -EINVAL);
        ck_assert_int_eq(ae_gc_destination(0.0, 0.0, NAN, 1.0, &lat, &lon), -EINVAL);
        ck_assert_int_eq(ae_gc_destination(0.0, 0.0, 0.0, -1.0, &lat, &lon), -EINVAL);
        ck_assert_int_eq(ae_gc_destination(0.0, 0.0, 0.0, INFINITY, &lat, &lon), -EINVAL);
        ck_assert_double_eq(lat, 7.0);
        ck_assert_double_eq(lon, 7.0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("nmea_writer");
        TCase *tc = tcase_create("nmea_writer");

        tcase_add_test(tc, checksum_of_textbook_sentences);
        tcase_add_test(tc, berlin_epoch);
        tcase_add_test(tc, no_fix_epoch);
        tcase_add_test(tc, two_d_has_no_altitude);
        tcase_add_test(tc, south_west_sentence);
        tcase_add_test(tc, coordinate_fields);
        tcase_add_test(tc, coordinate_rounding);
        tcase_add_test(tc, coordinate_rejects);
        tcase_add_test(tc, sentence_rejects);
        tcase_add_test(tc, whole_epoch);
        tcase_add_test(tc, destination_500_km_south);
        tcase_add_test(tc, destination_elsewhere);
        tcase_add_test(tc, destination_rejects);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
