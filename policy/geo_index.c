/* The edge index and the point-in-area query.
 *
 * A horizontal ray from the query point to the east decides, per ring, by
 * the parity of the edges it crosses; only edges whose latitude range holds
 * the point's latitude can be crossed or touched. The index keeps, for each
 * of n_bands latitude bands, the edges meeting that band, in zone order
 * (ring by ring, polygon by polygon), so one pass over one band yields every
 * ring's state and so every polygon's. */
#include "policy/geo_internal.h"

#include <stdlib.h>

/* Edges per band the index aims at, and how many band entries it allows
 * per edge before it uses fewer, taller bands: long edges (a cut along the
 * antimeridian, a generated rectangle) sit in every band they span. */
#define EDGES_PER_BAND 2
#define ENTRIES_PER_EDGE 4
#define MAX_BANDS (1u << 20)
/* Shifts of the query longitude by k * 360, k in [-2, 2]: an unwrapped
 * ring lies within 360 degrees of a start in [-180, 180]. */
#define N_SHIFTS 5

/* Monotonic in y, so an edge with ylo <= y <= yhi is listed in the band of
 * y: floor and clamp keep the order of their inputs. */
static uint32_t band_of(const struct ae_geo_index *idx, double y)
{
        double t = (y - idx->ymin) * idx->scale;

        if (!(t > 0.0))
                return 0;
        if (t >= (double)idx->n_bands)
                return idx->n_bands - 1;
        return (uint32_t)t;
}

static inline double min2(double a, double b)
{
        return a < b ? a : b;
}

static inline double max2(double a, double b)
{
        return a > b ? a : b;
}

static bool is_edge(const struct ae_geo_zone *z, size_t i)
{
        const struct ae_geo_ring *r = &z->rings[z->point_ring[i]];

        return i + 1 < (size_t)r->first + r->count;
}

static size_t count_entries(const struct ae_geo_zone *z, const struct ae_geo_index *idx)
{
        size_t total = 0;

        for (size_t i = 0; i + 1 < z->n_points; i++)
                if (is_edge(z, i)) {
                        double y0 = z->points[i].y, y1 = z->points[i + 1].y;

                        total += band_of(idx, max2(y0, y1)) - band_of(idx, min2(y0, y1)) + 1;
                }
        return total;
}

int ae_geo_index_build(struct ae_geo_zone *z)
{
        struct ae_geo_index *idx = &z->index;
        size_t n_edges = z->n_points - z->n_rings, total;
        uint32_t *fill;

        idx->ymin = z->rings[0].ymin;
        idx->ymax = z->rings[0].ymax;
        for (size_t r = 1; r < z->n_rings; r++) {
                idx->ymin = min2(idx->ymin, z->rings[r].ymin);
                idx->ymax = max2(idx->ymax, z->rings[r].ymax);
        }
        idx->n_bands = 1;
        while (idx->n_bands < n_edges / EDGES_PER_BAND && idx->n_bands < MAX_BANDS)
                idx->n_bands <<= 1;
        for (;;) {
                /* An infinite scale (a zone a few ulps tall) still orders
                 * bands: band_of() clamps. */
                idx->scale = (double)idx->n_bands / (idx->ymax - idx->ymin);
                total = count_entries(z, idx);
                if (total <= ENTRIES_PER_EDGE * n_edges || idx->n_bands == 1)
                        break;
                idx->n_bands >>= 1;
        }

        idx->band_start = calloc((size_t)idx->n_bands + 1, sizeof(*idx->band_start));
        idx->edges = calloc(total, sizeof(*idx->edges));
        fill = calloc(idx->n_bands, sizeof(*fill));
        if (!idx->band_start || !idx->edges || !fill) {
                free(fill);
                return -ENOMEM;
        }
        /* Counting sort by band; edges go in increasing order, which keeps
         * each band's list grouped by ring and polygon. */
        for (size_t i = 0; i + 1 < z->n_points; i++)
                if (is_edge(z, i)) {
                        double y0 = z->points[i].y, y1 = z->points[i + 1].y;

                        for (uint32_t b = band_of(idx, min2(y0, y1));
                             b <= band_of(idx, max2(y0, y1)); b++)
                                idx->band_start[b + 1]++;
                }
        for (uint32_t b = 0; b < idx->n_bands; b++) {
                idx->band_start[b + 1] += idx->band_start[b];
                fill[b] = idx->band_start[b];
        }
        for (size_t i = 0; i + 1 < z->n_points; i++)
                if (is_edge(z, i)) {
                        double y0 = z->points[i].y, y1 = z->points[i + 1].y;

                        for (uint32_t b = band_of(idx, min2(y0, y1));
                             b <= band_of(idx, max2(y0, y1)); b++)
                                idx->edges[fill[b]++] = (uint32_t)i;
                }
        free(fill);
        return 0;
}

void ae_geo_index_free(struct ae_geo_index *idx)
{
        free(idx->band_start);
        free(idx->edges);
}

enum touch {
        TOUCH_NONE,
        TOUCH_CROSS,    /* the ray east of p crosses the edge */
        TOUCH_BOUNDARY, /* p is on the edge */
};

/* The edge a-b against p, given a.y <= p.y <= b.y or the reverse. An edge
 * counts as crossed when p.y lies in [lower y, upper y): a ray through a
 * vertex is then counted once, and a horizontal edge never. */
static enum touch touch(const struct ae_geo_point *a, const struct ae_geo_point *b,
                        const struct ae_geo_point *p)
{
        int o;

        if (p->x > max2(a->x, b->x))
                return TOUCH_NONE; /* wholly west of p */
        if (a->y == b->y)
                return p->x >= min2(a->x, b->x) ? TOUCH_BOUNDARY : TOUCH_NONE;
        if ((p->x == a->x && p->y == a->y) || (p->x == b->x && p->y == b->y))
                return TOUCH_BOUNDARY;
        if ((a->y > p->y) == (b->y > p->y))
                return TOUCH_NONE; /* p.y is the upper end */
        if (p->x < min2(a->x, b->x))
                return TOUCH_CROSS; /* wholly east of p */
        o = ae_geo_orient(a, b, p);
        if (o == 0)
                return TOUCH_BOUNDARY;
        /* p west of the edge: left of it going up, right of it going down. */
        return (b->y > a->y ? o > 0 : o < 0) ? TOUCH_CROSS : TOUCH_NONE;
}

/* One pass over the band's edges, zone order: per ring a parity and a
 * boundary bit for each shift; a polygon holds p when its outer ring does
 * (inside or on it) at some shift and no hole has p strictly inside at any
 * shift (holes are tested at every shift, as they need not be unwrapped
 * into the same 360 degrees as their outer ring). */
struct walk {
        const struct ae_geo_zone *z;
        uint32_t ring, polygon;
        unsigned parity, boundary; /* bit s: shift s */
        bool in_outer, in_hole;
};

static void finish_ring(struct walk *w)
{
        if (w->ring == UINT32_MAX)
                return;
        if (w->ring == w->z->polygons[w->polygon].first_ring)
                w->in_outer = (w->parity | w->boundary) != 0;
        else if ((w->parity & ~w->boundary) != 0)
                w->in_hole = true;
}

bool ae_geo_index_contains(const struct ae_geo_zone *z, double x, double y)
{
        const struct ae_geo_index *idx = &z->index;
        struct ae_geo_point q[N_SHIFTS];
        struct walk w = { z, UINT32_MAX, UINT32_MAX, 0, 0, false, false };
        size_t n_q = 0;
        uint32_t band, end;

        if (!(y >= idx->ymin && y <= idx->ymax))
                return false;
        for (int k = -2; k <= 2; k++) {
                double sx = x + 360.0 * k;

                if (sx >= z->xmin && sx <= z->xmax)
                        q[n_q++] = (struct ae_geo_point){ sx, y };
        }
        if (n_q == 0)
                return false;

        band = band_of(idx, y);
        end = idx->band_start[band + 1];
        for (uint32_t e = idx->band_start[band]; e < end; e++) {
                uint32_t i = idx->edges[e], ring = z->point_ring[i];
                const struct ae_geo_point *a = &z->points[i], *b = &z->points[i + 1];

                if (ring != w.ring) {
                        finish_ring(&w);
                        if (z->rings[ring].polygon != w.polygon) {
                                if (w.polygon != UINT32_MAX && w.in_outer && !w.in_hole)
                                        return true;
                                w.polygon = z->rings[ring].polygon;
                                w.in_outer = w.in_hole = false;
                        }
                        w.ring = ring;
                        w.parity = w.boundary = 0;
                }
                /* A hole matters only inside its outer ring. */
                if (ring != z->polygons[w.polygon].first_ring && (!w.in_outer || w.in_hole))
                        continue;
                if (y < min2(a->y, b->y) || y > max2(a->y, b->y))
                        continue;
                for (size_t s = 0; s < n_q; s++)
                        switch (touch(a, b, &q[s])) {
                        case TOUCH_CROSS: w.parity ^= 1u << s; break;
                        case TOUCH_BOUNDARY: w.boundary |= 1u << s; break;
                        case TOUCH_NONE: break;
                        }
        }
        finish_ring(&w);
        return w.polygon != UINT32_MAX && w.in_outer && !w.in_hole;
}
