/* The Aegis circle zone: {"center": [lon, lat], "radius_m": R}. */
#include "policy/geo_internal.h"

#include <string.h>

#include <jansson.h>

int ae_geo_circle_parse(struct ae_geo_path *p, const struct json_t *v, struct ae_geo_zone *z)
{
        const char *key;
        json_t *member;
        double lon, lat, radius;
        char text[32];
        size_t saved;

        if (!json_is_object(v))
                return ae_geo_path_fail(p, "expected an object, found %s",
                                        ae_geo_json_type_name(v));
        /* Our own object, unlike GeoJSON's: a misspelt key must not pass. */
        json_object_foreach((json_t *)v, key, member)
                if (strcmp(key, "center") != 0 && strcmp(key, "radius_m") != 0) {
                        (void)ae_geo_path_key(p, key);
                        return ae_geo_path_fail(p, "unknown key");
                }

        saved = ae_geo_path_key(p, "center");
        member = json_object_get(v, "center");
        if (!member)
                return ae_geo_path_fail(p, "required");
        GUARD(ae_geo_json_position(p, member, &lon, &lat));
        ae_geo_path_up(p, saved);

        (void)ae_geo_path_key(p, "radius_m");
        member = json_object_get(v, "radius_m");
        if (!member)
                return ae_geo_path_fail(p, "required");
        GUARD(ae_geo_json_number(p, member, &radius));
        if (!(radius > 0.0 && radius <= AE_GEO_RADIUS_MAX_M)) {
                ae_geo_format_double(radius, text);
                return ae_geo_path_fail(p, "radius %s m outside (0, %.0f]", text,
                                        AE_GEO_RADIUS_MAX_M);
        }
        ae_geo_path_up(p, saved);

        z->kind = AE_GEO_KIND_CIRCLE;
        z->circle.lat = lat;
        z->circle.lon = lon;
        z->circle.radius_m = radius;
        return 0;
}

bool ae_geo_circle_contains(const struct ae_geo_zone *z, double lat, double lon)
{
        return ae_geo_distance_m(z->circle.lat, z->circle.lon, lat, lon) <= z->circle.radius_m;
}
