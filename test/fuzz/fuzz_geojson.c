/* Geofence zones from untrusted JSON (policy/geo_zone.h): bytes ->
 * json_loadb -> ae_geo_zone_from_json -> queries. Properties: a rejection
 * always says why; a circle holds its centre; a zone whose polygons have no
 * holes holds each of its vertices (the boundary is inside). */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "policy/geo_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every vertex of a polygon without holes must be inside. */
static void check_vertices(const struct ae_geo_zone *z, const json_t *poly)
{
        const json_t *ring = json_array_get(poly, 0), *pos;
        size_t i;

        if (json_array_size(poly) != 1)
                return;
        json_array_foreach(ring, i, pos)
                if (!ae_geo_zone_contains(z, json_number_value(json_array_get(pos, 1)),
                                          json_number_value(json_array_get(pos, 0))))
                        abort();
}

static void check_zone(const struct ae_geo_zone *z, const json_t *v)
{
        const json_t *g = json_object_get(v, "geometry") ? json_object_get(v, "geometry") : v;
        const json_t *c = json_object_get(v, "circle"), *coords, *poly;
        const char *type = json_string_value(json_object_get(g, "type"));
        size_t i;

        /* Queries anywhere must not fail, including out of range ones. */
        for (int lat = -90; lat <= 90; lat += 45)
                for (int lon = -180; lon <= 180; lon += 45)
                        (void)ae_geo_zone_contains(z, lat, lon);
        (void)ae_geo_zone_contains(z, 91, 0);
        (void)ae_geo_zone_contains(z, 0, -181);
        if (c) {
                const json_t *centre = json_object_get(c, "center");

                if (!ae_geo_zone_contains(z, json_number_value(json_array_get(centre, 1)),
                                          json_number_value(json_array_get(centre, 0))))
                        abort();
                return;
        }
        coords = json_object_get(g, "coordinates");
        if (type && type[0] == 'P')
                check_vertices(z, coords);
        else
                json_array_foreach(coords, i, poly)
                        check_vertices(z, poly);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        json_t *v = json_loadb((const char *)data, size, 0, NULL);

        if (!v)
                return 0;
        if (ae_geo_zone_from_json(v, &z, &err) == 0) {
                check_zone(z, v);
                ae_geo_zone_free(z);
        } else if (err.message[0] == '\0') {
                abort();
        }
        json_decref(v);
        return 0;
}
