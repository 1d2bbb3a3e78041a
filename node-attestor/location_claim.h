/* The location claim (PoG evidence): a GNSS fix and the sensor that made it,
 * in one canonical byte encoding. The agent encodes it and binds its
 * SHA-256 into the TPM quote (qualifying_data.h); the verifier decodes the
 * exact bytes that were quoted. Field names follow the EAT location claim
 * where they overlap (latitude, longitude, altitude, accuracy,
 * altitude_accuracy, timestamp).
 *
 * Canonical form: compact JSON, keys in this order, no whitespace,
 *   {"v":1,"latitude":52.5200000,"longitude":13.4050000,"altitude":73.50,
 *    "accuracy":17.10,"altitude_accuracy":29.90,"timestamp":1795238298000,
 *    "mode":3,"satellites":9,"sensor":{"device":"/dev/ttyACM0",
 *    "driver":"u-blox","subtype":"","serial":"F9P-0042"}}
 * degrees with 7 decimals (about 1 cm), metres with 2, timestamp in integer
 * milliseconds since the epoch (UTC), optional numbers omitted when
 * unknown, strings of printable ASCII only. A decoder accepts only bytes
 * that re-encode to themselves, so a claim has exactly one encoding. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "node-attestor/attest_limits.h"

#define AE_LOCATION_CLAIM_VERSION 1
#define AE_SENSOR_FIELD_MAX 128 /* each sensor string, NUL included */

/* Who measured: gpsd's device path, driver and subtype as reported, and the
 * serial the operator configured (or the receiver reported). */
struct ae_sensor_id {
        char device[AE_SENSOR_FIELD_MAX];
        char driver[AE_SENSOR_FIELD_MAX];
        char subtype[AE_SENSOR_FIELD_MAX];
        char serial[AE_SENSOR_FIELD_MAX];
};

/* The sensor's name in claims: the operator's serial where configured
 * (stable across replugging), else gpsd's device path. */
static inline const char *ae_sensor_id_name(const struct ae_sensor_id *s)
{
        return s->serial[0] ? s->serial : s->device;
}

struct ae_location_claim {
        double latitude, longitude; /* degrees, WGS84 */
        bool has_altitude;
        double altitude; /* metres above the WGS84 ellipsoid */
        bool has_accuracy;
        double accuracy; /* horizontal error estimate, metres */
        bool has_altitude_accuracy;
        double altitude_accuracy; /* vertical error estimate, metres */
        int64_t timestamp_ms;     /* fix time, ms since 1970-01-01T00:00:00Z */
        int mode;                 /* 2 (2D) or 3 (3D) */
        int satellites;           /* satellites used; -1 when unknown */
        struct ae_sensor_id sensor;
};

/* Encode into buf (not NUL-terminated; *ret_len bytes). -EINVAL for a claim
 * outside the ranges (latitude ±90, longitude ±180, mode 2/3, finite
 * non-negative accuracies, altitude within ±100 km, non-printable sensor
 * strings), -ENOBUFS when cap is too small (AE_ATTEST_LOCATION_CLAIM_MAX is
 * always enough). */
AE_MUST_USE int ae_location_claim_encode(const struct ae_location_claim *c, uint8_t *buf,
                                         size_t cap, size_t *ret_len);

/* Decode exactly the canonical bytes. -EMSGSIZE over
 * AE_ATTEST_LOCATION_CLAIM_MAX, -EBADMSG for anything else that is not a
 * canonical claim (including a valid claim written another way). */
AE_MUST_USE int ae_location_claim_decode(const uint8_t *buf, size_t len,
                                         struct ae_location_claim *ret);

/* The sensor identity alone, canonical the same way (the payload's
 * location_sensor field): {"device":...,"driver":...,"subtype":...,"serial":...} */
AE_MUST_USE int ae_sensor_id_encode(const struct ae_sensor_id *s, uint8_t *buf, size_t cap,
                                    size_t *ret_len);
AE_MUST_USE int ae_sensor_id_decode(const uint8_t *buf, size_t len, struct ae_sensor_id *ret);

bool ae_sensor_id_equal(const struct ae_sensor_id *a, const struct ae_sensor_id *b);
