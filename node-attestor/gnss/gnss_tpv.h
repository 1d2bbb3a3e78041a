/* Internal to aegis_gnss: turning gpsd's TPV report into a struct
 * ae_gnss_fix, believing only sane values, and judging it against the
 * requested quality. */
#pragma once

#include <stdbool.h>

#include "common/guard.h"

struct json_t;
struct ae_gnss_fix;

/* Fill *ret_fix from a TPV object (as ae_gnss_line_parse returned it).
 * Identity fields other than the device path are left empty and
 * satellites_used -1: the caller adds them from other reports. Returns 0 for
 * a fix; -EAGAIN when gpsd reports no fix (mode absent, 0 or 1); -EBADMSG
 * when the report claims a fix but fails a check: mode not an integer or
 * above 3, time missing or not gpsd's UTC form, latitude/longitude missing,
 * not numbers or out of range, no device path. Implausible altitudes and
 * error estimates (wrong type, negative, out of range) are dropped (flag
 * false, NAN), and a "3D" fix left without any altitude counts as 2D. */
AE_MUST_USE int ae_gnss_tpv_to_fix(const struct json_t *tpv, struct ae_gnss_fix *ret_fix);

/* Whether fix is at least min_mode (2 or 3) and, when max_eph_m > 0, reports
 * an eph no larger than max_eph_m. */
bool ae_gnss_fix_meets(const struct ae_gnss_fix *fix, int min_mode, double max_eph_m);
