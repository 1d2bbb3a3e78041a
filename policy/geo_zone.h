/* Geofence zones: where a node may be. A zone is a GeoJSON Polygon or
 * MultiPolygon (RFC 7946, with holes), or an Aegis circle; the verifier asks
 * whether a reported position lies in it.
 *
 * Accepted JSON values (ae_geo_zone_from_json):
 *   {"type": "Polygon", "coordinates": [ring, hole, ...]}
 *   {"type": "MultiPolygon", "coordinates": [[ring, hole, ...], ...]}
 *   {"type": "Feature", "geometry": <one of the two above>, ...}
 *   {"circle": {"center": [lon, lat], "radius_m": R}}
 * GeoJSON members other than these ("bbox", "properties", "id", foreign
 * members) are ignored, as RFC 7946 allows; the circle object is ours, so an
 * unknown key in it is an error.
 *
 * Semantics (a contract; test/unit/test_geo_zone.c checks each point):
 * - Positions are [lon, lat] in degrees; further elements (altitude) are
 *   ignored. lon must lie in [-180, 180], lat in [-90, 90].
 * - A ring is closed (first and last position are the same doubles) and has
 *   at least 4 positions. Either winding is accepted. Consecutive duplicate
 *   positions are allowed, but a ring must enclose something: a ring of one
 *   repeated position, or whose positions all lie on one line, is rejected.
 * - Edges are straight lines in lon/lat (not great circles).
 * - A polygon is its first ring minus its other rings (holes); a
 *   MultiPolygon is the union of its polygons. Overlapping polygons are fine.
 * - Closed set: a point exactly on an edge or a vertex, of an outer ring or
 *   of a hole, is inside. The on-edge test is exact (an exact orientation
 *   predicate, no epsilon), so a point given as the same doubles as a vertex,
 *   or lying exactly on a horizontal, vertical or diagonal edge, is inside,
 *   and a point off the edge by one ulp is decided by the side it is on.
 * - Antimeridian: an edge whose longitudes differ by more than 180 degrees
 *   crosses +-180 (takes the short way round), so a ring may be given cut at
 *   the antimeridian (as RFC 7946 asks) or uncut, with the same result.
 *   Exception: an edge between two positions both at the same pole (lat +-90)
 *   runs straight along the pole, so a polar cap can be given as a band
 *   [-180..180] x [lat..90]. A ring that would wind around a pole (its edges
 *   add up to a full turn of longitude) or span more than 360 degrees of
 *   longitude is rejected. A ring that crosses the antimeridian is tested in
 *   longitudes shifted by 360 degrees; its positions there are rounded to
 *   the nearest double (under 1e-13 degrees), so exactness on the boundary
 *   holds for rings that do not cross it.
 * - Poles: lat +-90 is valid; zones are evaluated in lon/lat space, so a
 *   ring around a pole is a band whose top or bottom edge runs along lat +-90.
 * - Circle: the points whose haversine distance (ae_geo_distance_m) from the
 *   centre is at most radius_m; 0 < radius_m <= AE_GEO_RADIUS_MAX_M.
 * - Queries (ae_geo_zone_contains) with lat outside [-90, 90], lon outside
 *   [-180, 180], or NaN are outside every zone. lon -180 and 180 are the
 *   same meridian and give the same answer.
 *
 * Limits: at most AE_GEO_MAX_POSITIONS positions and AE_GEO_MAX_RINGS rings
 * per zone, checked before anything is allocated. Only GeoJSON's fixed
 * nesting is walked (jansson bounds the depth of what it parses). Loading
 * builds an index of edges by latitude band (about 4 entries per edge), so
 * a query looks at the edges that meet its latitude: Germany, 84,817
 * positions, answers in about 0.3 microseconds. A zone whose edges are
 * mostly long and crossing one latitude many times (a comb) is slower, as
 * a query still counts every crossing east of the point. A loaded zone is
 * immutable: concurrent queries need no lock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/cleanup.h"
#include "common/guard.h"

struct json_t;

#define AE_GEO_MAX_POSITIONS 2000000u
#define AE_GEO_MAX_RINGS 100000u
#define AE_GEO_EARTH_RADIUS_M 6371008.8   /* mean Earth radius (IUGG) */
#define AE_GEO_RADIUS_MAX_M 20037000.0    /* half the equator, rounded down */

struct ae_geo_zone;

/* Why a zone was rejected. path is relative to the value passed in (""
 * for the value itself, ".geometry.coordinates[3][0][17]" for a position),
 * so a caller can prefix the zone's own place in its document. */
struct ae_geo_error {
        char path[160];
        char message[200];
};

/* Validate v (see above) and build the zone with its index. Returns 0, or
 * -EINVAL with *ret_err filled (when given), or -ENOMEM. */
AE_MUST_USE int ae_geo_zone_from_json(const struct json_t *v, struct ae_geo_zone **ret,
                                      struct ae_geo_error *ret_err);

/* Whether (lat_deg, lon_deg) is in the zone (closed set, see above). */
bool ae_geo_zone_contains(const struct ae_geo_zone *z, double lat_deg, double lon_deg);

/* Positions as given, closing positions included (0 for a circle). */
size_t ae_geo_zone_vertices(const struct ae_geo_zone *z);

void ae_geo_zone_free(struct ae_geo_zone *z);
AE_DEFINE_CLEANUP(struct ae_geo_zone *, ae_geo_zone_free)

/* Great-circle distance in metres on a sphere of AE_GEO_EARTH_RADIUS_M
 * (haversine). Inputs in degrees. */
double ae_geo_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);
