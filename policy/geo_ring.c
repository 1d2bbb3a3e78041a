/* One ring's checks and its antimeridian unwrapping (geo_zone.h states the
 * rules). */
#include "policy/geo_internal.h"

#include <stdlib.h>

/* Whether the edge a->b crosses the antimeridian: its longitudes differ by
 * more than half a turn, unless it runs along a pole, where every longitude
 * is the same place and a straight line in lon/lat is what was meant (a
 * polar cap given as a band). Returns the turn the edge adds: -1, 0 or +1. */
static int edge_turn(const struct ae_geo_point *a, const struct ae_geo_point *b)
{
        double d = b->x - a->x;

        if (a->y == b->y && (a->y == 90.0 || a->y == -90.0))
                return 0;
        if (d > 180.0)
                return -1;
        if (d < -180.0)
                return 1;
        return 0;
}

/* Unwrap in place: each position keeps its longitude plus 360 times the
 * turns taken so far, so a ring that does not cross the antimeridian keeps
 * its exact doubles. */
static int unwrap(struct ae_geo_path *p, struct ae_geo_point *pts, size_t n)
{
        long turns = 0; /* |turns| < n <= AE_GEO_MAX_POSITIONS */
        double raw_prev = pts[0].x, lo = pts[0].x, hi = pts[0].x;

        for (size_t i = 1; i < n; i++) {
                struct ae_geo_point a = { raw_prev, pts[i - 1].y };

                turns += edge_turn(&a, &pts[i]);
                raw_prev = pts[i].x;
                pts[i].x += 360.0 * (double)turns;
                if (pts[i].x < lo)
                        lo = pts[i].x;
                if (pts[i].x > hi)
                        hi = pts[i].x;
        }
        if (turns != 0)
                return ae_geo_path_fail(p, "ring winds around a pole; cut it at the "
                                           "antimeridian or run it along latitude 90 or -90");
        if (hi - lo > 360.0)
                return ae_geo_path_fail(p, "ring spans more than 360 degrees of longitude");
        return 0;
}

/* A ring must enclose something: two distinct positions and a third off
 * their line. The test is exact, so only truly degenerate rings go; a
 * sliver of real data (DEU has lakes of 1e-7 square degrees) stays. */
static int encloses(struct ae_geo_path *p, const struct ae_geo_point *pts, size_t n)
{
        size_t b = 1;

        while (b < n && pts[b].x == pts[0].x && pts[b].y == pts[0].y)
                b++;
        if (b == n)
                return ae_geo_path_fail(p, "ring collapses to a single position");
        for (size_t c = b + 1; c < n; c++)
                if (ae_geo_orient(&pts[0], &pts[b], &pts[c]) != 0)
                        return 0;
        return ae_geo_path_fail(p, "ring has zero area: all its positions lie on one line");
}

int ae_geo_ring_check(struct ae_geo_path *p, struct ae_geo_point *pts, size_t n,
                      struct ae_geo_ring *ring)
{
        if (n < 4)
                return ae_geo_path_fail(p, "a ring needs at least 4 positions, found %zu", n);
        if (pts[0].x != pts[n - 1].x || pts[0].y != pts[n - 1].y)
                return ae_geo_path_fail(p, "ring not closed: its last position differs from "
                                           "its first");
        GUARD(unwrap(p, pts, n));
        GUARD(encloses(p, pts, n));
        ring->xmin = ring->xmax = pts[0].x;
        ring->ymin = ring->ymax = pts[0].y;
        for (size_t i = 1; i < n; i++) {
                if (pts[i].x < ring->xmin)
                        ring->xmin = pts[i].x;
                if (pts[i].x > ring->xmax)
                        ring->xmax = pts[i].x;
                if (pts[i].y < ring->ymin)
                        ring->ymin = pts[i].y;
                if (pts[i].y > ring->ymax)
                        ring->ymax = pts[i].y;
        }
        return 0;
}
