/* Reading a zone from JSON: GeoJSON Polygon / MultiPolygon / Feature, or an
 * Aegis circle. Every check names the JSON path of what it rejects. */
#include "policy/geo_internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Where the positions go: one array for the whole zone, rings in order. */
struct area_sizes {
        size_t n_polygons, n_rings, n_points;
};

/* Polygon i of the coordinates: the value itself for a Polygon. Descends
 * the path for a MultiPolygon; returns the length to come back to. */
static const json_t *polygon_at(struct ae_geo_path *p, const json_t *coords, bool multi,
                                size_t i, size_t *saved)
{
        *saved = p->len;
        if (!multi)
                return coords;
        (void)ae_geo_path_index(p, i);
        return json_array_get(coords, i);
}

/* First pass: the nesting and the sizes, so the limits hold before anything
 * is allocated and the second pass can fill fixed arrays. */
static int measure(struct ae_geo_path *p, const json_t *coords, bool multi,
                   struct area_sizes *s)
{
        size_t n = multi ? json_array_size(coords) : 1;

        if (n == 0)
                return ae_geo_path_fail(p, "a MultiPolygon needs at least one polygon");
        s->n_polygons = n;
        for (size_t i = 0; i < n; i++) {
                size_t saved;
                const json_t *poly = polygon_at(p, coords, multi, i, &saved);

                if (!json_is_array(poly))
                        return ae_geo_path_fail(p, "expected a polygon (an array of rings), "
                                                   "found %s",
                                                ae_geo_json_type_name(poly));
                if (json_array_size(poly) == 0)
                        return ae_geo_path_fail(p, "a polygon needs at least one ring");
                for (size_t r = 0; r < json_array_size(poly); r++) {
                        const json_t *ring = json_array_get(poly, r);
                        size_t saved_ring = ae_geo_path_index(p, r);

                        if (!json_is_array(ring))
                                return ae_geo_path_fail(p, "expected a ring (an array of "
                                                           "positions), found %s",
                                                        ae_geo_json_type_name(ring));
                        if (json_array_size(ring) < 4)
                                return ae_geo_path_fail(p, "a ring needs at least 4 "
                                                           "positions, found %zu",
                                                        json_array_size(ring));
                        if (++s->n_rings > AE_GEO_MAX_RINGS)
                                return ae_geo_path_fail(p, "more than %u rings in one zone",
                                                        AE_GEO_MAX_RINGS);
                        s->n_points += json_array_size(ring);
                        if (s->n_points > AE_GEO_MAX_POSITIONS)
                                return ae_geo_path_fail(p, "more than %u positions in one zone",
                                                        AE_GEO_MAX_POSITIONS);
                        ae_geo_path_up(p, saved_ring);
                }
                ae_geo_path_up(p, saved);
        }
        return 0;
}

/* Second pass: positions, then each ring's own checks. */
static int fill(struct ae_geo_path *p, const json_t *coords, bool multi, struct ae_geo_zone *z)
{
        size_t next_point = 0, next_ring = 0;

        for (size_t i = 0; i < z->n_polygons; i++) {
                size_t saved;
                const json_t *poly = polygon_at(p, coords, multi, i, &saved);

                z->polygons[i].first_ring = (uint32_t)next_ring;
                z->polygons[i].n_rings = (uint32_t)json_array_size(poly);
                for (size_t r = 0; r < json_array_size(poly); r++) {
                        const json_t *ring = json_array_get(poly, r);
                        struct ae_geo_ring *out = &z->rings[next_ring];
                        struct ae_geo_point *pts = &z->points[next_point];
                        size_t n = json_array_size(ring), saved_ring = ae_geo_path_index(p, r);

                        for (size_t k = 0; k < n; k++) {
                                size_t saved_pos = ae_geo_path_index(p, k);

                                GUARD(ae_geo_json_position(p, json_array_get(ring, k),
                                                           &pts[k].x, &pts[k].y));
                                z->point_ring[next_point + k] = (uint32_t)next_ring;
                                ae_geo_path_up(p, saved_pos);
                        }
                        GUARD(ae_geo_ring_check(p, pts, n, out));
                        out->first = (uint32_t)next_point;
                        out->count = (uint32_t)n;
                        out->polygon = (uint32_t)i;
                        next_point += n;
                        next_ring++;
                        ae_geo_path_up(p, saved_ring);
                }
                ae_geo_path_up(p, saved);
        }
        return 0;
}

static int parse_area(struct ae_geo_path *p, const json_t *obj, bool multi,
                      struct ae_geo_zone *z)
{
        const json_t *coords = json_object_get(obj, "coordinates");
        struct area_sizes s = { 0, 0, 0 };

        (void)ae_geo_path_key(p, "coordinates");
        if (!coords)
                return ae_geo_path_fail(p, "required");
        if (!json_is_array(coords))
                return ae_geo_path_fail(p, "expected an array, found %s",
                                        ae_geo_json_type_name(coords));
        GUARD(measure(p, coords, multi, &s));

        z->points = calloc(s.n_points, sizeof(*z->points));
        z->point_ring = calloc(s.n_points, sizeof(*z->point_ring));
        z->rings = calloc(s.n_rings, sizeof(*z->rings));
        z->polygons = calloc(s.n_polygons, sizeof(*z->polygons));
        ENSURE(z->points && z->point_ring && z->rings && z->polygons, -ENOMEM);
        z->n_points = s.n_points;
        z->n_rings = s.n_rings;
        z->n_polygons = s.n_polygons;
        GUARD(fill(p, coords, multi, z));

        z->kind = AE_GEO_KIND_AREA;
        z->xmin = z->rings[0].xmin;
        z->xmax = z->rings[0].xmax;
        for (size_t r = 1; r < z->n_rings; r++) {
                if (z->rings[r].xmin < z->xmin)
                        z->xmin = z->rings[r].xmin;
                if (z->rings[r].xmax > z->xmax)
                        z->xmax = z->rings[r].xmax;
        }
        return ae_geo_index_build(z);
}

/* A GeoJSON object: a Polygon or MultiPolygon geometry, or (at the top) a
 * Feature holding one. Members other than those read are ignored: RFC 7946
 * allows "bbox", "id", "properties" and foreign members. */
static int parse_geojson(struct ae_geo_path *p, const json_t *obj, bool in_feature,
                         struct ae_geo_zone *z)
{
        const json_t *type = json_object_get(obj, "type"), *geometry;
        const char *name;
        size_t saved;

        saved = ae_geo_path_key(p, "type");
        if (!type)
                return ae_geo_path_fail(p, "required");
        if (!json_is_string(type))
                return ae_geo_path_fail(p, "expected a string, found %s",
                                        ae_geo_json_type_name(type));
        name = json_string_value(type);
        if (strcmp(name, "Polygon") == 0 || strcmp(name, "MultiPolygon") == 0) {
                ae_geo_path_up(p, saved);
                return parse_area(p, obj, strcmp(name, "MultiPolygon") == 0, z);
        }
        if (strcmp(name, "Feature") != 0 || in_feature)
                return ae_geo_path_fail(p, "unsupported type \"%.40s\": expected %s", name,
                                        in_feature ? "Polygon or MultiPolygon"
                                                   : "Polygon, MultiPolygon or Feature");
        ae_geo_path_up(p, saved);

        (void)ae_geo_path_key(p, "geometry");
        geometry = json_object_get(obj, "geometry");
        if (!geometry)
                return ae_geo_path_fail(p, "required");
        if (!json_is_object(geometry))
                return ae_geo_path_fail(p, "expected a geometry object, found %s",
                                        ae_geo_json_type_name(geometry));
        return parse_geojson(p, geometry, true, z);
}

int ae_geo_zone_from_json(const struct json_t *v, struct ae_geo_zone **ret,
                          struct ae_geo_error *ret_err)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = NULL;
        struct ae_geo_path p;
        const json_t *circle;

        ae_geo_path_init(&p, ret_err);
        if (!v)
                return ae_geo_path_fail(&p, "expected an object, found nothing");
        if (!json_is_object(v))
                return ae_geo_path_fail(&p, "expected an object, found %s",
                                        ae_geo_json_type_name(v));
        z = calloc(1, sizeof(*z));
        ENSURE_ALLOC(z);

        circle = json_object_get(v, "circle");
        if (circle) {
                const char *key;
                json_t *member;

                json_object_foreach((json_t *)v, key, member)
                        if (strcmp(key, "circle") != 0) {
                                (void)ae_geo_path_key(&p, key);
                                return ae_geo_path_fail(&p, "unknown key next to \"circle\"");
                        }
                (void)ae_geo_path_key(&p, "circle");
                GUARD(ae_geo_circle_parse(&p, circle, z));
        } else {
                GUARD(parse_geojson(&p, v, false, z));
        }
        *ret = TAKE_PTR(z);
        return 0;
}
