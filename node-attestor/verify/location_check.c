#include "node-attestor/verify/location_check.h"

#include <math.h>
#include <string.h>

#include "policy/geo_zone.h"
#include "policy/policy.h"

const char *ae_attest_level_name(enum ae_attest_level level)
{
        return level == AE_LEVEL_POG ? "pog" : "por";
}

/* The fix's own qualities, in the order an operator would fix them. */
static enum ae_attest_reason fix_quality(const struct ae_policy_location *loc,
                                         const struct ae_location_claim *c, time_t now)
{
        int64_t now_ms = (int64_t)now * 1000;

        if (c->timestamp_ms < now_ms - (int64_t)loc->max_age_s * 1000)
                return AE_ATTEST_LOCATION_STALE;
        if (c->timestamp_ms > now_ms + (int64_t)loc->max_future_s * 1000)
                return AE_ATTEST_LOCATION_IN_FUTURE;
        if (c->mode < loc->min_mode)
                return AE_ATTEST_LOCATION_MODE;
        if (loc->max_accuracy_m > 0 && (!c->has_accuracy || c->accuracy > loc->max_accuracy_m))
                return AE_ATTEST_LOCATION_ACCURACY;
        return AE_ATTEST_OK;
}

/* A node cannot move faster than max_speed_mps between two usable fixes.
 * Less than a second apart counts as a second: gpsd fixes are 1 Hz, and a
 * repeated fix of a stationary node must pass. */
static bool plausible(const struct ae_policy_location *loc,
                      const struct ae_node_replay_state *prev,
                      const struct ae_location_claim *c)
{
        double d, dt;

        if (!prev || !prev->has_fix)
                return true;
        d = ae_geo_distance_m(prev->fix_latitude, prev->fix_longitude, c->latitude,
                              c->longitude);
        dt = (double)(c->timestamp_ms - prev->fix_time_ms) / 1000.0;
        if (dt < 1.0)
                dt = 1.0;
        return d / dt <= loc->max_speed_mps;
}

int ae_location_check(const struct ae_policy *policy, const uint8_t *sensor, size_t sensor_len,
                      const uint8_t *claim, size_t claim_len, time_t now,
                      const struct ae_node_replay_state *prev, struct ae_node_replay_state *next,
                      struct ae_location_outcome *ret, enum ae_attest_reason *ret_reason)
{
        const struct ae_policy_location *loc = &policy->location;
        struct ae_location_outcome out;
        struct ae_sensor_id payload_sensor;
        enum ae_attest_reason por = AE_ATTEST_OK;

        ENSURE(policy && next && ret && ret_reason, -EINVAL);
        memset(&out, 0, sizeof(out));
        out.level = AE_LEVEL_POR;
        if (!loc->present) {
                out.por_reason = AE_ATTEST_OK;
                *ret = out;
                *ret_reason = AE_ATTEST_OK;
                return 0;
        }

#define REFUSE(reason)                                                         \
        do {                                                                   \
                *ret_reason = (reason);                                        \
                return 0;                                                      \
        } while (0)

        if (claim_len == 0) {
                por = AE_ATTEST_LOCATION_MISSING;
        } else {
                if (ae_location_claim_decode(claim, claim_len, &out.claim) < 0)
                        REFUSE(AE_ATTEST_LOCATION_MALFORMED);
                if (sensor_len > 0) {
                        if (ae_sensor_id_decode(sensor, sensor_len, &payload_sensor) < 0)
                                REFUSE(AE_ATTEST_LOCATION_MALFORMED);
                        if (!ae_sensor_id_equal(&payload_sensor, &out.claim.sensor))
                                REFUSE(AE_ATTEST_LOCATION_SENSOR_MISMATCH);
                }
                if (!ae_policy_sensor_allowed(policy, out.claim.sensor.serial,
                                              out.claim.sensor.driver))
                        por = AE_ATTEST_LOCATION_SENSOR_UNKNOWN;
                else
                        por = fix_quality(loc, &out.claim, now);
        }

        if (por == AE_ATTEST_OK) {
                if (!plausible(loc, prev, &out.claim))
                        REFUSE(AE_ATTEST_LOCATION_IMPLAUSIBLE);
                out.has_fix = true;
                for (size_t i = 0; i < loc->n_zones; i++)
                        if (ae_geo_zone_contains(loc->zones[i].zone, out.claim.latitude,
                                                 out.claim.longitude)) {
                                /* More matches than a result can list: the
                                 * first ones are named, the node is still in. */
                                if (out.n_zones < AE_LOCATION_ZONES_MAX)
                                        out.zones[out.n_zones++] = loc->zones[i].name;
                        }
                if (out.n_zones == 0)
                        por = AE_ATTEST_LOCATION_OUTSIDE_ZONES;
        }
        if (por != AE_ATTEST_OK && loc->required)
                REFUSE(por);
#undef REFUSE

        out.level = por == AE_ATTEST_OK ? AE_LEVEL_POG : AE_LEVEL_POR;
        out.por_reason = por;
        /* A usable fix is remembered even outside every zone: where the node
         * really is matters for the next plausibility check. */
        if (out.has_fix) {
                next->has_fix = true;
                next->fix_latitude = out.claim.latitude;
                next->fix_longitude = out.claim.longitude;
                next->fix_time_ms = out.claim.timestamp_ms;
        }
        *ret = out;
        *ret_reason = AE_ATTEST_OK;
        return 0;
}
