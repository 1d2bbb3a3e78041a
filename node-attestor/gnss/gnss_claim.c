#include "node-attestor/gnss/gnss_claim.h"

#include <string.h>

/* gpsd's strings are untrusted: keep them printable and quote-free, as the
 * claim's canonical form requires, rather than refuse a working sensor. */
static void copy_plain(char *dst, size_t cap, const char *src)
{
        size_t i = 0;

        for (; src && src[i] && i + 1 < cap; i++) {
                char c = src[i];

                dst[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '?' : c;
        }
        dst[i] = '\0';
}

int ae_gnss_claim_from_fix(const struct ae_gnss_fix *fix, const char *serial,
                           struct ae_location_claim *ret)
{
        struct ae_location_claim c;

        ENSURE(fix && ret, -EINVAL);
        ENSURE(fix->mode == 2 || fix->mode == 3, -EINVAL);
        ENSURE(fix->time.tv_sec > 0, -EINVAL);
        memset(&c, 0, sizeof(c));
        c.latitude = fix->latitude_deg;
        c.longitude = fix->longitude_deg;
        /* The ellipsoid height is what the EAT claim means by altitude; a
         * receiver that reports only MSL gets none rather than a mixed datum. */
        c.has_altitude = fix->mode == 3 && fix->has_alt_hae;
        c.altitude = c.has_altitude ? fix->alt_hae_m : 0.0;
        c.has_accuracy = fix->has_eph;
        c.accuracy = fix->has_eph ? fix->eph_m : 0.0;
        c.has_altitude_accuracy = fix->mode == 3 && fix->has_epv;
        c.altitude_accuracy = c.has_altitude_accuracy ? fix->epv_m : 0.0;
        c.timestamp_ms = (int64_t)fix->time.tv_sec * 1000 + fix->time.tv_nsec / 1000000;
        c.mode = fix->mode;
        c.satellites = fix->satellites_used >= 0 ? fix->satellites_used : -1;
        copy_plain(c.sensor.device, sizeof(c.sensor.device), fix->device);
        copy_plain(c.sensor.driver, sizeof(c.sensor.driver), fix->driver);
        copy_plain(c.sensor.subtype, sizeof(c.sensor.subtype), fix->subtype);
        copy_plain(c.sensor.serial, sizeof(c.sensor.serial), serial);
        *ret = c;
        return 0;
}
