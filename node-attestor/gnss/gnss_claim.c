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

int ae_gnss_location_evidence(const struct ae_gnss_source *src, const char *serial,
                              uint8_t *claim, size_t *ret_claim_len, uint8_t *sensor,
                              size_t *ret_sensor_len)
{
        const struct ae_gnss_quality any = { .min_mode = 2 };
        struct ae_location_claim c;
        struct ae_gnss_fix fix;
        size_t claim_len, sensor_len;

        GUARD(ae_gnss_read_fix(src, &any, &fix));
        GUARD(ae_gnss_claim_from_fix(&fix, serial, &c));
        GUARD(ae_location_claim_encode(&c, claim, AE_ATTEST_LOCATION_CLAIM_MAX, &claim_len));
        GUARD(ae_sensor_id_encode(&c.sensor, sensor, AE_ATTEST_LOCATION_SENSOR_MAX, &sensor_len));
        *ret_claim_len = claim_len;
        *ret_sensor_len = sensor_len;
        return 0;
}
