/* Queries on a loaded zone, and its release. Loading is geo_geojson.c. */
#include "policy/geo_zone.h"

#include <stdlib.h>

#include "policy/geo_internal.h"

bool ae_geo_zone_contains(const struct ae_geo_zone *z, double lat_deg, double lon_deg)
{
        /* Written so NaN fails every comparison and lands outside. */
        if (!z || !(lat_deg >= -90.0 && lat_deg <= 90.0) ||
            !(lon_deg >= -180.0 && lon_deg <= 180.0))
                return false;
        if (z->kind == AE_GEO_KIND_CIRCLE)
                return ae_geo_circle_contains(z, lat_deg, lon_deg);
        return ae_geo_index_contains(z, lon_deg, lat_deg);
}

size_t ae_geo_zone_vertices(const struct ae_geo_zone *z)
{
        return z && z->kind == AE_GEO_KIND_AREA ? z->n_points : 0;
}

void ae_geo_zone_free(struct ae_geo_zone *z)
{
        if (!z)
                return;
        ae_geo_index_free(&z->index);
        free(z->points);
        free(z->point_ring);
        free(z->rings);
        free(z->polygons);
        free(z);
}
