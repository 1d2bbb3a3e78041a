/* The "location" section: what makes a GNSS fix Proof of Geofencing, and
 * the named zones it must fall in. */
#include "policy/policy_sections.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "policy/geo_zone.h"

static int get_bool(struct json_check *c, json_t *obj, const char *key, bool *ret)
{
        json_t *v;

        GUARD(json_check_member(c, obj, key, JSON_TRUE, false, &v));
        if (v)
                *ret = json_is_true(v);
        return 0;
}

/* A number in [lo, hi] (integers only when integer). */
static int get_number(struct json_check *c, json_t *obj, const char *key, double lo, double hi,
                      bool integer, double *ret)
{
        json_t *v = json_object_get(obj, key);
        size_t saved = c->len;
        double d;

        if (!v)
                return 0;
        json_check_key(c, key);
        if (!(integer ? json_is_integer(v) : json_is_number(v)))
                return json_check_fail(c, "expected %s", integer ? "an integer" : "a number");
        d = json_number_value(v);
        if (!isfinite(d) || d < lo || d > hi)
                return json_check_fail(c, "expected %g..%g", lo, hi);
        json_check_up(c, saved);
        *ret = d;
        return 0;
}

static int copy_field(struct json_check *c, json_t *obj, const char *key, bool required,
                      char *out, size_t cap)
{
        const char *s;

        GUARD(json_check_string(c, obj, key, required, &s));
        if (!s)
                return 0;
        if (strlen(s) >= cap || !*s) {
                json_check_key(c, key);
                return json_check_fail(c, "expected 1..%zu characters", cap - 1);
        }
        strcpy(out, s);
        return 0;
}

static int load_sensors(struct json_check *c, json_t *list, struct ae_policy_location *loc)
{
        static const char *const keys[] = { "serial", "driver", NULL };
        size_t n = json_array_size(list), i;
        json_t *v;

        if (n == 0)
                return json_check_fail(c, "empty: leave \"sensors\" out to accept any sensor");
        if (n > AE_POLICY_SENSORS_MAX)
                return json_check_fail(c, "more than %d sensors", AE_POLICY_SENSORS_MAX);
        loc->sensors = calloc(n, sizeof(*loc->sensors));
        ENSURE_ALLOC(loc->sensors);
        json_array_foreach(list, i, v) {
                size_t saved = c->len;

                json_check_index(c, i);
                GUARD(json_check_object(c, v));
                GUARD(json_check_keys(c, v, keys));
                GUARD(copy_field(c, v, "serial", true, loc->sensors[i].serial,
                                 sizeof(loc->sensors[i].serial)));
                GUARD(copy_field(c, v, "driver", false, loc->sensors[i].driver,
                                 sizeof(loc->sensors[i].driver)));
                loc->n_sensors = i + 1;
                json_check_up(c, saved);
        }
        return 0;
}

/* Geometry errors come with a path relative to the zone value. */
static int zone_error(struct json_check *c, const struct ae_geo_error *ge, const char *file)
{
        if (file)
                return json_check_fail(c, "%s%s%s: %s", file, ge->path[0] ? " at " : "",
                                       ge->path, ge->message);
        if (c->len + strlen(ge->path) < sizeof(c->path)) {
                strcat(c->path, ge->path);
                c->len += strlen(ge->path);
        }
        return json_check_fail(c, "%s", ge->message);
}

static int load_zone_file(struct json_check *c, const char *name, const char *base_dir,
                          struct ae_geo_zone **ret)
{
        _cleanup_free_ uint8_t *text = NULL;
        _cleanup_(json_decrefp) json_t *doc = NULL;
        struct ae_geo_error ge = { "", "" };
        char path[AE_POLICY_PATH_MAX];
        json_error_t jerr;
        size_t len;
        int n, r;

        if (!*name)
                return json_check_fail(c, "empty file name");
        n = snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' ? "" : base_dir,
                     name[0] == '/' ? "" : "/", name);
        if (n < 0 || (size_t)n >= sizeof(path))
                return json_check_fail(c, "file name too long");
        r = ae_file_read(path, AE_POLICY_ZONE_FILE_MAX, &text, &len);
        if (r < 0)
                return json_check_fail(c, "cannot read %s: %s", path, strerror(-r));
        doc = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc)
                return json_check_fail(c, "%s: malformed JSON at line %d column %d: %s", name,
                                       jerr.line, jerr.column, jerr.text);
        if (ae_geo_zone_from_json(doc, ret, &ge) < 0)
                return zone_error(c, &ge, name);
        return 0;
}

static int load_zones(struct json_check *c, json_t *zones, const char *base_dir,
                      struct ae_policy_location *loc)
{
        size_t n = json_object_size(zones), i = 0;
        const char *name;
        json_t *v;

        if (n == 0)
                return json_check_fail(c, "at least one zone is required");
        if (n > AE_POLICY_ZONES_MAX)
                return json_check_fail(c, "more than %d zones", AE_POLICY_ZONES_MAX);
        loc->zones = calloc(n, sizeof(*loc->zones));
        ENSURE_ALLOC(loc->zones);
        json_object_foreach(zones, name, v) {
                struct ae_policy_zone *z = &loc->zones[i];
                struct ae_geo_error ge = { "", "" };
                json_t *file = json_object_get(v, "file");
                size_t saved = c->len;

                json_check_key(c, name);
                if (!policy_name_valid(name))
                        return json_check_fail(c, "zone names are 1..64 of [A-Za-z0-9._-]");
                strcpy(z->name, name);
                loc->n_zones = ++i; /* freed with the policy even if the zone fails */
                GUARD(json_check_object(c, v));
                if (file) {
                        static const char *const keys[] = { "file", NULL };

                        GUARD(json_check_keys(c, v, keys));
                        json_check_key(c, "file");
                        if (!json_is_string(file))
                                return json_check_fail(c, "expected a string");
                        GUARD(load_zone_file(c, json_string_value(file), base_dir, &z->zone));
                } else if (ae_geo_zone_from_json(v, &z->zone, &ge) < 0) {
                        return zone_error(c, &ge, NULL);
                }
                json_check_up(c, saved);
        }
        return 0;
}

int policy_load_location(struct json_check *c, json_t *loc_json, const char *base_dir,
                         struct ae_policy *p)
{
        static const char *const keys[] = { "required",      "max_age_s",      "max_future_s",
                                            "min_mode",      "max_accuracy_m", "max_speed_mps",
                                            "share_coordinates", "sensors",    "zones",
                                            NULL };
        struct ae_policy_location *loc = &p->location;
        size_t saved = c->len;
        double age = 60, future = 5, mode = 3, accuracy = 0, speed = 340;
        json_t *sensors, *zones;

        json_check_key(c, "location");
        GUARD(json_check_keys(c, loc_json, keys));
        GUARD(get_bool(c, loc_json, "required", &loc->required));
        GUARD(get_number(c, loc_json, "max_age_s", 1, 86400, true, &age));
        GUARD(get_number(c, loc_json, "max_future_s", 0, 3600, true, &future));
        GUARD(get_number(c, loc_json, "min_mode", 2, 3, true, &mode));
        GUARD(get_number(c, loc_json, "max_accuracy_m", 0.01, 1e7, false, &accuracy));
        /* The speed of light would be a meaningless bound; orbital speed a
         * generous one for anything with a GNSS receiver. */
        GUARD(get_number(c, loc_json, "max_speed_mps", 0.01, 8000, false, &speed));
        GUARD(get_bool(c, loc_json, "share_coordinates", &loc->share_coordinates));
        loc->max_age_s = (unsigned)age;
        loc->max_future_s = (unsigned)future;
        loc->min_mode = (int)mode;
        loc->max_accuracy_m = accuracy;
        loc->max_speed_mps = speed;

        GUARD(json_check_member(c, loc_json, "sensors", JSON_ARRAY, false, &sensors));
        if (sensors) {
                size_t s2 = c->len;

                json_check_key(c, "sensors");
                GUARD(load_sensors(c, sensors, loc));
                json_check_up(c, s2);
        }
        GUARD(json_check_member(c, loc_json, "zones", JSON_OBJECT, true, &zones));
        json_check_key(c, "zones");
        GUARD(load_zones(c, zones, base_dir, loc));
        json_check_up(c, saved);
        loc->present = true;
        return 0;
}

bool ae_policy_sensor_allowed(const struct ae_policy *policy, const char *serial,
                              const char *driver)
{
        const struct ae_policy_location *loc = &policy->location;

        if (loc->n_sensors == 0)
                return true;
        for (size_t i = 0; i < loc->n_sensors; i++)
                if (strcmp(loc->sensors[i].serial, serial) == 0 &&
                    (!loc->sensors[i].driver[0] || strcmp(loc->sensors[i].driver, driver) == 0))
                        return true;
        return false;
}
