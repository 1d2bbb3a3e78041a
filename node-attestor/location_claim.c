#include "node-attestor/location_claim.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/log_escape.h"

/* Sensor strings are printable ASCII without '"' or '\\': they then need no
 * escaping, which keeps the canonical form trivially canonical. */
static bool plain_string(const char *s, size_t max)
{
        size_t n = strnlen(s, max);

        if (n == max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
                        return false;
        return true;
}

static bool sensor_valid(const struct ae_sensor_id *s)
{
        return plain_string(s->device, sizeof(s->device)) &&
               plain_string(s->driver, sizeof(s->driver)) &&
               plain_string(s->subtype, sizeof(s->subtype)) &&
               plain_string(s->serial, sizeof(s->serial));
}

static bool metres_valid(double m)
{
        return isfinite(m) && m >= 0.0 && m < 1e7;
}

static bool claim_valid(const struct ae_location_claim *c)
{
        return isfinite(c->latitude) && fabs(c->latitude) <= 90.0 && isfinite(c->longitude) &&
               fabs(c->longitude) <= 180.0 &&
               (!c->has_altitude || (isfinite(c->altitude) && fabs(c->altitude) <= 100000.0)) &&
               (!c->has_accuracy || metres_valid(c->accuracy)) &&
               (!c->has_altitude_accuracy || metres_valid(c->altitude_accuracy)) &&
               c->timestamp_ms >= 0 && (c->mode == 2 || c->mode == 3) &&
               c->satellites >= -1 && c->satellites <= 1000 && sensor_valid(&c->sensor);
}

static void put_sensor(struct ae_textbuf *t, const struct ae_sensor_id *s)
{
        ae_textbuf_puts(t, "{\"device\":\"");
        ae_textbuf_puts(t, s->device);
        ae_textbuf_puts(t, "\",\"driver\":\"");
        ae_textbuf_puts(t, s->driver);
        ae_textbuf_puts(t, "\",\"subtype\":\"");
        ae_textbuf_puts(t, s->subtype);
        ae_textbuf_puts(t, "\",\"serial\":\"");
        ae_textbuf_puts(t, s->serial);
        ae_textbuf_puts(t, "\"}");
}

/* Fixed formats; "-0.0000000" is written as "0.0000000" so the sign of a
 * zero cannot give a second encoding. */
static void put_fixed(struct ae_textbuf *t, const char *key, double v, int decimals)
{
        char num[64];
        int n = snprintf(num, sizeof(num), "%.*f", decimals, v);

        if (n > 0 && num[0] == '-' && strspn(num + 1, "0.") == (size_t)(n - 1))
                memmove(num, num + 1, (size_t)n);
        ae_textbuf_puts(t, ",\"");
        ae_textbuf_puts(t, key);
        ae_textbuf_puts(t, "\":");
        ae_textbuf_puts(t, num);
}

static int finish(struct ae_textbuf *t, uint8_t *buf, size_t cap, size_t *ret_len)
{
        ENSURE(!t->truncated, -ENOBUFS);
        ENSURE(t->len <= cap, -ENOBUFS);
        memcpy(buf, t->buf, t->len);
        *ret_len = t->len;
        return 0;
}

int ae_location_claim_encode(const struct ae_location_claim *c, uint8_t *buf, size_t cap,
                             size_t *ret_len)
{
        char text[AE_ATTEST_LOCATION_CLAIM_MAX + 1], num[32];
        struct ae_textbuf t;

        ENSURE(c && buf && ret_len, -EINVAL);
        ENSURE(claim_valid(c), -EINVAL);
        ae_textbuf_init(&t, text, sizeof(text));
        snprintf(num, sizeof(num), "{\"v\":%d", AE_LOCATION_CLAIM_VERSION);
        ae_textbuf_puts(&t, num);
        put_fixed(&t, "latitude", c->latitude, 7);
        put_fixed(&t, "longitude", c->longitude, 7);
        if (c->has_altitude)
                put_fixed(&t, "altitude", c->altitude, 2);
        if (c->has_accuracy)
                put_fixed(&t, "accuracy", c->accuracy, 2);
        if (c->has_altitude_accuracy)
                put_fixed(&t, "altitude_accuracy", c->altitude_accuracy, 2);
        snprintf(num, sizeof(num), ",\"timestamp\":%" PRId64, c->timestamp_ms);
        ae_textbuf_puts(&t, num);
        snprintf(num, sizeof(num), ",\"mode\":%d", c->mode);
        ae_textbuf_puts(&t, num);
        if (c->satellites >= 0) {
                snprintf(num, sizeof(num), ",\"satellites\":%d", c->satellites);
                ae_textbuf_puts(&t, num);
        }
        ae_textbuf_puts(&t, ",\"sensor\":");
        put_sensor(&t, &c->sensor);
        ae_textbuf_puts(&t, "}");
        return finish(&t, buf, cap, ret_len);
}

int ae_sensor_id_encode(const struct ae_sensor_id *s, uint8_t *buf, size_t cap, size_t *ret_len)
{
        char text[AE_ATTEST_LOCATION_SENSOR_MAX + 1];
        struct ae_textbuf t;

        ENSURE(s && buf && ret_len, -EINVAL);
        ENSURE(sensor_valid(s), -EINVAL);
        ae_textbuf_init(&t, text, sizeof(text));
        put_sensor(&t, s);
        return finish(&t, buf, cap, ret_len);
}

static int get_string(json_t *obj, const char *key, char *out, size_t cap)
{
        const char *s = json_string_value(json_object_get(obj, key));

        ENSURE(s && strlen(s) < cap, -EBADMSG);
        strcpy(out, s);
        return 0;
}

static int read_sensor(json_t *obj, struct ae_sensor_id *s)
{
        ENSURE(json_is_object(obj), -EBADMSG);
        memset(s, 0, sizeof(*s));
        GUARD(get_string(obj, "device", s->device, sizeof(s->device)));
        GUARD(get_string(obj, "driver", s->driver, sizeof(s->driver)));
        GUARD(get_string(obj, "subtype", s->subtype, sizeof(s->subtype)));
        GUARD(get_string(obj, "serial", s->serial, sizeof(s->serial)));
        return 0;
}

static int get_number(json_t *obj, const char *key, bool required, bool *ret_has, double *ret)
{
        json_t *v = json_object_get(obj, key);

        if (!v) {
                ENSURE(!required, -EBADMSG);
                if (ret_has)
                        *ret_has = false;
                return 0;
        }
        ENSURE(json_is_number(v), -EBADMSG);
        *ret = json_number_value(v);
        if (ret_has)
                *ret_has = true;
        return 0;
}

static int get_int(json_t *obj, const char *key, bool required, json_int_t *ret)
{
        json_t *v = json_object_get(obj, key);

        if (!v) {
                ENSURE(!required, -EBADMSG);
                return 0;
        }
        ENSURE(json_is_integer(v), -EBADMSG);
        *ret = json_integer_value(v);
        return 0;
}

/* The bytes must be exactly what encoding the decoded value gives. */
static int same_bytes(const uint8_t *buf, size_t len, const uint8_t *again, size_t again_len)
{
        ENSURE(len == again_len && memcmp(buf, again, len) == 0, -EBADMSG);
        return 0;
}

int ae_location_claim_decode(const uint8_t *buf, size_t len, struct ae_location_claim *ret)
{
        _cleanup_(json_decrefp) json_t *j = NULL;
        uint8_t again[AE_ATTEST_LOCATION_CLAIM_MAX];
        struct ae_location_claim c;
        json_int_t version = 0, ts = -1, mode = 0, sats = -1;
        size_t again_len;

        ENSURE(buf || len == 0, -EINVAL);
        ENSURE(len <= AE_ATTEST_LOCATION_CLAIM_MAX, -EMSGSIZE);
        j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK,
                       NULL);
        ENSURE(json_is_object(j), -EBADMSG);
        memset(&c, 0, sizeof(c));
        GUARD(get_int(j, "v", true, &version));
        ENSURE(version == AE_LOCATION_CLAIM_VERSION, -EBADMSG);
        GUARD(get_number(j, "latitude", true, NULL, &c.latitude));
        GUARD(get_number(j, "longitude", true, NULL, &c.longitude));
        GUARD(get_number(j, "altitude", false, &c.has_altitude, &c.altitude));
        GUARD(get_number(j, "accuracy", false, &c.has_accuracy, &c.accuracy));
        GUARD(get_number(j, "altitude_accuracy", false, &c.has_altitude_accuracy,
                         &c.altitude_accuracy));
        GUARD(get_int(j, "timestamp", true, &ts));
        GUARD(get_int(j, "mode", true, &mode));
        GUARD(get_int(j, "satellites", false, &sats));
        ENSURE(ts >= 0 && mode >= 0 && mode <= 3 && sats >= -1 && sats <= 1000, -EBADMSG);
        c.timestamp_ms = ts;
        c.mode = (int)mode;
        c.satellites = (int)sats;
        GUARD(read_sensor(json_object_get(j, "sensor"), &c.sensor));
        ENSURE(claim_valid(&c), -EBADMSG);
        /* Extra keys, another order, other number spellings, whitespace or
         * trailing bytes all fail here. */
        GUARD(ae_location_claim_encode(&c, again, sizeof(again), &again_len));
        GUARD(same_bytes(buf, len, again, again_len));
        *ret = c;
        return 0;
}

int ae_sensor_id_decode(const uint8_t *buf, size_t len, struct ae_sensor_id *ret)
{
        _cleanup_(json_decrefp) json_t *j = NULL;
        uint8_t again[AE_ATTEST_LOCATION_SENSOR_MAX];
        struct ae_sensor_id s;
        size_t again_len;

        ENSURE(buf || len == 0, -EINVAL);
        ENSURE(len <= AE_ATTEST_LOCATION_SENSOR_MAX, -EMSGSIZE);
        j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK,
                       NULL);
        GUARD(read_sensor(j, &s));
        ENSURE(sensor_valid(&s), -EBADMSG);
        GUARD(ae_sensor_id_encode(&s, again, sizeof(again), &again_len));
        GUARD(same_bytes(buf, len, again, again_len));
        *ret = s;
        return 0;
}

bool ae_sensor_id_equal(const struct ae_sensor_id *a, const struct ae_sensor_id *b)
{
        return strcmp(a->device, b->device) == 0 && strcmp(a->driver, b->driver) == 0 &&
               strcmp(a->subtype, b->subtype) == 0 && strcmp(a->serial, b->serial) == 0;
}
