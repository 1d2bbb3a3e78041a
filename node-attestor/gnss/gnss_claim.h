/* From a gpsd fix to the location claim the agent binds into its quote. */
#pragma once

#include "common/guard.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/location_claim.h"

/* Build the claim of fix, naming the sensor by gpsd's device path, driver
 * and subtype plus serial (the operator-configured sensor serial; NULL or
 * "" when none). Sensor strings are cut to what the claim carries and
 * characters it does not allow become '?'. -EINVAL for a fix the claim
 * cannot represent (mode other than 2/3, no time). */
AE_MUST_USE int ae_gnss_claim_from_fix(const struct ae_gnss_fix *fix, const char *serial,
                                       struct ae_location_claim *ret);
