/* Exact orientation test (after Shewchuk, "Adaptive Precision Floating-Point
 * Arithmetic and Fast Robust Geometric Predicates", 1997): the closed-set
 * contract says a point exactly on an edge is inside, which a plain
 * floating-point cross product gets wrong in both directions near an edge.
 * The fast estimate decides almost every call; only when it is within its
 * error bound of zero is the determinant summed exactly. */
#include "policy/geo_internal.h"

#include <float.h>
#include <math.h>

/* Shewchuk's ccwerrboundA for epsilon = DBL_EPSILON / 2. */
#define EPS (DBL_EPSILON / 2)
#define ERRBOUND_A ((3.0 + 16.0 * EPS) * EPS)

/* a + b = s + e exactly. */
static inline void two_sum(double a, double b, double *s, double *e)
{
        double x = a + b, bv = x - a, av = x - bv;

        *s = x;
        *e = (a - av) + (b - bv);
}

/* a * b = p + e exactly; fma() rounds once, so its remainder is exact
 * whatever floating-point contraction the compiler applies elsewhere. */
static inline void two_product(double a, double b, double *p, double *e)
{
        *p = a * b;
        *e = fma(a, b, -*p);
}

/* Add t to the nonoverlapping expansion h[0..*n) (increasing magnitude). */
static void grow(double *h, size_t *n, double t)
{
        double q = t;

        for (size_t i = 0; i < *n; i++)
                two_sum(q, h[i], &q, &h[i]);
        h[(*n)++] = q;
}

/* The determinant expanded into products of the coordinates themselves
 * (the differences of the fast path are not exact):
 * ax*by - ax*cy - cx*by - ay*bx + ay*cx + cy*bx. */
static int orient_exact(const struct ae_geo_point *a, const struct ae_geo_point *b,
                        const struct ae_geo_point *c)
{
        const double f[6][2] = {
                { a->x, b->y }, { -a->x, c->y }, { -c->x, b->y },
                { -a->y, b->x }, { a->y, c->x }, { c->y, b->x },
        };
        double h[12];
        size_t n = 0;

        for (size_t i = 0; i < 6; i++) {
                double p, e;

                two_product(f[i][0], f[i][1], &p, &e);
                grow(h, &n, e);
                grow(h, &n, p);
        }
        /* The largest nonzero component carries the sign. */
        for (size_t i = n; i-- > 0;)
                if (h[i] != 0.0)
                        return h[i] > 0.0 ? 1 : -1;
        return 0;
}

int ae_geo_orient(const struct ae_geo_point *a, const struct ae_geo_point *b,
                  const struct ae_geo_point *c)
{
        double detleft = (a->x - c->x) * (b->y - c->y);
        double detright = (a->y - c->y) * (b->x - c->x);
        double det = detleft - detright, detsum;

        if (detleft > 0.0) {
                if (detright <= 0.0)
                        return det > 0.0 ? 1 : det < 0.0 ? -1 : 0;
                detsum = detleft + detright;
        } else if (detleft < 0.0) {
                if (detright >= 0.0)
                        return det > 0.0 ? 1 : det < 0.0 ? -1 : 0;
                detsum = -detleft - detright;
        } else {
                return det > 0.0 ? 1 : det < 0.0 ? -1 : 0;
        }
        if (det >= ERRBOUND_A * detsum || -det >= ERRBOUND_A * detsum)
                return det > 0.0 ? 1 : -1;
        return orient_exact(a, b, c);
}
