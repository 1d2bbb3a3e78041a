/* Reading the claims JSON (claims.h): the extension's text, or the members
 * of a JWT-SVID payload. Strict about keys and types here; the value rules
 * are ae_claims_validate's, run on the struct once it is read. */
#include "svid-issuer/claims.h"

#include <string.h>

#include <jansson.h>

#include "common/cleanup.h" /* _cleanup_; json_decrefp comes with jansson */

/* Helpers return a reason, AE_SVID_OK when the rule holds. */
#define CHECK(expr)                                                            \
        do {                                                                   \
                enum ae_svid_reason ae_check_r_ = (expr);                      \
                if (ae_check_r_ != AE_SVID_OK)                                 \
                        return ae_check_r_;                                    \
        } while (0)

static enum ae_svid_reason rules(const struct ae_claims *c)
{
        enum ae_svid_reason r = AE_SVID_INTERNAL;

        /* r carries the verdict; the errno says only whether there is one. */
        if (ae_claims_validate(c, &r) == 0)
                return AE_SVID_OK;
        return r;
}

/* Every key of obj must be one of allowed (NULL-terminated). */
static enum ae_svid_reason only_keys(json_t *obj, const char *const *allowed)
{
        const char *key;
        json_t *v;

        json_object_foreach (obj, key, v) {
                bool known = false;

                for (size_t i = 0; allowed[i] && !known; i++)
                        known = strcmp(key, allowed[i]) == 0;
                if (!known)
                        return AE_SVID_CLAIMS_UNKNOWN_KEY;
        }
        return AE_SVID_OK;
}

/* obj[key] of the given type (a json_is_* test); absent is MISSING unless
 * optional (then *ret is NULL). */
static enum ae_svid_reason member(json_t *obj, const char *key, bool optional,
                                  int (*is_type)(const json_t *), json_t **ret)
{
        json_t *v = json_object_get(obj, key);

        *ret = NULL;
        if (!v)
                return optional ? AE_SVID_OK : AE_SVID_CLAIMS_MISSING;
        if (!is_type(v))
                return AE_SVID_CLAIMS_TYPE;
        *ret = v;
        return AE_SVID_OK;
}

/* jansson's json_is_* are macros; these give member() something to call. */
static int is_object(const json_t *v)
{
        return json_is_object(v);
}
static int is_string(const json_t *v)
{
        return json_is_string(v);
}
static int is_integer(const json_t *v)
{
        return json_is_integer(v);
}
static int is_number(const json_t *v)
{
        return json_is_number(v);
}
static int is_array(const json_t *v)
{
        return json_is_array(v);
}
static int is_boolean(const json_t *v)
{
        return json_is_boolean(v);
}

/* A string into out[cap]; one that cannot fit is refused with too_long (the
 * reason the value rules would give it). The value rules run later, in
 * check_claims, on the whole struct. */
static enum ae_svid_reason copy_string(json_t *v, char *out, size_t cap,
                                       enum ae_svid_reason too_long)
{
        size_t n = json_string_length(v);

        if (n >= cap)
                return too_long;
        memcpy(out, json_string_value(v), n + 1);
        return AE_SVID_OK;
}

static enum ae_svid_reason read_string(json_t *obj, const char *key, char *out, size_t cap,
                                       enum ae_svid_reason too_long)
{
        json_t *v;

        CHECK(member(obj, key, false, is_string, &v));
        return copy_string(v, out, cap, too_long);
}

static enum ae_svid_reason read_int(json_t *obj, const char *key, int64_t *out)
{
        json_t *v;

        CHECK(member(obj, key, false, is_integer, &v));
        *out = json_integer_value(v);
        return AE_SVID_OK;
}

static enum ae_svid_reason read_double(json_t *obj, const char *key, double *out)
{
        json_t *v;

        CHECK(member(obj, key, false, is_number, &v));
        *out = json_number_value(v);
        return AE_SVID_OK;
}

static enum ae_svid_reason read_workload(json_t *o, struct ae_claims *c)
{
        static const char *const keys[] = { "workload_id", "code_hash", NULL };

        CHECK(only_keys(o, keys));
        CHECK(read_string(o, "workload_id", c->workload.workload_id,
                          sizeof(c->workload.workload_id), AE_SVID_CLAIMS_WORKLOAD_ID));
        return read_string(o, "code_hash", c->workload.code_hash, sizeof(c->workload.code_hash),
                           AE_SVID_CLAIMS_HEX);
}

static enum ae_svid_reason read_tpm(json_t *o, struct ae_claims *c)
{
        static const char *const keys[] = { "ek_hash",    "ak_name",     "pcr_policy",
                                            "pcr_digest", "attested_at", NULL };

        CHECK(only_keys(o, keys));
        c->tpm.present = true;
        CHECK(read_string(o, "ek_hash", c->tpm.ek_hash, sizeof(c->tpm.ek_hash),
                          AE_SVID_CLAIMS_HEX));
        CHECK(read_string(o, "ak_name", c->tpm.ak_name, sizeof(c->tpm.ak_name),
                          AE_SVID_CLAIMS_HEX));
        CHECK(read_string(o, "pcr_policy", c->tpm.pcr_policy, sizeof(c->tpm.pcr_policy),
                          AE_SVID_CLAIMS_STRING));
        CHECK(read_string(o, "pcr_digest", c->tpm.pcr_digest, sizeof(c->tpm.pcr_digest),
                          AE_SVID_CLAIMS_HEX));
        return read_int(o, "attested_at", &c->tpm.attested_at);
}

static enum ae_svid_reason read_zones(json_t *o, struct ae_claims *c)
{
        json_t *zones, *z;
        size_t i;

        CHECK(member(o, "zones", false, is_array, &zones));
        if (json_array_size(zones) > AE_CLAIMS_ZONES_MAX)
                return AE_SVID_CLAIMS_ZONES;
        json_array_foreach (zones, i, z) {
                if (!json_is_string(z))
                        return AE_SVID_CLAIMS_TYPE;
                CHECK(copy_string(z, c->geo.zones[i], sizeof(c->geo.zones[i]),
                                  AE_SVID_CLAIMS_STRING));
        }
        c->geo.n_zones = json_array_size(zones);
        return AE_SVID_OK;
}

/* "gnss":{"retrieved_location":{"latitude":..,"longitude":..,"accuracy":..}} */
static enum ae_svid_reason read_gnss(json_t *gnss, struct ae_claims *c)
{
        static const char *const gnss_keys[] = { "retrieved_location", NULL };
        static const char *const loc_keys[] = { "latitude", "longitude", "accuracy", NULL };
        json_t *loc;

        CHECK(only_keys(gnss, gnss_keys));
        CHECK(member(gnss, "retrieved_location", false, is_object, &loc));
        CHECK(only_keys(loc, loc_keys));
        CHECK(read_double(loc, "latitude", &c->geo.latitude));
        CHECK(read_double(loc, "longitude", &c->geo.longitude));
        CHECK(read_double(loc, "accuracy", &c->geo.accuracy));
        c->geo.has_coordinates = true;
        return AE_SVID_OK;
}

static enum ae_svid_reason read_geo(json_t *o, struct ae_claims *c)
{
        static const char *const keys[] = { "tpm-attested-location", "zones", "policy_digest",
                                            "sensor_id", "fix_time", "gnss", NULL };
        json_t *attested, *gnss;

        CHECK(only_keys(o, keys));
        c->geo.present = true;
        CHECK(member(o, "tpm-attested-location", false, is_boolean, &attested));
        if (!json_is_true(attested))
                return AE_SVID_CLAIMS_LOCATION_NOT_ATTESTED;
        CHECK(read_zones(o, c));
        CHECK(read_string(o, "policy_digest", c->geo.policy_digest,
                          sizeof(c->geo.policy_digest), AE_SVID_CLAIMS_HEX));
        CHECK(read_string(o, "sensor_id", c->geo.sensor_id, sizeof(c->geo.sensor_id),
                          AE_SVID_CLAIMS_STRING));
        CHECK(read_int(o, "fix_time", &c->geo.fix_time));
        CHECK(member(o, "gnss", true, is_object, &gnss));
        return gnss ? read_gnss(gnss, c) : AE_SVID_OK;
}

/* A top-level member name of the claims vocabulary: "v", "level" or
 * "grc.<something>". */
static bool claims_key(const char *key)
{
        return strcmp(key, "v") == 0 || strcmp(key, "level") == 0 ||
               (strncmp(key, "grc.", 4) == 0 && key[4] != '\0');
}

/* Top level: our keys, plus other "grc.*" objects from newer writers.
 * Embedded in a JWT payload, members outside the vocabulary are the
 * token's own claims (sub, aud, ...) and not ours to judge. */
static enum ae_svid_reason top_keys(json_t *j, bool embedded)
{
        static const char *const ours[] = { "v", "level", "grc.workload", "grc.tpm-attestation",
                                            "grc.geolocation", NULL };
        const char *key;
        json_t *v;

        json_object_foreach (j, key, v) {
                bool known = false;

                for (size_t i = 0; ours[i] && !known; i++)
                        known = strcmp(key, ours[i]) == 0;
                if (known)
                        continue;
                if (!claims_key(key)) {
                        if (embedded)
                                continue;
                        return AE_SVID_CLAIMS_UNKNOWN_KEY;
                }
                if (!json_is_object(v))
                        return AE_SVID_CLAIMS_TYPE;
        }
        return AE_SVID_OK;
}

/* What decodes must re-encode: the writer's fixed-decimal numbers can be
 * longer than a reader's input spelled them ("latitude":0 is written
 * "0.0000000"), so claims whose canonical form would pass AE_CLAIMS_MAX
 * are refused here rather than by the next writer. */
static enum ae_svid_reason encodable(const struct ae_claims *c)
{
        char text[AE_CLAIMS_MAX + 1];
        size_t len;
        int r = ae_claims_encode(c, text, sizeof(text), &len);

        if (r == -EMSGSIZE)
                return AE_SVID_CLAIMS_TOO_LARGE;
        return r < 0 ? AE_SVID_INTERNAL : AE_SVID_OK;
}

static enum ae_svid_reason read_claims(json_t *j, bool embedded, struct ae_claims *c)
{
        json_t *v, *level, *obj;
        const char *name;

        if (!json_is_object(j))
                return AE_SVID_CLAIMS_SYNTAX;
        /* The version first: a newer document may break every other rule. */
        v = json_object_get(j, "v");
        if (!json_is_integer(v) || json_integer_value(v) != AE_CLAIMS_VERSION)
                return AE_SVID_CLAIMS_VERSION;
        CHECK(top_keys(j, embedded));
        CHECK(member(j, "level", false, is_string, &level));
        name = json_string_value(level);
        if (strcmp(name, "por") == 0 && json_string_length(level) == 3)
                c->level = AE_CLAIMS_POR;
        else if (strcmp(name, "pog") == 0 && json_string_length(level) == 3)
                c->level = AE_CLAIMS_POG;
        else
                return AE_SVID_CLAIMS_LEVEL;
        CHECK(member(j, "grc.workload", false, is_object, &obj));
        CHECK(read_workload(obj, c));
        CHECK(member(j, "grc.tpm-attestation", true, is_object, &obj));
        if (obj)
                CHECK(read_tpm(obj, c));
        CHECK(member(j, "grc.geolocation", true, is_object, &obj));
        if (obj)
                CHECK(read_geo(obj, c));
        /* The value rules, on the whole struct (ae_claims_validate). */
        CHECK(rules(c));
        return encodable(c);
}

int ae_claims_decode_explain(const char *json, size_t len, struct ae_claims *ret,
                             enum ae_svid_reason *reason)
{
        _cleanup_(json_decrefp) json_t *j = NULL;
        struct ae_claims c;
        enum ae_svid_reason r;

        if (reason)
                *reason = AE_SVID_INTERNAL;
        ENSURE((json || len == 0) && ret, -EINVAL);
        if (len > AE_CLAIMS_MAX) {
                if (reason)
                        *reason = AE_SVID_CLAIMS_TOO_LARGE;
                return -EMSGSIZE;
        }
        /* Duplicate keys would let two readers see two different claims. */
        j = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
        memset(&c, 0, sizeof(c));
        r = j ? read_claims(j, false, &c) : AE_SVID_CLAIMS_SYNTAX;
        if (reason)
                *reason = r;
        ENSURE(r == AE_SVID_OK, -EBADMSG);
        *ret = c;
        return 0;
}

int ae_claims_decode(const char *json, size_t len, struct ae_claims *ret)
{
        return ae_claims_decode_explain(json, len, ret, NULL);
}

int ae_claims_from_jwt_payload(const struct json_t *payload, struct ae_claims *ret,
                               bool *ret_present, enum ae_svid_reason *reason)
{
        json_t *j = (json_t *)payload; /* only read; jansson's iterators are not const */
        const char *key;
        json_t *v;
        bool any = false;
        struct ae_claims c;
        enum ae_svid_reason r;

        if (reason)
                *reason = AE_SVID_INTERNAL;
        ENSURE(json_is_object(j) && ret && ret_present, -EINVAL);
        json_object_foreach (j, key, v)
                any = any || claims_key(key);
        if (!any) {
                *ret_present = false;
                if (reason)
                        *reason = AE_SVID_OK;
                return 0;
        }
        memset(&c, 0, sizeof(c));
        r = read_claims(j, true, &c);
        if (reason)
                *reason = r;
        ENSURE(r == AE_SVID_OK, -EBADMSG);
        *ret = c;
        *ret_present = true;
        return 0;
}
