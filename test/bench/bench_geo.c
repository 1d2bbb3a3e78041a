/* Geofence checks per second (policy/geo_zone.h) against a plain even-odd
 * scan over every edge of the same zone, on the same points in the same
 * run: a generated 1,000-vertex polygon, and Germany from ../shared/geo
 * (84,817 vertices, 12,593 lakes) or, without the shared data, a generated
 * 100,000-vertex polygon. Also the time to build a zone from parsed JSON,
 * against jansson's time to parse that JSON. Prints BENCH lines (ratios:
 * higher is better); asserts nothing about time, but fails if the two
 * answers differ on any point (random points are not on the boundary). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "policy/geo_zone.h"

#define N_POINTS 4096
#define MIN_SECONDS 0.3

int main(void);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x853c49e6748fea9bu;

static double rnd(void)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (double)(rng >> 11) / 9007199254740992.0;
}

/* The reference: every edge of every ring, one parity for the whole zone
 * (right for valid geometry: holes inside their shell, parts disjoint). */
struct plain {
        size_t n;
        double *x0, *y0, *x1, *y1;
        double lat0, lat1, lon0, lon1;
};

static int plain_from_json(const json_t *v, struct plain *p)
{
        const json_t *g = json_object_get(v, "geometry") ? json_object_get(v, "geometry") : v;
        const json_t *coords = json_object_get(g, "coordinates"), *poly, *ring;
        bool multi = strcmp(json_string_value(json_object_get(g, "type")), "MultiPolygon") == 0;
        size_t cap = 0, pi, ri;

        *p = (struct plain){ 0, NULL, NULL, NULL, NULL, 90, -90, 180, -180 };
        json_array_foreach(coords, pi, poly) {
                const json_t *rings = multi ? poly : coords;

                json_array_foreach(rings, ri, ring) cap += json_array_size(ring);
                if (!multi)
                        break;
        }
        p->x0 = malloc(cap * sizeof(double));
        p->y0 = malloc(cap * sizeof(double));
        p->x1 = malloc(cap * sizeof(double));
        p->y1 = malloc(cap * sizeof(double));
        if (!p->x0 || !p->y0 || !p->x1 || !p->y1)
                return -1;
        json_array_foreach(coords, pi, poly) {
                const json_t *rings = multi ? poly : coords;

                json_array_foreach(rings, ri, ring) {
                        for (size_t k = 0; k + 1 < json_array_size(ring); k++) {
                                const json_t *a = json_array_get(ring, k);
                                const json_t *b = json_array_get(ring, k + 1);

                                p->x0[p->n] = json_number_value(json_array_get(a, 0));
                                p->y0[p->n] = json_number_value(json_array_get(a, 1));
                                p->x1[p->n] = json_number_value(json_array_get(b, 0));
                                p->y1[p->n] = json_number_value(json_array_get(b, 1));
                                p->lon0 = fmin(p->lon0, p->x0[p->n]);
                                p->lon1 = fmax(p->lon1, p->x0[p->n]);
                                p->lat0 = fmin(p->lat0, p->y0[p->n]);
                                p->lat1 = fmax(p->lat1, p->y0[p->n]);
                                p->n++;
                        }
                }
                if (!multi)
                        break;
        }
        return 0;
}

static bool plain_contains(const struct plain *p, double lat, double lon)
{
        bool in = false;

        for (size_t i = 0; i < p->n; i++)
                if ((p->y0[i] > lat) != (p->y1[i] > lat) &&
                    lon < (p->x1[i] - p->x0[i]) * (lat - p->y0[i]) / (p->y1[i] - p->y0[i]) +
                                  p->x0[i])
                        in = !in;
        return in;
}

static void plain_free(struct plain *p)
{
        free(p->x0);
        free(p->y0);
        free(p->x1);
        free(p->y1);
}

/* A concave, coastline-like polygon of n vertices around (lon 10, lat 50),
 * about 2 degrees across: a radius with bays at several scales and noise
 * scaled to the vertex spacing, so edges are short, as in real borders. */
static char *coast_json(size_t n)
{
        size_t cap = 48 * (n + 2), len;
        char *s = malloc(cap);
        double x0 = 0, y0 = 0;

        if (!s)
                return NULL;
        len = (size_t)snprintf(s, cap, "{\"type\":\"Polygon\",\"coordinates\":[[");
        for (size_t i = 0; i < n; i++) {
                double a = 2 * M_PI * (double)i / (double)n;
                double r = 1.0 + 0.3 * sin(5 * a) + 0.1 * sin(23 * a + 1) + 0.03 * sin(97 * a) +
                           3.0 / (double)n * (rnd() - 0.5);
                double x = 10 + r * cos(a), y = 50 + 0.7 * r * sin(a);

                if (i == 0)
                        x0 = x, y0 = y;
                len += (size_t)snprintf(s + len, cap - len, "[%.9f,%.9f],", x, y);
        }
        snprintf(s + len, cap - len, "[%.9f,%.9f]]]}", x0, y0);
        return s;
}

static char *read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        long n;

        if (!f)
                return NULL;
        if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
                *ret_len = (size_t)n;
        } else {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

static volatile unsigned sink;

/* Checks per second of stmt over all points, for at least MIN_SECONDS. */
#define MEASURE(result, stmt)                                                  \
        do {                                                                   \
                double m0_ = now(), t_;                                        \
                long iters = 0;                                                \
                do {                                                           \
                        for (size_t i_ = 0; i_ < N_POINTS; i_++) {             \
                                double lat = lats[i_], lon = lons[i_];         \
                                stmt;                                          \
                        }                                                      \
                        iters++;                                               \
                } while ((t_ = now() - m0_) < MIN_SECONDS);              \
                (result) = (double)iters * N_POINTS / t_;                     \
        } while (0)

/* Benchmark one zone given as JSON text; returns 0, or 1 on any failure. */
static int bench(const char *name, const char *text, size_t len, const char *load_name)
{
        static double lats[N_POINTS], lons[N_POINTS];
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err;
        struct plain p;
        double t0, t_parse, t_load, ours, ref;
        json_t *v;
        unsigned differ = 0, inside = 0;

        t0 = now();
        v = json_loadb(text, len, 0, NULL);
        t_parse = now() - t0;
        if (!v)
                return 1;
        t0 = now();
        if (ae_geo_zone_from_json(v, &z, &err) < 0) {
                fprintf(stderr, "%s: rejected at \"%s\": %s\n", name, err.path, err.message);
                return 1;
        }
        t_load = now() - t0;
        if (plain_from_json(v, &p) < 0)
                return 1;
        json_decref(v);

        /* Points over the bounding box, so most are near some edge band. */
        for (size_t i = 0; i < N_POINTS; i++) {
                lats[i] = p.lat0 + (p.lat1 - p.lat0) * rnd();
                lons[i] = p.lon0 + (p.lon1 - p.lon0) * rnd();
                if (ae_geo_zone_contains(z, lats[i], lons[i]) !=
                    plain_contains(&p, lats[i], lons[i]))
                        differ++;
                inside += plain_contains(&p, lats[i], lons[i]);
        }
        if (differ) {
                fprintf(stderr, "%s: %u of %d points answered differently\n", name, differ,
                        N_POINTS);
                return 1;
        }
        MEASURE(ours, sink += ae_geo_zone_contains(z, lat, lon));
        MEASURE(ref, sink += plain_contains(&p, lat, lon));
        printf("BENCH geo_contains_%s value=%.0f unit=checks/s ref=%.0f ratio=%.1f\n", name, ours,
               ref, ours / ref);
        /* Building the zone against parsing its JSON, which loading needs
         * anyway: ratio = parse time / build time. */
        printf("BENCH geo_load_%s value=%.2f unit=ms ref=%.2f ratio=%.2f\n", load_name,
               t_load * 1e3, t_parse * 1e3, t_parse / t_load);
        ae_geo_zone_free(z);
        plain_free(&p);
        return 0;
}

int main(void)
{
        const char *root = getenv("AEGIS_SHARED_DIR");
        char path[4096], *text;
        size_t len = 0;
        int failed = 0;

        text = coast_json(1000);
        if (!text)
                return 1;
        failed |= bench("1k", text, strlen(text), "1k");
        free(text);

        snprintf(path, sizeof(path), "%s/geo/DEU.geojson", root && *root ? root : "../shared");
        text = read_file(path, &len);
        if (text) {
                failed |= bench("deu", text, len, "deu");
        } else {
                text = coast_json(100000);
                if (!text)
                        return 1;
                failed |= bench("100k", text, strlen(text), "100k");
        }
        free(text);
        return failed;
}
