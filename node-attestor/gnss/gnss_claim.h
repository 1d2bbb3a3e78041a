/* From a gpsd fix to the location claim the agent binds into its quote. */
#pragma once

#include "common/guard.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/location_claim.h"

/* Build the claim of fix, naming the sensor by gpsd's device path, driver
 * and subtype plus serial (the operator-configured sensor serial; NULL or
 * "" when none). Sensor strings are cut to what the claim carries and
 * characters it does not allow become '?'. -EINVAL for a fix the claim
 * cannot represent (mode other than 2/3, no time). */
AE_MUST_USE int ae_gnss_claim_from_fix(const struct ae_gnss_fix *fix, const char *serial,
                                       struct ae_location_claim *ret);

/* What an agent sends for Proof of Geofencing: one fix from src (any 2D or
 * 3D fix: the verifier, not the agent, judges its quality) as the encoded
 * location claim, and its sensor's encoded identity. claim and sensor hold
 * AE_ATTEST_LOCATION_CLAIM_MAX / AE_ATTEST_LOCATION_SENSOR_MAX bytes.
 * Errors of ae_gnss_read_fix (-ETIMEDOUT without a fix) and of the
 * encoders; nothing is written then. */
AE_MUST_USE int ae_gnss_location_evidence(const struct ae_gnss_source *src, const char *serial,
                                          uint8_t *claim, size_t *ret_claim_len,
                                          uint8_t *sensor, size_t *ret_sensor_len);
