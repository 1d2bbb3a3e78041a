/* Geofence zones on real country borders (../shared/geo, see its README):
 * lakes as holes, overlapping zones, the antimeridian, an 85,000-vertex
 * Germany. Skips (77) when the shared data is absent. */
#include "policy/geo_zone.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "check_util.h"
#include "geo_fji_island.h"

static json_t *read_border(const char *code)
{
        char rel[64], path[4096];
        json_error_t jerr;
        json_t *v;

        snprintf(rel, sizeof(rel), "geo/%s.geojson", code);
        ck_assert_int_eq(ae_test_shared_path(rel, path, sizeof(path)), 0);
        v = json_load_file(path, 0, &jerr);
        ck_assert_msg(v != NULL, "%s: %s", path, jerr.text);
        return v;
}

static struct ae_geo_zone *load_json(json_t *v)
{
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        int r = ae_geo_zone_from_json(v, &z, &err);

        ck_assert_msg(r == 0, "rejected at \"%s\": %s", err.path, err.message);
        return z;
}

static struct ae_geo_zone *load_border(const char *code)
{
        json_t *v = read_border(code);
        struct ae_geo_zone *z = load_json(v);

        json_decref(v);
        return z;
}

#define IN(z, lat, lon) ck_assert_msg(ae_geo_zone_contains(z, lat, lon), "(%g, %g) not in", \
                                      (double)(lat), (double)(lon))
#define OUT(z, lat, lon) ck_assert_msg(!ae_geo_zone_contains(z, lat, lon), "(%g, %g) in", \
                                       (double)(lat), (double)(lon))

/* Every file loads, with the vertex count of shared/geo/README.md. */
static const struct {
        const char *code;
        size_t vertices;
} borders[] = {
        { "AUT", 29024 }, { "CHE", 16603 }, { "DEU", 84817 }, { "FJI", 3062 },
        { "FRA", 118817 }, { "ITA", 43875 }, { "LSO", 8471 }, { "NZL", 32327 },
        { "SMR", 241 },   { "VAT", 53 },    { "ZAF", 29668 },
};

START_TEST(every_border_loads)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = load_border(borders[_i].code);

        ck_assert_uint_eq(ae_geo_zone_vertices(z), borders[_i].vertices);
}
END_TEST

START_TEST(germany_and_its_lakes)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *deu = load_border("DEU");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *fra = load_border("FRA");

        OUT(deu, 47.87, 12.45);   /* Chiemsee, a hole */
        IN(deu, 47.856, 12.346);  /* Prien, on its shore */
        OUT(deu, 53.45, 12.68);   /* Mueritz, a hole */
        IN(deu, 52.52, 13.405);   /* Berlin */
        IN(deu, 47.8, 9.4);
        OUT(deu, 48.8566, 2.3522); /* Paris */
        OUT(deu, 54.5, 7.0);       /* North Sea */
        IN(fra, 48.8566, 2.3522);
        IN(fra, 43.7, 7.27);       /* Nice */
        IN(fra, 4.93, -52.33);     /* Cayenne: FRA spans the globe */
        OUT(fra, 52.52, 13.405);
}
END_TEST

START_TEST(overlapping_zones)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *ita = load_border("ITA");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *vat = load_border("VAT");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *smr = load_border("SMR");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *lso = load_border("LSO");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *zaf = load_border("ZAF");

        IN(ita, 41.9029, 12.4534); /* St Peter's: in the Vatican and in ITA's ring */
        IN(vat, 41.9029, 12.4534);
        IN(ita, 41.89, 12.49);     /* Rome, not the Vatican */
        OUT(vat, 41.89, 12.49);
        IN(smr, 43.9424, 12.4578);
        IN(ita, 43.9424, 12.4578);
        /* Maseru: ZAF's outer ring covers Lesotho with no hole for it in
         * this data (shapely agrees), so the capital is in both zones. */
        IN(lso, -29.31, 27.48);
        IN(zaf, -29.31, 27.48);
        OUT(lso, -26.2, 28.04);    /* Johannesburg */
        IN(zaf, -26.2, 28.04);
}
END_TEST

START_TEST(fiji_across_the_antimeridian)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *fji = load_border("FJI");
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *nzl = load_border("NZL");
        json_t *v = json_loads("{\"type\":\"Polygon\",\"coordinates\":[" FJI_UNCUT "]}", 0, NULL);
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *island = load_json(v);

        json_decref(v);
        IN(fji, -18.14, 178.44);              /* Suva */
        IN(fji, -16.901645, 179.96928);       /* east of 180 ... */
        IN(fji, -16.83055, -179.9355325);     /* ... and west of it, one island */
        IN(fji, -16.51663, 179.988385);
        IN(fji, -16.495465, -179.9702226);
        IN(fji, -16.5, 180);
        IN(fji, -16.5, -180);
        OUT(fji, -16.6, 179.9);
        OUT(fji, -16.6, -179.9);
        IN(nzl, -43.9, -176.5);               /* Chatham Islands */
        IN(nzl, -41.29, 174.78);              /* Wellington */
        /* The uncut ring of the island against the file's cut halves. */
        for (int i = 0; i <= 200; i++)
                for (int j = 0; j <= 200; j++) {
                        double lat = -16.56 + 0.14 * i / 200, lon = 179.96 + 0.1 * j / 200;

                        if (lon > 180)
                                lon -= 360;
                        ck_assert_msg(ae_geo_zone_contains(fji, lat, lon) ==
                                              ae_geo_zone_contains(island, lat, lon),
                                      "(%.17g, %.17g)", lat, lon);
                }
}
END_TEST

/* A plain reference: even-odd per ring over every edge, no index, no exact
 * predicate; polygon = outer minus holes, zone = union. Random points are
 * almost never within rounding of an edge, so it must agree exactly. */
struct plain_ring {
        size_t n;
        bool outer;
        double *x, *y;
};

struct plain_zone {
        size_t n_rings;
        struct plain_ring *rings;
        double lat0, lat1, lon0, lon1; /* bounding box */
};

static void plain_load(const json_t *feature, struct plain_zone *pz)
{
        const json_t *coords = json_object_get(json_object_get(feature, "geometry"),
                                               "coordinates");
        size_t pi, ri, k;
        json_t *poly, *ring, *pos;

        *pz = (struct plain_zone){ 0, NULL, 90, -90, 180, -180 };
        json_array_foreach(coords, pi, poly) json_array_foreach(poly, ri, ring) {
                struct plain_ring *r;

                pz->rings = realloc(pz->rings, (pz->n_rings + 1) * sizeof(*pz->rings));
                ck_assert_ptr_nonnull(pz->rings);
                r = &pz->rings[pz->n_rings++];
                r->n = json_array_size(ring);
                r->outer = ri == 0;
                r->x = malloc(r->n * sizeof(double));
                r->y = malloc(r->n * sizeof(double));
                ck_assert(r->x && r->y);
                json_array_foreach(ring, k, pos) {
                        r->x[k] = json_number_value(json_array_get(pos, 0));
                        r->y[k] = json_number_value(json_array_get(pos, 1));
                        pz->lon0 = r->x[k] < pz->lon0 ? r->x[k] : pz->lon0;
                        pz->lon1 = r->x[k] > pz->lon1 ? r->x[k] : pz->lon1;
                        pz->lat0 = r->y[k] < pz->lat0 ? r->y[k] : pz->lat0;
                        pz->lat1 = r->y[k] > pz->lat1 ? r->y[k] : pz->lat1;
                }
        }
}

static void plain_free(struct plain_zone *pz)
{
        for (size_t i = 0; i < pz->n_rings; i++) {
                free(pz->rings[i].x);
                free(pz->rings[i].y);
        }
        free(pz->rings);
}

static bool ring_has(const struct plain_ring *r, double lat, double lon)
{
        bool in = false;

        for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
                if ((r->y[i] > lat) != (r->y[j] > lat) &&
                    lon < (r->x[j] - r->x[i]) * (lat - r->y[i]) / (r->y[j] - r->y[i]) + r->x[i])
                        in = !in;
        return in;
}

static bool plain_has(const struct plain_zone *pz, double lat, double lon)
{
        for (size_t i = 0; i < pz->n_rings;) {
                bool in = ring_has(&pz->rings[i], lat, lon);

                for (i++; i < pz->n_rings && !pz->rings[i].outer; i++)
                        if (in && ring_has(&pz->rings[i], lat, lon))
                                in = false;
                if (in)
                        return true;
        }
        return false;
}

/* Where to throw the points: the bounding box, but FJI's spans the globe. */
static const struct {
        const char *code;
        double lat0, lat1, lon0, lon1;
} agree[] = {
        { "DEU", 0, 0, 0, 0 },
        { "ITA", 0, 0, 0, 0 },
        { "LSO", 0, 0, 0, 0 },
        { "CHE", 0, 0, 0, 0 },
        { "FJI", -19.5, -16, 177, 182 }, /* east of 180 wraps */
};

START_TEST(index_agrees_with_a_plain_scan)
{
        json_t *v = read_border(agree[_i].code);
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = load_json(v);
        struct plain_zone pz;
        uint64_t s = 0x2545f4914f6cdd1du + (uint64_t)_i;
        unsigned in = 0, n = 2000;

        plain_load(v, &pz);
        json_decref(v);
        if (agree[_i].lat0 != agree[_i].lat1) {
                pz.lat0 = agree[_i].lat0;
                pz.lat1 = agree[_i].lat1;
                pz.lon0 = agree[_i].lon0;
                pz.lon1 = agree[_i].lon1;
        }
        for (unsigned i = 0; i < n; i++) {
                double u, w, lat, lon;
                bool want;

                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                u = (double)(s >> 11) / 9007199254740992.0;
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                w = (double)(s >> 11) / 9007199254740992.0;
                lat = pz.lat0 + (pz.lat1 - pz.lat0) * u;
                lon = pz.lon0 + (pz.lon1 - pz.lon0) * w;
                if (lon > 180)
                        lon -= 360;
                want = plain_has(&pz, lat, lon);
                ck_assert_msg(ae_geo_zone_contains(z, lat, lon) == want, "%s (%.17g, %.17g): %d",
                              agree[_i].code, lat, lon, want);
                in += want;
        }
        ck_assert_uint_gt(in, n / 50);
        plain_free(&pz);
}
END_TEST

int main(void)
{
        char path[4096];
        Suite *s;
        TCase *tc;

        /* Before Check allocates anything: a skip must not look like a leak
         * to LeakSanitizer. */
        if (ae_test_shared_path("geo/DEU.geojson", path, sizeof(path)) < 0) {
                fprintf(stderr, "skipped: no shared geo data at %s\n", path);
                return AE_TEST_SKIP;
        }
        s = suite_create("geo_borders");
        tc = tcase_create("borders");
        tcase_set_timeout(tc, 300);
        tcase_add_loop_test(tc, every_border_loads, 0, sizeof(borders) / sizeof(borders[0]));
        tcase_add_test(tc, germany_and_its_lakes);
        tcase_add_test(tc, overlapping_zones);
        tcase_add_test(tc, fiji_across_the_antimeridian);
        tcase_add_loop_test(tc, index_agrees_with_a_plain_scan, 0,
                            sizeof(agree) / sizeof(agree[0]));
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
