#include "policy/geo_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

void ae_geo_path_init(struct ae_geo_path *p, struct ae_geo_error *err)
{
        p->err = err;
        p->buf[0] = '\0';
        p->len = 0;
}

/* A path that no longer fits keeps its prefix: the message still says what
 * is wrong, and the buffer is 160 bytes against GeoJSON's fixed nesting. */
static void append(struct ae_geo_path *p, int n)
{
        if (n > 0)
                p->len += (size_t)n < sizeof(p->buf) - p->len ? (size_t)n
                                                              : sizeof(p->buf) - p->len - 1;
}

/* Keys that are plain identifiers are written .key, others ["key"] (as
 * policy/json_check.c does), so a path reads back unambiguously. */
size_t ae_geo_path_key(struct ae_geo_path *p, const char *key)
{
        size_t saved = p->len;
        bool plain = key[0] != '\0';

        for (const char *k = key; *k; k++)
                if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
                        plain = false;
        append(p, snprintf(p->buf + p->len, sizeof(p->buf) - p->len,
                           plain ? ".%s" : "[\"%.60s\"]", key));
        return saved;
}

size_t ae_geo_path_index(struct ae_geo_path *p, size_t index)
{
        size_t saved = p->len;

        append(p, snprintf(p->buf + p->len, sizeof(p->buf) - p->len, "[%zu]", index));
        return saved;
}

void ae_geo_path_up(struct ae_geo_path *p, size_t saved_len)
{
        p->len = saved_len;
        p->buf[saved_len] = '\0';
}

int ae_geo_path_fail(struct ae_geo_path *p, const char *fmt, ...)
{
        va_list ap;

        if (p->err) {
                snprintf(p->err->path, sizeof(p->err->path), "%s", p->buf);
                va_start(ap, fmt);
                vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

const char *ae_geo_json_type_name(const struct json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER:
        case JSON_REAL: return "a number";
        case JSON_TRUE:
        case JSON_FALSE: return "a boolean";
        default: return "null";
        }
}

int ae_geo_json_number(struct ae_geo_path *p, const struct json_t *v, double *ret)
{
        double d;

        if (!json_is_number(v))
                return ae_geo_path_fail(p, "expected a number, found %s",
                                        ae_geo_json_type_name(v));
        d = json_number_value(v);
        /* jansson refuses NaN and infinity when parsing and in json_real();
         * kept so no other source of json_t can slip one in. */
        if (!isfinite(d))
                return ae_geo_path_fail(p, "not a finite number");
        *ret = d;
        return 0;
}

/* Shortest "%g" text that reads back as d, so a message quotes 90.1 as
 * "90.1" and still tells 180 from the next double above it. */
void ae_geo_format_double(double d, char buf[32])
{
        for (int prec = 15; prec <= 17; prec++) {
                snprintf(buf, 32, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                        return;
        }
}

int ae_geo_json_position(struct ae_geo_path *p, const struct json_t *v, double *ret_lon,
                         double *ret_lat)
{
        double lon, lat;
        char text[32];
        size_t saved;

        if (!json_is_array(v))
                return ae_geo_path_fail(p, "expected a position [lon, lat], found %s",
                                        ae_geo_json_type_name(v));
        if (json_array_size(v) < 2)
                return ae_geo_path_fail(p, "a position needs [lon, lat], found %zu element%s",
                                        json_array_size(v), json_array_size(v) == 1 ? "" : "s");
        saved = ae_geo_path_index(p, 0);
        GUARD(ae_geo_json_number(p, json_array_get(v, 0), &lon));
        if (!(lon >= -180.0 && lon <= 180.0)) {
                ae_geo_format_double(lon, text);
                return ae_geo_path_fail(p, "longitude %s outside [-180, 180]", text);
        }
        ae_geo_path_up(p, saved);
        saved = ae_geo_path_index(p, 1);
        GUARD(ae_geo_json_number(p, json_array_get(v, 1), &lat));
        if (!(lat >= -90.0 && lat <= 90.0)) {
                ae_geo_format_double(lat, text);
                return ae_geo_path_fail(p, "latitude %s outside [-90, 90]", text);
        }
        ae_geo_path_up(p, saved);
        *ret_lon = lon;
        *ret_lat = lat;
        return 0;
}
