/* Test helper for geo_shapely_check.py: loads a zone (policy/geo_zone.h)
 * from a JSON file and answers, for each "lat lon" line on stdin, 1 (in)
 * or 0 (out) on stdout. A rejected zone prints its path and message and
 * exits 1. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "policy/geo_zone.h"

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        _cleanup_(ae_geo_zone_freep) struct ae_geo_zone *z = NULL;
        struct ae_geo_error err = { "", "" };
        json_error_t jerr;
        json_t *v;
        double lat, lon;
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s ZONE.json < POINTS\n", argv[0]);
                return 2;
        }
        v = json_load_file(argv[1], 0, &jerr);
        if (!v) {
                fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
                return 1;
        }
        r = ae_geo_zone_from_json(v, &z, &err);
        json_decref(v);
        if (r < 0) {
                fprintf(stderr, "%s: rejected at \"%s\": %s\n", argv[1], err.path, err.message);
                return 1;
        }
        while (scanf("%lf %lf", &lat, &lon) == 2)
                fputs(ae_geo_zone_contains(z, lat, lon) ? "1\n" : "0\n", stdout);
        return ferror(stdout) || fflush(stdout) != 0 ? 1 : 0;
}
