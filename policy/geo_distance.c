/* Haversine distance: well conditioned for the short distances geofences
 * care about, where the spherical law of cosines loses metres to rounding. */
#include "policy/geo_zone.h"

#include <math.h>

double ae_geo_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
        const double rad = M_PI / 180.0;
        double s_lat = sin((lat2_deg - lat1_deg) * rad / 2.0);
        double s_lon = sin((lon2_deg - lon1_deg) * rad / 2.0);
        double h = s_lat * s_lat + cos(lat1_deg * rad) * cos(lat2_deg * rad) * s_lon * s_lon;

        /* Rounding can push h just past 1 for antipodal points. */
        if (h > 1.0)
                h = 1.0;
        return 2.0 * AE_GEO_EARTH_RADIUS_M * asin(sqrt(h));
}
