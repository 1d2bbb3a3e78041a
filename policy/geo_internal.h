/* Internal to policy/geo_*.c: the zone's layout, shared by the GeoJSON
 * reader that builds it, the index and the queries. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "policy/geo_zone.h"

/* A position as stored: x is the longitude unwrapped along its ring (a ring
 * crossing the antimeridian continues past +-180 instead of jumping), y the
 * latitude. */
struct ae_geo_point {
        double x, y;
};

/* Positions [first, first + count) of the zone's point array, the last equal
 * to the first; edge i joins points i and i + 1. */
struct ae_geo_ring {
        uint32_t first, count;
        uint32_t polygon;
        double xmin, xmax, ymin, ymax;
};

/* Rings [first_ring, first_ring + n_rings): the outer ring, then its holes. */
struct ae_geo_polygon {
        uint32_t first_ring, n_rings;
};

/* Edges by latitude band: band b covers [ymin + b/scale, ymin + (b+1)/scale]
 * and lists, in increasing order, every edge whose latitude range meets it. */
struct ae_geo_index {
        double ymin, ymax, scale;
        uint32_t n_bands;
        uint32_t *band_start; /* n_bands + 1 offsets into edges */
        uint32_t *edges;      /* start point of each edge */
};

enum ae_geo_kind {
        AE_GEO_KIND_AREA,
        AE_GEO_KIND_CIRCLE,
};

struct ae_geo_zone {
        enum ae_geo_kind kind;
        struct {
                double lat, lon, radius_m;
        } circle;

        size_t n_points;
        struct ae_geo_point *points;
        uint32_t *point_ring; /* ring of each point, so of the edge it starts */
        size_t n_rings;
        struct ae_geo_ring *rings;
        size_t n_polygons;
        struct ae_geo_polygon *polygons;
        double xmin, xmax; /* over all rings, unwrapped */
        struct ae_geo_index index;
};

/* Relative JSON path kept while walking a value, for error messages. */
struct ae_geo_path {
        struct ae_geo_error *err; /* may be NULL */
        char buf[sizeof(((struct ae_geo_error *)0)->path)];
        size_t len;
};

void ae_geo_path_init(struct ae_geo_path *p, struct ae_geo_error *err);
size_t ae_geo_path_key(struct ae_geo_path *p, const char *key);     /* returns the old length */
size_t ae_geo_path_index(struct ae_geo_path *p, size_t index);     /* returns the old length */
void ae_geo_path_up(struct ae_geo_path *p, size_t saved_len);
/* Record an error at the current path; returns -EINVAL. */
int ae_geo_path_fail(struct ae_geo_path *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* "an object", "a string", ... for messages. */
const char *ae_geo_json_type_name(const struct json_t *v);
/* A JSON number (integer or real) as a double; fails with the path held. */
AE_MUST_USE int ae_geo_json_number(struct ae_geo_path *p, const struct json_t *v, double *ret);
/* Shortest decimal text of d that reads back as d. */
void ae_geo_format_double(double d, char buf[32]);
/* A position [lon, lat, ...] with both in range; fails with the path of the
 * offending element. */
AE_MUST_USE int ae_geo_json_position(struct ae_geo_path *p, const struct json_t *v,
                                     double *ret_lon, double *ret_lat);

/* Ring checks once its raw positions are stored in pts[0..n): closed,
 * unwrapped in place across the antimeridian, not winding around a pole,
 * within 360 degrees of longitude, enclosing something. Fails with the path
 * held (the ring's). Fills the ring's bounding box. */
AE_MUST_USE int ae_geo_ring_check(struct ae_geo_path *p, struct ae_geo_point *pts, size_t n,
                                  struct ae_geo_ring *ring);

/* Sign of the orientation of c relative to the line a->b, exactly:
 * > 0 left (counter-clockwise), < 0 right, 0 on the line. */
int ae_geo_orient(const struct ae_geo_point *a, const struct ae_geo_point *b,
                  const struct ae_geo_point *c);

/* Circle zone from the value of "circle"; fails with the path held. */
AE_MUST_USE int ae_geo_circle_parse(struct ae_geo_path *p, const struct json_t *v,
                                    struct ae_geo_zone *z);
bool ae_geo_circle_contains(const struct ae_geo_zone *z, double lat, double lon);

/* Build / free z->index over z's rings. */
AE_MUST_USE int ae_geo_index_build(struct ae_geo_zone *z);
void ae_geo_index_free(struct ae_geo_index *idx);
/* Whether the polygon area of z contains (x, y) with x in [-180, 180]. */
bool ae_geo_index_contains(const struct ae_geo_zone *z, double x, double y);
