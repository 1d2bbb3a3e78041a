#!/usr/bin/python3
"""Aegis geofence zones against shapely (GEOS), an implementation we did not
write, on random points.

For each zone: at least --points points, biased to the zone's bounding box
and its parts' boxes, near vertices, exactly on vertices and on edges; Aegis
answers through the geo_points helper, shapely through covers() (closed set,
as policy/geo_zone.h promises). A disagreement fails the test unless the
point lies within 1e-9 degrees of the boundary (boundary.distance), where
the two may round differently.

Reference semantics, as geo_zone.h states them: a polygon is its outer ring
(covers: boundary included) minus the interiors of its holes (contains:
boundary excluded); a MultiPolygon is the union of its polygons. Shapely
decides each ring; this script only composes the rings. Where a zone is a
valid geometry, shapely's own covers() on the whole geometry is checked too.
Country borders are not all valid geometries (self-touching rings, a hole
outside its shell), so for them that whole-geometry figure is reported, not
asserted.

--case constructed: shapes made here (concave, holes, an island in a lake,
overlapping parts, one across the antimeridian). --case borders: DEU, ITA,
FJI, LSO, ZAF and an uncut FJI island from ../shared/geo; exits 77 (skipped)
when that data is absent. Uses Debian's python3-shapely (scripts/install-deps).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

SKIP = 77
TOLERANCE_DEG = 1e-9

try:
    import numpy as np
    from shapely.geometry import LinearRing, MultiPolygon, Point, Polygon
    from shapely.ops import unary_union
    from shapely.prepared import prep
except ImportError as e:  # a missing dependency is a failure, not a skip
    print(f"geo_shapely_check: {e}; install python3-shapely (scripts/install-deps)")
    sys.exit(1)


def unwrap(ring):
    """The ring's longitudes made continuous across +-180, by the rule of
    geo_zone.h: a step of more than 180 degrees crosses the antimeridian,
    except along a pole."""
    out, turns = [list(ring[0][:2])], 0
    for (x0, y0), (x1, y1) in zip((p[:2] for p in ring), (p[:2] for p in ring[1:])):
        if not (y0 == y1 and abs(y0) == 90):
            d = x1 - x0
            turns += -1 if d > 180 else (1 if d < -180 else 0)
        out.append([x1 + 360 * turns, y1])
    return out


class Reference:
    """Shapely's answer for a zone given as [[outer, hole, ...], ...]."""

    def __init__(self, polygons):
        self.rings = []  # (polygon index, is outer, prepared polygon, LinearRing)
        boxes = []
        for pi, poly in enumerate(polygons):
            for ri, ring in enumerate(poly):
                u = unwrap(ring)
                shape = Polygon(u)
                self.rings.append((pi, ri == 0, prep(shape), LinearRing(u)))
                boxes.append(shape.bounds)
        self.boxes = np.array(boxes)
        self.n_polygons = len(polygons)
        lo, hi = self.boxes[:, 0].min(), self.boxes[:, 2].max()
        self.shifts = [k for k in (-720, -360, 0, 360, 720) if k + 180 >= lo and k - 180 <= hi]

    def _candidates(self, x, y):
        b = self.boxes
        return np.nonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))[0]

    def covers(self, lat, lon):
        in_outer = [False] * self.n_polygons
        in_hole = [False] * self.n_polygons
        for k in self.shifts:
            p = Point(lon + k, lat)
            for i in self._candidates(lon + k, lat):
                pi, outer, shape, _ = self.rings[i]
                if outer:
                    in_outer[pi] = in_outer[pi] or shape.covers(p)
                elif shape.contains(p):
                    in_hole[pi] = True
        return any(o and not h for o, h in zip(in_outer, in_hole))

    def boundary_distance(self, lat, lon):
        return min(r[3].distance(Point(lon + k, lat)) for r in self.rings for k in self.shifts)


def wrap(lon):
    return lon - 360 if lon > 180 else (lon + 360 if lon < -180 else lon)


def make_points(polygons, n, rng):
    """Points biased to where answers change: the boxes, vertices, edges."""
    verts = [p[:2] for poly in polygons for ring in poly for p in unwrap(ring)]
    part_boxes = []
    for poly in polygons:
        u = unwrap(poly[0])
        xs, ys = [p[0] for p in u], [p[1] for p in u]
        part_boxes.append((min(xs), min(ys), max(xs), max(ys), len(u)))
    xs, ys = [p[0] for p in verts], [p[1] for p in verts]
    box = (min(xs), min(ys), max(xs), max(ys))
    weights = [b[4] for b in part_boxes]
    edges = []
    for poly in polygons:
        for ring in poly:
            u = unwrap(ring)
            edges += zip(u, u[1:])
    pts = []
    while len(pts) < n:
        u = rng.random()
        if u < 0.35:  # the zone's box, a little larger
            b, m = box, 0.02
        elif u < 0.70:  # a part's box, so small islands get their share
            b, m = rng.choices(part_boxes, weights)[0], 0.05
        if u < 0.70:
            w, h = b[2] - b[0], b[3] - b[1]
            x = rng.uniform(b[0] - m * w, b[2] + m * w)
            y = rng.uniform(b[1] - m * h, b[3] + m * h)
        elif u < 0.85:  # near a vertex, at scales from 1e-2 to 1e-8 degrees
            vx, vy = rng.choice(verts)
            s = 10 ** -rng.uniform(2, 8)
            x, y = vx + rng.uniform(-s, s), vy + rng.uniform(-s, s)
        elif u < 0.95:  # exactly a vertex: boundary, so inside
            x, y = rng.choice(verts)
        else:  # on an edge, as near as doubles get
            (ax, ay), (bx, by) = rng.choice(edges)
            t = rng.random()
            x, y = ax + t * (bx - ax), ay + t * (by - ay)
        y = max(-90.0, min(90.0, y))
        pts.append((y, wrap(x)))
    return pts


def aegis(points_bin, zone_path, points):
    text = "".join(f"{lat!r} {lon!r}\n" for lat, lon in points)
    out = subprocess.run([points_bin, zone_path], input=text, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"geo_points failed on {zone_path}: {out.stderr.strip()}")
    answers = out.stdout.split()
    if len(answers) != len(points):
        raise SystemExit(f"geo_points gave {len(answers)} answers for {len(points)} points")
    return [a == "1" for a in answers]


def check(name, zone_path, polygons, args, rng, whole, whole_is_valid):
    """Compare on fresh points; returns the number of hard disagreements.
    whole: the zone as one shapely geometry; its covers() must agree too
    when it is a valid geometry, and is only counted otherwise."""
    ref = Reference(polygons)
    points = make_points(polygons, args.points, rng)
    ours = aegis(args.points_bin, zone_path, points)
    whole_prep = prep(whole)
    inside = near = hard = whole_differs = 0
    for (lat, lon), got in zip(points, ours):
        want = ref.covers(lat, lon)
        w = any(whole_prep.covers(Point(lon + k, lat)) for k in ref.shifts)
        inside += want
        whole_differs += w != want
        if got == want and (got == w or not whole_is_valid):
            continue
        d = ref.boundary_distance(lat, lon)
        if d <= TOLERANCE_DEG:
            near += 1
        else:
            hard += 1
            if hard <= 10:
                print(f"  DISAGREE {name}: lat={lat!r} lon={lon!r} aegis={int(got)} "
                      f"shapely rings={int(want)} whole={int(w)}, {d:.3g} deg from the boundary")
    print(f"geo_shapely {name}: {len(points)} points, {inside} inside, "
          f"{len(points) - near - hard} agree, {near} within {TOLERANCE_DEG:g} deg of the "
          f"boundary, {hard} disagree; whole-geometry covers() differs from the rings on "
          f"{whole_differs} ({'asserted' if whole_is_valid else 'invalid geometry: counted only'})")
    return hard


def star(cx, cy, r, n, rng, jitter=0.45):
    """A concave star: n points with radii varying by jitter."""
    ring = []
    for i in range(n):
        a = 2 * math.pi * i / n
        rr = r * (1 - jitter * rng.random()) if i % 2 else r
        ring.append([round(cx + rr * math.cos(a), 6), round(cy + rr * math.sin(a), 6)])
    return ring + [ring[0]]


def constructed(args, rng, tmp):
    cases = []
    # A concave star with three holes, one of them concave, and an island
    # inside that hole; a second polygon overlapping the first.
    outer = star(10.0, 48.0, 4.0, 120, rng)
    holes = [star(10.6, 48.5, 1.0, 30, rng),
             [[8.3, 47.2], [9.0, 47.2], [9.0, 47.8], [8.3, 47.8], [8.3, 47.2]],
             [[9.0, 49.0], [9.4, 49.3], [9.3, 48.8], [9.0, 49.0]]]
    island = [[[10.5, 48.4], [10.7, 48.4], [10.7, 48.6], [10.5, 48.6], [10.5, 48.4]]]
    overlap = [star(13.5, 48.0, 1.5, 40, rng)]
    cases.append(("concave-holes", [[outer] + holes]))
    cases.append(("multipolygon-union", [[outer] + holes, island, overlap]))
    # Across the antimeridian, given uncut: a star around 180 with a hole.
    anti_outer = [[wrap(x), y] for x, y in star(180.0, -17.0, 3.0, 60, rng)]
    anti_hole = [[wrap(x), y] for x, y in star(180.5, -16.5, 0.8, 20, rng)]
    anti_hole[-1] = anti_hole[0]
    anti_outer[-1] = anti_outer[0]
    cases.append(("antimeridian-uncut", [[anti_outer, anti_hole]]))
    hard = 0
    for name, polygons in cases:
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump({"type": "MultiPolygon", "coordinates": polygons}, f)
        shapes = [Polygon(unwrap(p[0]), [unwrap(h) for h in p[1:]]) for p in polygons]
        whole = unary_union(shapes)
        assert all(x.is_valid for x in shapes) and whole.is_valid, name
        hard += check(name, path, polygons, args, rng, whole, True)
    return hard


def fiji_island_uncut(fji):
    """Parts 3 (east of 180) and 1 (west) of FJI stitched into one ring."""
    def open_path(ring):
        pts = ring[:-1]
        cut = [abs(p[0]) == 180 for p in pts]
        n = len(pts)
        # Start at the last cut vertex before the run of uncut ones.
        start = next(i for i in range(n) if cut[i] and not cut[(i + 1) % n])
        path = [pts[start]]
        i = (start + 1) % n
        while not cut[i]:
            path.append(pts[i])
            i = (i + 1) % n
        return path + [pts[i]]
    east, west = open_path(fji[3][0]), open_path(fji[1][0])
    assert east[-1][1] == west[0][1] and west[-1][1] == east[0][1]
    return east + west[1:-1] + [east[0]]


def borders(args, rng, tmp):
    geo = os.path.join(args.shared or "../shared", "geo")
    if not os.path.isfile(os.path.join(geo, "DEU.geojson")):
        print(f"geo_shapely_check: skipped: no shared geo data in {geo}")
        sys.exit(SKIP)
    hard = 0
    for code in ("DEU", "ITA", "FJI", "LSO", "ZAF"):
        path = os.path.join(geo, code + ".geojson")
        with open(path) as f:
            g = json.load(f)["geometry"]
        polygons = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        whole = MultiPolygon([(p[0], p[1:]) for p in polygons])
        hard += check(code, path, polygons, args, rng, whole, whole.is_valid)
        if code == "FJI":
            ring = fiji_island_uncut(polygons)
            island = os.path.join(tmp, "fji-island-uncut.json")
            with open(island, "w") as f:
                json.dump({"type": "Polygon", "coordinates": [ring]}, f)
            whole = Polygon(unwrap(ring))
            hard += check("FJI-island-uncut", island, [[ring]], args, rng, whole,
                          whole.is_valid)
    return hard


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points-bin", required=True, help="the geo_points helper")
    ap.add_argument("--case", choices=("constructed", "borders"), required=True)
    ap.add_argument("--shared", default=os.environ.get("AEGIS_SHARED_DIR"))
    ap.add_argument("--points", type=int, default=12000, help="points per zone")
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="aegis-geo-") as tmp:
        hard = (constructed if args.case == "constructed" else borders)(args, rng, tmp)
    if hard:
        print(f"geo_shapely_check: {hard} disagreement(s) away from the boundary")
        return 1
    print("geo_shapely_check: agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
