/* Geofence zones (policy/geo_zone.h): every rejection, with the exact path
 * (relative to the zone) and message, and the stated limits. */
#include "policy/geo_zone.h"

#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "check_util.h"

#define SQUARE "[[0,0],[10,0],[10,10],[0,10],[0,0]]"

#define IN(z, lat, lon) ck_assert(ae_geo_zone_contains(z, lat, lon))
#define OUT(z, lat, lon) ck_assert(!ae_geo_zone_contains(z, lat, lon))

static int sentinel;

/* One bad zone per case: the exact path (relative to the zone) and message,
 * and no zone comes out. */
static const struct {
        const char *json, *path, *message;
} bad[] = {
        { "[]", "", "expected an object, found an array" },
        { "{}", ".type", "required" },
        { "{\"type\":1}", ".type", "expected a string, found a number" },
        { "{\"type\":\"Point\",\"coordinates\":[0,0]}", ".type",
          "unsupported type \"Point\": expected Polygon, MultiPolygon or Feature" },
        { "{\"type\":\"Feature\"}", ".geometry", "required" },
        { "{\"type\":\"Feature\",\"geometry\":null}", ".geometry",
          "expected a geometry object, found null" },
        { "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Feature\",\"geometry\":{}}}",
          ".geometry.type", "unsupported type \"Feature\": expected Polygon or MultiPolygon" },
        { "{\"type\":\"Feature\",\"geometry\":{\"circle\":{}}}", ".geometry.type", "required" },
        { "{\"type\":\"Polygon\"}", ".coordinates", "required" },
        { "{\"type\":\"Polygon\",\"coordinates\":{}}", ".coordinates",
          "expected an array, found an object" },
        { "{\"type\":\"Polygon\",\"coordinates\":[]}", ".coordinates",
          "a polygon needs at least one ring" },
        { "{\"type\":\"MultiPolygon\",\"coordinates\":[]}", ".coordinates",
          "a MultiPolygon needs at least one polygon" },
        { "{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}", ".coordinates[0]",
          "a polygon needs at least one ring" },
        { "{\"type\":\"MultiPolygon\",\"coordinates\":[5]}", ".coordinates[0]",
          "expected a polygon (an array of rings), found a number" },
        { "{\"type\":\"MultiPolygon\",\"coordinates\":[" SQUARE "]}", ".coordinates[0][0]",
          "a ring needs at least 4 positions, found 2" },
        { "{\"type\":\"Polygon\",\"coordinates\":[5]}", ".coordinates[0]",
          "expected a ring (an array of positions), found a number" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", ".coordinates[0]",
          "a ring needs at least 4 positions, found 3" },
        { "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE ",[[0,0],[1,1],[0,0]]]}",
          ".coordinates[1]", "a ring needs at least 4 positions, found 3" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
          ".coordinates[0]", "ring not closed: its last position differs from its first" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0.0000001]]]}",
          ".coordinates[0]", "ring not closed: its last position differs from its first" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],\"x\",[0,1],[0,0]]]}",
          ".coordinates[0][2]", "expected a position [lon, lat], found a string" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1]", "a position needs [lon, lat], found 1 element" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1]", "a position needs [lon, lat], found 0 elements" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"0\"],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][1]", "expected a number, found a string" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[null,0],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][0]", "expected a number, found null" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,true],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][1]", "expected a number, found a boolean" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][0]", "longitude 181 outside [-180, 180]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[-180.5,0],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][0]", "longitude -180.5 outside [-180, 180]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1000000,0],[1,1],[0,1],[0,0]]]}",
          ".coordinates[0][1][0]", "longitude 1000000 outside [-180, 180]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,90.1],[0,1],[0,0]]]}",
          ".coordinates[0][2][1]", "latitude 90.1 outside [-90, 90]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,90.00000000000001],[0,1],"
          "[0,0]]]}",
          ".coordinates[0][2][1]", "latitude 90.00000000000001 outside [-90, 90]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,-91],[1,0],[1,1],[0,1],[0,-91]]]}",
          ".coordinates[0][0][1]", "latitude -91 outside [-90, 90]" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[1,1],[1,1],[1,1]]]}",
          ".coordinates[0]", "ring collapses to a single position" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[2,2],[0,0]]]}",
          ".coordinates[0]", "ring has zero area: all its positions lie on one line" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,0],[0,0],[0,0]]]}",
          ".coordinates[0]", "ring has zero area: all its positions lie on one line" },
        { "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE ",[[5,5],[6,5],[7,5],[5,5]]]}",
          ".coordinates[1]", "ring has zero area: all its positions lie on one line" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,80],[90,80],[180,80],[-90,80],[0,80]]]}",
          ".coordinates[0]",
          "ring winds around a pole; cut it at the antimeridian or run it along latitude 90 "
          "or -90" },
        { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[170,0],[-20,0],[150,0],[-20,1],"
          "[170,1],[0,1],[0,0]]]}",
          ".coordinates[0]", "ring spans more than 360 degrees of longitude" },
        { "{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQUARE "],[" SQUARE
          ",[[0,0],[1,0],[1,95],[0,1],[0,0]]]]}",
          ".coordinates[1][1][2][1]", "latitude 95 outside [-90, 90]" },
        { "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"MultiPolygon\","
          "\"coordinates\":[[[[0,0],[1,0],[1,1],[200,1],[0,0]]]]}}",
          ".geometry.coordinates[0][0][3][0]", "longitude 200 outside [-180, 180]" },
        { "{\"circle\":5}", ".circle", "expected an object, found a number" },
        { "{\"circle\":{}}", ".circle.center", "required" },
        { "{\"circle\":{\"center\":[0,0]}}", ".circle.radius_m", "required" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":\"5\"}}", ".circle.radius_m",
          "expected a number, found a string" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":0}}", ".circle.radius_m",
          "radius 0 m outside (0, 20037000]" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":-1.5}}", ".circle.radius_m",
          "radius -1.5 m outside (0, 20037000]" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":20037000.5}}", ".circle.radius_m",
          "radius 20037000.5 m outside (0, 20037000]" },
        { "{\"circle\":{\"center\":[200,0],\"radius_m\":5}}", ".circle.center[0]",
          "longitude 200 outside [-180, 180]" },
        { "{\"circle\":{\"center\":[0,-90.5],\"radius_m\":5}}", ".circle.center[1]",
          "latitude -90.5 outside [-90, 90]" },
        { "{\"circle\":{\"center\":[0],\"radius_m\":5}}", ".circle.center",
          "a position needs [lon, lat], found 1 element" },
        { "{\"circle\":{\"center\":{\"lon\":0,\"lat\":0},\"radius_m\":5}}", ".circle.center",
          "expected a position [lon, lat], found an object" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":5,\"radius\":5}}", ".circle.radius",
          "unknown key" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":5,\"radius m\":5}}",
          ".circle[\"radius m\"]", "unknown key" },
        { "{\"circle\":{\"center\":[0,0],\"radius_m\":5},\"type\":\"Polygon\"}", ".type",
          "unknown key next to \"circle\"" },
};

START_TEST(rejects_bad_zones)
{
        struct ae_geo_zone *z = (struct ae_geo_zone *)&sentinel; /* must stay untouched */
        struct ae_geo_error err = { "unset", "unset" };
        json_error_t jerr;
        json_t *v = json_loads(bad[_i].json, JSON_DECODE_ANY, &jerr);

        ck_assert_msg(v != NULL, "bad test JSON %s: %s", bad[_i].json, jerr.text);
        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, &err), -EINVAL);
        json_decref(v);
        ck_assert_ptr_eq(z, (struct ae_geo_zone *)&sentinel);
        ck_assert_str_eq(err.path, bad[_i].path);
        ck_assert_str_eq(err.message, bad[_i].message);
}
END_TEST

START_TEST(rejects_without_error_buffer_and_null)
{
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err;
        json_t *v = json_integer(5);

        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, NULL), -EINVAL);
        ck_assert_ptr_null(z);
        json_decref(v);
        ck_assert_int_eq(ae_geo_zone_from_json(NULL, &z, &err), -EINVAL);
        ck_assert_str_eq(err.path, "");
        ck_assert_str_eq(err.message, "expected an object, found nothing");
}
END_TEST

/* jansson is the only source of values: it refuses NaN and infinity both in
 * text and in json_real(), so no position can carry one (geo_path.c still
 * checks, in case that changes). */
START_TEST(no_nan_reaches_a_zone)
{
        json_error_t jerr;

        ck_assert_ptr_null(json_real(NAN));
        ck_assert_ptr_null(json_real(INFINITY));
        ck_assert_ptr_null(json_loads("[NaN]", 0, &jerr));
        ck_assert_ptr_null(json_loads("[1e400]", 0, &jerr));
}
END_TEST

/* A polygon of n_holes + 1 copies of one triangle ring (jansson shares the
 * array by reference, so a large document costs little). */
static json_t *many_rings(size_t n_rings)
{
        json_t *ring = json_loads("[[0,0],[1,0],[0,1],[0,0]]", 0, NULL);
        json_t *poly = json_array();

        for (size_t i = 0; i < n_rings; i++)
                json_array_append(poly, ring);
        json_decref(ring);
        return json_pack("{s:s, s:o}", "type", "Polygon", "coordinates", poly);
}

/* A ring of n positions: a triangle whose first vertex repeats n - 3 times
 * (consecutive duplicates are allowed). */
static json_t *long_ring(size_t n)
{
        json_t *a = json_pack("[i,i]", 0, 0), *ring = json_array();

        for (size_t i = 0; i + 3 < n; i++)
                json_array_append(ring, a);
        json_array_append_new(ring, json_pack("[i,i]", 1, 0));
        json_array_append_new(ring, json_pack("[i,i]", 0, 1));
        json_array_append(ring, a);
        json_decref(a);
        return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
}

START_TEST(limits)
{
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        json_t *v;

        v = many_rings(AE_GEO_MAX_RINGS);
        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, &err), 0);
        ck_assert_uint_eq(ae_geo_zone_vertices(z), 4 * AE_GEO_MAX_RINGS);
        IN(z, 0, 0); /* on every ring */
        OUT(z, 0.25, 0.25);
        ae_geo_zone_free(z);
        json_decref(v);

        z = NULL;
        v = many_rings(AE_GEO_MAX_RINGS + 1);
        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, &err), -EINVAL);
        ck_assert_ptr_null(z);
        ck_assert_str_eq(err.path, ".coordinates[100000]");
        ck_assert_str_eq(err.message, "more than 100000 rings in one zone");
        json_decref(v);

        v = long_ring(AE_GEO_MAX_POSITIONS + 1);
        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, &err), -EINVAL);
        ck_assert_str_eq(err.path, ".coordinates[0]");
        ck_assert_str_eq(err.message, "more than 2000000 positions in one zone");
        json_decref(v);
}
END_TEST

START_TEST(limit_positions_accepted)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        json_t *v = long_ring(AE_GEO_MAX_POSITIONS);

        ck_assert_int_eq(ae_geo_zone_from_json(v, &z, &err), 0);
        json_decref(v);
        ck_assert_uint_eq(ae_geo_zone_vertices(z), AE_GEO_MAX_POSITIONS);
        IN(z, 0.25, 0.25);
        IN(z, 0, 0);
        OUT(z, 0.75, 0.75);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("geo_reject");
        TCase *tc = tcase_create("reject");

        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, rejects_bad_zones, 0, sizeof(bad) / sizeof(bad[0]));
        tcase_add_test(tc, rejects_without_error_buffer_and_null);
        tcase_add_test(tc, no_nan_reaches_a_zone);
        tcase_add_test(tc, limits);
        tcase_add_test(tc, limit_positions_accepted);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
