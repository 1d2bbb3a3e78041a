#include "node-attestor/gnss/gnss_report.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h" /* _cleanup_; json_decrefp comes with jansson */
#include "node-attestor/gnss/gnss_line.h"
#include "node-attestor/gnss/gnss_tpv.h"

/* gpsd tracks at most this many signals (gps.h: MAXCHANNELS); a SKY that
 * claims more used satellites is not believed. */
#define SATELLITES_MAX 140

void ae_gnss_collector_init(struct ae_gnss_collector *c, const char *device, int min_mode,
                            double max_eph_m)
{
        memset(c, 0, sizeof(*c));
        c->device = device;
        c->min_mode = min_mode;
        c->max_eph_m = max_eph_m;
}

/* A string member of obj, or NULL. */
static const char *member(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(obj, key));
}

/* The report's device path made printable and bounded, "" when absent. */
static void device_of(const json_t *obj, char path[AE_GNSS_DEVICE_MAX])
{
        const char *raw = member(obj, "device");

        ae_gnss_copy_text(path, AE_GNSS_DEVICE_MAX, raw, raw ? strlen(raw) + 1 : 0);
}

static void add_identity(struct ae_gnss_collector *c, struct ae_gnss_fix *fix)
{
        struct ae_gnss_device *d = ae_gnss_devices_find(&c->devices, fix->device);

        if (!d)
                return;
        memcpy(fix->driver, d->driver, sizeof(fix->driver));
        memcpy(fix->subtype, d->subtype, sizeof(fix->subtype));
        fix->satellites_used = d->satellites_used;
}

static int on_tpv(struct ae_gnss_collector *c, const json_t *tpv, struct ae_gnss_fix *ret_fix)
{
        char path[AE_GNSS_DEVICE_MAX];
        struct ae_gnss_fix fix;
        int r;

        /* Only the watched device counts, whatever gpsd sends. */
        device_of(tpv, path);
        if (c->device && strcmp(path, c->device) != 0)
                return 0;
        r = ae_gnss_tpv_to_fix(tpv, &fix);
        if (r == -EBADMSG)
                c->saw_bad = true;
        if (r < 0 || !ae_gnss_fix_meets(&fix, c->min_mode, c->max_eph_m)) {
                /* The held fix is no longer the device's current state. */
                c->pending = false;
                return 0;
        }
        add_identity(c, &fix);
        if (fix.satellites_used >= 0 || c->pending) {
                *ret_fix = fix;
                return 1;
        }
        c->pending = true;
        c->pending_fix = fix;
        return 0;
}

/* Satellites used according to a SKY report: the entries of "satellites"
 * marked used, or gpsd's own count "uSat" when the list is absent; -1 when
 * the report says neither (a SKY with DOPs only). */
static int sky_used(const json_t *sky)
{
        const json_t *list = json_object_get(sky, "satellites"), *sat, *u;
        size_t i;
        int used = 0;

        if (json_is_array(list)) {
                if (json_array_size(list) > SATELLITES_MAX)
                        return -1;
                json_array_foreach(list, i, sat)
                        if (json_is_true(json_object_get(sat, "used")))
                                used++;
                return used;
        }
        u = json_object_get(sky, "uSat");
        if (json_is_integer(u) && json_integer_value(u) >= 0 &&
            json_integer_value(u) <= SATELLITES_MAX)
                return (int)json_integer_value(u);
        return -1;
}

static int on_sky(struct ae_gnss_collector *c, const json_t *sky, struct ae_gnss_fix *ret_fix)
{
        char path[AE_GNSS_DEVICE_MAX];
        int used = sky_used(sky);

        if (used < 0)
                return 0;
        device_of(sky, path);
        ae_gnss_devices_note_sky(&c->devices, path, sizeof(path), used, SATELLITES_MAX);
        if (!c->pending || strcmp(path, c->pending_fix.device) != 0)
                return 0;
        *ret_fix = c->pending_fix;
        add_identity(c, ret_fix);
        return 1;
}

/* One DEVICE object, alone or inside DEVICES. */
static void on_device(struct ae_gnss_collector *c, const json_t *dev)
{
        const char *path = member(dev, "path"), *driver = member(dev, "driver");
        const char *subtype = member(dev, "subtype");

        if (!path)
                return;
        ae_gnss_devices_note(&c->devices, path, strlen(path) + 1, driver,
                             driver ? strlen(driver) + 1 : 0, subtype,
                             subtype ? strlen(subtype) + 1 : 0);
}

int ae_gnss_collector_feed(struct ae_gnss_collector *c, const char *line, size_t len,
                           struct ae_gnss_fix *ret_fix)
{
        _cleanup_(json_decrefp) json_t *obj = NULL;
        enum ae_gnss_class class;
        const json_t *list, *dev;
        size_t i;

        if (ae_gnss_line_parse(line, len, &class, &obj) < 0)
                return 0;
        switch (class) {
        case AE_GNSS_CLASS_TPV:
                return on_tpv(c, obj, ret_fix);
        case AE_GNSS_CLASS_SKY:
                return on_sky(c, obj, ret_fix);
        case AE_GNSS_CLASS_DEVICES:
                /* The table is bounded; entries past its end are ignored. */
                list = json_object_get(obj, "devices");
                json_array_foreach(list, i, dev)
                        if (json_is_object(dev))
                                on_device(c, dev);
                return 0;
        case AE_GNSS_CLASS_DEVICE:
                on_device(c, obj);
                return 0;
        case AE_GNSS_CLASS_ERROR:
                /* gpsd answers a watch it cannot serve (unknown device) with
                 * ERROR. */
                return c->device ? -ENODEV : -EPROTO;
        case AE_GNSS_CLASS_OTHER:
        default:
                return 0;
        }
}

int ae_gnss_collector_timeout(const struct ae_gnss_collector *c, struct ae_gnss_fix *ret_fix)
{
        if (c->pending) {
                *ret_fix = c->pending_fix;
                return 0;
        }
        return c->saw_bad ? -EBADMSG : -ETIMEDOUT;
}
