/* Internal to aegis_gnss: the fix time gpsd writes in its reports. */
#pragma once

#include <time.h>

#include "common/guard.h"

/* Parse gpsd's UTC time, "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (RFC 3339, UTC
 * only, 1 to 9 fraction digits), e.g. "2026-11-21T05:41:09.000Z". Years
 * before the GPS epoch (1980) or after 9999, impossible dates (February 30)
 * and leap-second labels (:60) are rejected. Returns 0 or -EINVAL. */
AE_MUST_USE int ae_gnss_parse_time(const char *s, struct timespec *ret_time);
