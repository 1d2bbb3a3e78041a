/* Reading a position fix and the identity of the sensor that produced it from
 * gpsd. This is the agent side of the location claim: it reports what gpsd
 * says, checked for sanity, and decides nothing about zones, freshness or
 * allowlists (the verifier does).
 *
 * libgps opens the connection, sends the watch request and closes it. The
 * reports (TPV for the fix, SKY for the satellites, DEVICES/DEVICE for the
 * receiver's driver and subtype) are read and decoded here with jansson:
 * libgps 3.22's own decoder hangs on some malformed reports (gnss_line.h).
 *
 * Everything gpsd sends is untrusted: lines are bounded strict JSON, numbers
 * are checked for type, NaN, infinity and range, strings are bounded and
 * made printable. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"

#define AE_GNSS_DEFAULT_HOST "localhost"
#define AE_GNSS_DEFAULT_PORT 2947 /* IANA "gpsd" */
#define AE_GNSS_DEFAULT_TIMEOUT_MS 10000u
#define AE_GNSS_TIMEOUT_MAX_MS (10u * 60u * 1000u)

/* Host name or address, without the NUL (the DNS limit). */
#define AE_GNSS_HOST_MAX 253
/* Buffer sizes, NUL included, matching gpsd's own fields (gps.h: GPS_PATH_MAX
 * and struct devconfig_t); longer values are truncated. */
#define AE_GNSS_DEVICE_MAX 128
#define AE_GNSS_DRIVER_MAX 64
#define AE_GNSS_SUBTYPE_MAX 128

/* Altitudes outside this band (metres) are not believed: the Dead Sea shore
 * is at -430 m, stratospheric balloons fly below 50 km. */
#define AE_GNSS_ALT_MIN_M (-1000.0)
#define AE_GNSS_ALT_MAX_M 100000.0
/* Error estimates above this (metres) are not believed either. */
#define AE_GNSS_ERR_MAX_M 1.0e7

/* Where to ask. Zeroed fields take the defaults. */
struct ae_gnss_source {
        const char *host;    /* NULL: AE_GNSS_DEFAULT_HOST */
        uint16_t port;       /* 0: AE_GNSS_DEFAULT_PORT */
        const char *device;  /* NULL: any device gpsd serves; else only this path */
        unsigned timeout_ms; /* 0: AE_GNSS_DEFAULT_TIMEOUT_MS; bounds the whole call */
};

/* What counts as a fix. Zeroed fields take the defaults. */
struct ae_gnss_quality {
        int min_mode;     /* 2 or 3; 0: 3 (a 3D fix) */
        double max_eph_m; /* > 0: eph must be reported and at most this; 0: no bound */
};

/* One fix as gpsd reported it (a TPV), with the sensor's identity. */
struct ae_gnss_fix {
        double latitude_deg;  /* WGS84, north positive, within [-90, 90] */
        double longitude_deg; /* WGS84, east positive, within [-180, 180] */
        bool has_alt_hae;
        double alt_hae_m; /* height above the WGS84 ellipsoid; NAN when absent */
        bool has_alt_msl;
        double alt_msl_m; /* height above mean sea level; NAN when absent */
        bool has_eph;
        double eph_m; /* horizontal error estimate (gpsd's eph); NAN when absent */
        bool has_epv;
        double epv_m; /* vertical error estimate (gpsd's epv); NAN when absent */
        int mode;     /* 2 (2D) or 3 (3D); 3 only with an altitude */
        struct timespec time;      /* UTC time of the fix */
        int satellites_used;       /* from gpsd's SKY report; -1 when not reported */
        char device[AE_GNSS_DEVICE_MAX];   /* gpsd's device path, e.g. /dev/ttyACM0 */
        char driver[AE_GNSS_DRIVER_MAX];   /* e.g. "NMEA0183", "u-blox"; "" if unknown */
        char subtype[AE_GNSS_SUBTYPE_MAX]; /* e.g. firmware/hardware version; may be "" */
};

/* Connect to gpsd at src, watch its reports and return the first fix of at
 * least want->min_mode (and, when set, eph no larger than want->max_eph_m).
 * want may be NULL for the defaults. Returns 0 and fills *ret_fix, or:
 *   -EINVAL        bad argument (mode not 2/3, negative or NaN eph bound,
 *                  host/device too long, timeout above the maximum)
 *   -ECONNREFUSED  nothing listens at host:port
 *   -EHOSTUNREACH  host unknown or unreachable
 *   -ETIMEDOUT     no fix good enough within the timeout (also a connection
 *                  attempt that did not complete in time)
 *   -ENODEV        gpsd does not have the requested device
 *   -EPROTO        gpsd answered the watch request with an error
 *   -EBADMSG       gpsd sent fixes but none passed the sanity checks
 *   -ECONNRESET    gpsd closed the connection
 *   other -errno   from the system
 * The connection is always closed before returning. Does not print. */
AE_MUST_USE int ae_gnss_read_fix(const struct ae_gnss_source *src,
                                 const struct ae_gnss_quality *want,
                                 struct ae_gnss_fix *ret_fix);
