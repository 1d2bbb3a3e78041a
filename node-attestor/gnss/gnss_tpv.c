#include "node-attestor/gnss/gnss_tpv.h"

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "node-attestor/gnss/gnss_devices.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/gnss/gnss_time.h"

/* A number member of obj (gpsd writes integers for some values), or NAN. */
static double number(const json_t *obj, const char *key)
{
        const json_t *v = json_object_get(obj, key);

        return json_is_number(v) ? json_number_value(v) : NAN;
}

static bool altitude_ok(double m)
{
        return isfinite(m) && m >= AE_GNSS_ALT_MIN_M && m <= AE_GNSS_ALT_MAX_M;
}

static bool error_ok(double m)
{
        return isfinite(m) && m >= 0.0 && m <= AE_GNSS_ERR_MAX_M;
}

int ae_gnss_tpv_to_fix(const json_t *tpv, struct ae_gnss_fix *ret_fix)
{
        const json_t *mode = json_object_get(tpv, "mode");
        const char *device = json_string_value(json_object_get(tpv, "device"));
        const char *when = json_string_value(json_object_get(tpv, "time"));
        struct ae_gnss_fix fix;
        json_int_t m;
        double lat = number(tpv, "lat"), lon = number(tpv, "lon"), alt;

        /* gpsd leaves mode out until it has seen one: no fix yet. */
        if (!mode)
                return -EAGAIN;
        ENSURE(json_is_integer(mode), -EBADMSG);
        m = json_integer_value(mode);
        if (m < 2 && m >= 0)
                return -EAGAIN;
        ENSURE(m == 2 || m == 3, -EBADMSG);

        memset(&fix, 0, sizeof(fix));
        /* A fix without its time cannot be judged fresh: not a fix for us. */
        ENSURE(when && ae_gnss_parse_time(when, &fix.time) == 0, -EBADMSG);
        ENSURE(isfinite(lat) && fabs(lat) <= 90.0, -EBADMSG);
        ENSURE(isfinite(lon) && fabs(lon) <= 180.0, -EBADMSG);
        /* The sensor's identity is part of the claim: no path, no fix. */
        ENSURE(device && device[0] != '\0', -EBADMSG);
        ae_gnss_copy_text(fix.device, sizeof(fix.device), device, strlen(device) + 1);

        fix.latitude_deg = lat;
        fix.longitude_deg = lon;
        alt = number(tpv, "altHAE");
        fix.has_alt_hae = altitude_ok(alt);
        fix.alt_hae_m = fix.has_alt_hae ? alt : NAN;
        alt = number(tpv, "altMSL");
        fix.has_alt_msl = altitude_ok(alt);
        fix.alt_msl_m = fix.has_alt_msl ? alt : NAN;
        fix.eph_m = number(tpv, "eph");
        fix.has_eph = error_ok(fix.eph_m);
        if (!fix.has_eph)
                fix.eph_m = NAN;
        fix.epv_m = number(tpv, "epv");
        fix.has_epv = error_ok(fix.epv_m);
        if (!fix.has_epv)
                fix.epv_m = NAN;
        fix.mode = (int)m;
        if (fix.mode == 3 && !fix.has_alt_hae && !fix.has_alt_msl)
                fix.mode = 2;
        fix.satellites_used = -1;
        *ret_fix = fix;
        return 0;
}

bool ae_gnss_fix_meets(const struct ae_gnss_fix *fix, int min_mode, double max_eph_m)
{
        if (fix->mode < min_mode)
                return false;
        if (max_eph_m > 0.0 && !(fix->has_eph && fix->eph_m <= max_eph_m))
                return false;
        return true;
}
