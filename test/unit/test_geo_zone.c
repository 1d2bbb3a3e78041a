/* Geofence zones (policy/geo_zone.h) on shapes built here: the contract's
 * every point (closed set, holes, union, antimeridian, poles, circles).
 * Rejections are in test_geo_reject.c, real borders in test_geo_borders.c. */
#include "policy/geo_zone.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check_util.h"
#include "geo_fji_island.h"
#include "policy/geo_internal.h" /* ae_geo_orient, checked against exact integers */

static struct ae_geo_zone *load(const char *text)
{
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        json_error_t jerr;
        json_t *v = json_loads(text, 0, &jerr);
        int r;

        ck_assert_msg(v != NULL, "bad test JSON: %s", jerr.text);
        r = ae_geo_zone_from_json(v, &z, &err);
        json_decref(v);
        ck_assert_msg(r == 0, "rejected at \"%s\": %s", err.path, err.message);
        return z;
}

#define IN(z, lat, lon) ck_assert_msg(ae_geo_zone_contains(z, lat, lon), "(%.17g, %.17g) not in", \
                                      (double)(lat), (double)(lon))
#define OUT(z, lat, lon) ck_assert_msg(!ae_geo_zone_contains(z, lat, lon), "(%.17g, %.17g) in", \
                                       (double)(lat), (double)(lon))

#define SQUARE "[[0,0],[10,0],[10,10],[0,10],[0,0]]"

START_TEST(convex_polygon_closed_set)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[" SQUARE "]}");

        ck_assert_uint_eq(ae_geo_zone_vertices(z), 5);
        IN(z, 5, 5);
        OUT(z, 5, 15);
        OUT(z, 5, -1);
        OUT(z, -5, 5);
        /* Edges and vertices belong to the zone; one ulp past them does not. */
        IN(z, 0, 5);
        IN(z, 10, 5);
        IN(z, 5, 0);
        IN(z, 5, 10);
        IN(z, 0, 0);
        IN(z, 10, 10);
        IN(z, 0, 10);
        IN(z, 10, 0);
        OUT(z, 5, nextafter(10, 11));
        OUT(z, 5, nextafter(0, -1));
        OUT(z, nextafter(10, 11), 5);
        OUT(z, nextafter(0, -1), 5);
        OUT(z, nextafter(0, -1), nextafter(0, -1));
        IN(z, nextafter(0, 1), nextafter(10, 9));
        /* Either winding. */
        ae_geo_zone_free(z);
        z = load("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0,10],[10,10],[10,0],[0,0]]]}");
        IN(z, 5, 5);
        IN(z, 0, 5);
        OUT(z, 5, nextafter(10, 11));
}
END_TEST

START_TEST(concave_polygon)
{
        /* A "C" open to the east: the notch 2 < lat < 8, lon > 2 is outside. */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":"
                     "[[[0,0],[10,0],[10,2],[2,2],[2,8],[10,8],[10,10],[0,10],[0,0]]]}");

        IN(z, 5, 1);
        OUT(z, 5, 5);
        IN(z, 1, 5);
        IN(z, 9, 5);
        /* Rays through vertices and along horizontal edges. */
        IN(z, 2, 1);
        IN(z, 8, 1);
        IN(z, 2, 6);  /* on the notch's lower edge */
        IN(z, 8, 10); /* a vertex */
        IN(z, 5, 2);  /* on the notch's inner edge */
        OUT(z, 5, nextafter(2, 3));
        OUT(z, 8, -1);
        OUT(z, 2, -1);
        OUT(z, 2, 11);
        OUT(z, 8, 11);
        OUT(z, nextafter(8, 7), 5);
        OUT(z, nextafter(2, 3), 10);
}
END_TEST

START_TEST(diagonal_edges_exact)
{
        /* Triangle with edges on y = 2x and y = 8 - 2x (lon x, lat y). */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[2,4],[0,0]]]}");

        IN(z, 2, 1);
        IN(z, 2, 3);
        IN(z, 4, 2);
        OUT(z, nextafter(2, 3), 1);
        OUT(z, 2, nextafter(3, 4));
        IN(z, nextafter(2, 1), 1);
        /* Points given as doubles exactly on the line y = 2x: any t with
         * 2t exact (all of them) lies on the edge (0,0)-(2,4). */
        for (double t = 0.001; t < 2; t += 0.0137) {
                IN(z, 2 * t, t);
                OUT(z, nextafter(2 * t, 5), t);
        }
}
END_TEST

/* Exact integer orientation for coordinates in [1, 512): each is a multiple
 * of 2^-52 there, so scaled by 2^52 it fits 61 bits and the determinant 126. */
static int orient_int(const struct ae_geo_point *a, const struct ae_geo_point *b,
                      const struct ae_geo_point *c)
{
        __int128 ax = (__int128)ldexp(a->x, 52), ay = (__int128)ldexp(a->y, 52);
        __int128 bx = (__int128)ldexp(b->x, 52), by = (__int128)ldexp(b->y, 52);
        __int128 cx = (__int128)ldexp(c->x, 52), cy = (__int128)ldexp(c->y, 52);
        __int128 det = (ax - cx) * (by - cy) - (ay - cy) * (bx - cx);

        return det > 0 ? 1 : det < 0 ? -1 : 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static double rnd(double lo, double hi)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

START_TEST(orientation_is_exact)
{
        unsigned zeros = 0, hard = 0;

        for (int i = 0; i < 20000; i++) {
                struct ae_geo_point a = { rnd(1, 200), rnd(1, 90) };
                struct ae_geo_point b = { rnd(1, 200), rnd(1, 90) };
                double t = rnd(0, 1);
                struct ae_geo_point c = { a.x + t * (b.x - a.x), a.y + t * (b.y - a.y) };

                /* Every other case exactly on a line: a step (dx, dy) of
                 * 2^-20 multiples taken 1 and 3 times stays exact. */
                if (i % 2) {
                        double dx = ldexp(floor(rnd(-1, 1) * 0x1p24), -20);
                        double dy = ldexp(floor(rnd(-1, 1) * 0x1p24), -20);

                        a.x = 100 + ldexp(floor(rnd(0, 1) * 0x1p30), -20);
                        a.y = 45 + ldexp(floor(rnd(0, 1) * 0x1p30), -24);
                        c = (struct ae_geo_point){ a.x + dx, a.y + dy };
                        b = (struct ae_geo_point){ a.x + 3 * dx, a.y + 3 * dy };
                }

                /* Within a few ulps of the line, where a plain cross
                 * product guesses. */
                for (int k = -3; k <= 3; k++) {
                        struct ae_geo_point d = c;
                        int want, got;

                        for (int s = 0; s < (k < 0 ? -k : k); s++)
                                d.x = nextafter(d.x, k < 0 ? 0 : 512);
                        want = orient_int(&a, &b, &d);
                        got = ae_geo_orient(&a, &b, &d);
                        ck_assert_int_eq(got, want);
                        zeros += want == 0;
                        /* Count the cases the plain formula gets wrong. */
                        {
                                double det = (a.x - d.x) * (b.y - d.y) - (a.y - d.y) * (b.x - d.x);
                                int naive = det > 0 ? 1 : det < 0 ? -1 : 0;

                                hard += naive != want;
                        }
                }
        }
        /* The test must have exercised the exact path. */
        ck_assert_uint_gt(zeros, 100);
        ck_assert_uint_gt(hard, 100);
}
END_TEST

START_TEST(holes)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[" SQUARE ","
                     "[[3,3],[3,7],[7,7],[7,3],[3,3]]]}");

        IN(z, 1, 1);
        OUT(z, 5, 5);
        IN(z, 5, 9);
        /* The hole's edge and vertices are the zone's boundary: inside. */
        IN(z, 5, 3);
        IN(z, 5, 7);
        IN(z, 3, 5);
        IN(z, 7, 5);
        IN(z, 3, 3);
        IN(z, 7, 7);
        OUT(z, 5, nextafter(3, 4));
        OUT(z, nextafter(7, 6), 5);
        IN(z, 5, nextafter(3, 2));
        OUT(z, 5, 15);
}
END_TEST

START_TEST(hole_touching_outer_ring)
{
        /* A hole sharing the outer ring's west edge: the shared edge and the
         * hole's vertices are boundary (inside), its interior outside. */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[" SQUARE ","
                     "[[0,2],[4,2],[4,6],[0,6],[0,2]]]}");

        IN(z, 4, 0);
        OUT(z, 4, 2);
        IN(z, 4, 4);
        IN(z, 2, 0);
        IN(z, 8, 2);
        OUT(z, 4, -1);
}
END_TEST

START_TEST(multipolygon_is_a_union)
{
        /* Two overlapping squares (an even-odd count over all edges would
         * call the overlap outside), a disjoint one, and an island inside
         * the first square's hole. */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"MultiPolygon\",\"coordinates\":["
                     "[" SQUARE ",[[3,3],[3,7],[7,7],[7,3],[3,3]]],"
                     "[[[8,8],[12,8],[12,12],[8,12],[8,8]]],"
                     "[[[20,20],[21,20],[21,21],[20,21],[20,20]]],"
                     "[[[4,4],[6,4],[6,6],[4,6],[4,4]]]]}");

        ck_assert_uint_eq(ae_geo_zone_vertices(z), 25);
        IN(z, 9, 9);   /* overlap */
        IN(z, 11, 11); /* second only */
        IN(z, 1, 1);
        IN(z, 20.5, 20.5);
        IN(z, 21, 21);
        OUT(z, 15, 15);
        OUT(z, 3.5, 3.5); /* lake */
        IN(z, 5, 5);      /* island in the lake */
        IN(z, 4, 4);
        OUT(z, 5, 3.9);
}
END_TEST

START_TEST(feature_and_extra_members)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Feature\",\"id\":7,\"properties\":{\"A3\":\"SQ\"},"
                     "\"bbox\":[0,0,10,10],\"geometry\":{\"type\":\"Polygon\","
                     "\"coordinates\":[[[0,0,100],[10,0,120,5],[10,10,0],[0,10],[0,0,100]]],"
                     "\"x-foreign\":true}}");

        IN(z, 5, 5);
        OUT(z, 5, 11);
}
END_TEST

START_TEST(antimeridian_cut_and_uncut_agree)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *cut =
                load("{\"type\":\"MultiPolygon\",\"coordinates\":[[" FJI_EAST "],[" FJI_WEST
                     "]]}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *uncut =
                load("{\"type\":\"Polygon\",\"coordinates\":[" FJI_UNCUT "]}");
        unsigned in = 0, n = 0;

        /* Both sides of 180, and on it. */
        IN(cut, -16.51663, 179.988385);
        IN(uncut, -16.51663, 179.988385);
        IN(cut, -16.495465, -179.9702226);
        IN(uncut, -16.495465, -179.9702226);
        IN(cut, -16.5, 180);
        IN(cut, -16.5, -180);
        IN(uncut, -16.5, 180);
        IN(uncut, -16.5, -180);
        OUT(uncut, -16.5, 0);
        OUT(uncut, -16.5, 179.5);
        OUT(uncut, -16.6, 180);
        /* A grid over the island and around it, lon -180 and 180 included. */
        for (int i = 0; i <= 300; i++)
                for (int j = 0; j <= 400; j++) {
                        double lat = -16.56 + 0.14 * i / 300;
                        double lon = 179.96 + 0.1 * j / 400;
                        bool a, b;

                        if (lon > 180)
                                lon -= 360;
                        a = ae_geo_zone_contains(cut, lat, lon);
                        b = ae_geo_zone_contains(uncut, lat, lon);
                        ck_assert_msg(a == b, "cut %d uncut %d at (%.17g, %.17g)", a, b, lat,
                                      lon);
                        in += a;
                        n++;
                }
        ck_assert_uint_gt(in, n / 10);
        ck_assert_uint_lt(in, n / 2);
}
END_TEST

START_TEST(antimeridian_square_with_hole)
{
        /* 170E..170W, uncut, with an uncut hole 179E..179W, in both windings;
         * and the same cut into two polygons with two holes. */
        static const char *const forms[] = {
                "{\"type\":\"Polygon\",\"coordinates\":[[[170,-10],[-170,-10],[-170,10],"
                "[170,10],[170,-10]],[[179,-1],[179,1],[-179,1],[-179,-1],[179,-1]]]}",
                "{\"type\":\"Polygon\",\"coordinates\":[[[-170,-10],[170,-10],[170,10],"
                "[-170,10],[-170,-10]],[[-179,-1],[179,-1],[179,1],[-179,1],[-179,-1]]]}",
                "{\"type\":\"MultiPolygon\",\"coordinates\":["
                "[[[170,-10],[180,-10],[180,10],[170,10],[170,-10]],"
                "[[179,-1],[180,-1],[180,1],[179,1],[179,-1]]],"
                "[[[-180,-10],[-170,-10],[-170,10],[-180,10],[-180,-10]],"
                "[[-180,-1],[-179,-1],[-179,1],[-180,1],[-180,-1]]]]}",
        };

        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
                _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = load(forms[f]);

                IN(z, 0, 175);
                IN(z, 0, -175);
                IN(z, 5, 180);
                IN(z, 5, -180);
                IN(z, 10, 180);
                IN(z, -10, -170);
                /* Cut, the hole's cut is an edge of both halves, so a point
                 * exactly on it is boundary; uncut, it is the hole's inside. */
                ck_assert(ae_geo_zone_contains(z, 0, 180) == (f == 2));
                ck_assert(ae_geo_zone_contains(z, 0, -180) == (f == 2));
                OUT(z, 0, 179.5);
                OUT(z, 0, -179.5);
                IN(z, 1, 180); /* the hole's edge */
                IN(z, 0, 179);
                OUT(z, 0, 0);
                OUT(z, 0, 165);
                OUT(z, 0, -165);
                OUT(z, 11, 180);
        }
}
END_TEST

START_TEST(antimeridian_hole_in_a_polar_band)
{
        /* The band spans -180..180; its hole crosses 180 uncut, so it lies
         * in 179..181 once unwrapped, past the band's own range: holes are
         * tested at every shift of the query, not in their outer ring's. */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[-180,60],[0,60],[180,60],"
                     "[180,90],[0,90],[-180,90],[-180,60]],"
                     "[[179,70],[-179,70],[-179,71],[179,71],[179,70]]]}");

        OUT(z, 70.5, 180);
        OUT(z, 70.5, -180);
        OUT(z, 70.5, 179.5);
        OUT(z, 70.5, -179.5);
        IN(z, 70.5, 178.5);
        IN(z, 70.5, -178.5);
        IN(z, 70, 180); /* the hole's edge */
        IN(z, 75, 180);
        IN(z, 70.5, 0);
        OUT(z, 59, 180);
}
END_TEST

START_TEST(poles)
{
        /* A cap north of 80N as a band, and one south of 60S whose edge
         * along the pole jumps from 180 to -180 directly. */
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *north =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[-180,80],[0,80],[180,80],"
                     "[180,90],[0,90],[-180,90],[-180,80]]]}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *south =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[-180,-90],[-180,-60],[0,-60],"
                     "[180,-60],[180,-90],[-180,-90]]]}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *tri =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[0,80],[10,80],[5,90],[0,80]]]}");

        IN(north, 89.9999, 45);
        IN(north, 90, 0);
        IN(north, 90, 180);
        IN(north, 90, -180);
        IN(north, 85, -180);
        IN(north, 85, 180);
        IN(north, 80, 33);
        OUT(north, 79.9, 0);
        OUT(north, -89, 0);
        IN(south, -89.9999, 123);
        IN(south, -90, 0);
        IN(south, -60, -180);
        IN(south, -75, 179.99);
        OUT(south, -59.9, 0);
        /* In lon/lat space a triangle reaching the pole narrows to it. */
        IN(tri, 89.9, 5);
        OUT(tri, 89.9, 6);
        IN(tri, 90, 5);
        OUT(tri, 90, 6);
        IN(tri, 81, 1);
}
END_TEST

START_TEST(distance_haversine)
{
        /* Expected values from the spherical Vincenty formula (atan2 form),
         * a different route to the same great-circle distance. */
        ck_assert_double_eq_tol(ae_geo_distance_m(52.52, 13.405, 48.8566, 2.3522),
                                877464.538, 0.01);
        ck_assert_double_eq_tol(ae_geo_distance_m(0, 0, 0, 90), 10007557.221, 0.01);
        ck_assert_double_eq_tol(ae_geo_distance_m(90, 0, -90, 0), 20015114.442, 0.01);
        ck_assert_double_eq_tol(ae_geo_distance_m(0, 0, 0, 180), 20015114.442, 0.01);
        ck_assert_double_eq_tol(ae_geo_distance_m(0, 179.5, 0, -179.5), 111195.080, 0.01);
        ck_assert_double_eq_tol(ae_geo_distance_m(90, 0, 90, 123), 0, 1e-6);
        ck_assert_double_eq(ae_geo_distance_m(47.1, 8.2, 47.1, 8.2), 0);
}
END_TEST

START_TEST(circles)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *berlin =
                load("{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":900000}}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *small =
                load("{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":870000}}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *date =
                load("{\"circle\":{\"center\":[179.9,0],\"radius_m\":50000}}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *pole =
                load("{\"circle\":{\"center\":[0,90],\"radius_m\":100000}}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *all =
                load("{\"circle\":{\"center\":[0,0],\"radius_m\":20037000}}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *edge = NULL;
        char text[128];
        double d = ae_geo_distance_m(52.52, 13.405, 48.8566, 2.3522);

        ck_assert_uint_eq(ae_geo_zone_vertices(berlin), 0);
        IN(berlin, 48.8566, 2.3522);
        OUT(small, 48.8566, 2.3522);
        IN(small, 52.52, 13.405);
        IN(date, 0, -179.9);
        IN(date, 0.2, 180);
        OUT(date, 0, -179.4);
        IN(pole, 89.5, 123);
        IN(pole, 89.11, -45);
        OUT(pole, 89, 0);
        IN(all, 0, 180);
        IN(all, -90, 0);
        /* Closed: the radius equal to the distance holds the point. */
        snprintf(text, sizeof(text), "{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":%.17g}}",
                 d);
        edge = load(text);
        IN(edge, 48.8566, 2.3522);
        ae_geo_zone_free(edge);
        snprintf(text, sizeof(text), "{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":%.17g}}",
                 nextafter(d, 0));
        edge = load(text);
        OUT(edge, 48.8566, 2.3522);
}
END_TEST

START_TEST(queries_out_of_range)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z =
                load("{\"type\":\"Polygon\",\"coordinates\":[[[-180,-90],[180,-90],[180,90],"
                     "[-180,90],[-180,-90]]]}");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *c =
                load("{\"circle\":{\"center\":[0,0],\"radius_m\":20037000}}");

        IN(z, 0, 0);
        IN(z, 90, 180);
        OUT(z, NAN, 0);
        OUT(z, 0, NAN);
        OUT(z, 90.5, 0);
        OUT(z, 0, 180.5);
        OUT(z, 0, -INFINITY);
        OUT(c, NAN, 0);
        OUT(c, 0, 181);
        ck_assert(!ae_geo_zone_contains(NULL, 0, 0));
        ck_assert_uint_eq(ae_geo_zone_vertices(NULL), 0);
        ae_geo_zone_free(NULL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("geo_zone");
        TCase *tc = tcase_create("zone");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, convex_polygon_closed_set);
        tcase_add_test(tc, concave_polygon);
        tcase_add_test(tc, diagonal_edges_exact);
        tcase_add_test(tc, orientation_is_exact);
        tcase_add_test(tc, holes);
        tcase_add_test(tc, hole_touching_outer_ring);
        tcase_add_test(tc, multipolygon_is_a_union);
        tcase_add_test(tc, feature_and_extra_members);
        tcase_add_test(tc, antimeridian_cut_and_uncut_agree);
        tcase_add_test(tc, antimeridian_square_with_hole);
        tcase_add_test(tc, antimeridian_hole_in_a_polar_band);
        tcase_add_test(tc, poles);
        tcase_add_test(tc, distance_haversine);
        tcase_add_test(tc, circles);
        tcase_add_test(tc, queries_out_of_range);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
