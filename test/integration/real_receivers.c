/* Real GNSS receivers (u-blox 8, u-blox NEO-M8N in UBX binary, MTK-3301,
 * SiRF-II), replayed through gpsfake from the GPSD project's recordings in
 * ../shared/gnss: what Aegis reads through gpsd must be what gpsd itself
 * printed when the recording was made (the .chk files, tools we did not
 * write), and the claim built from it must survive the verifier's checks
 * with the clock injected at the fix's time, and be refused as stale or
 * from the future at today's. Skipped (77) without the shared data. */
#define _GNU_SOURCE /* asprintf */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "check_util.h"
#include "common/cleanup.h"
#include "common/file.h"
#include "node-attestor/gnss/gnss_claim.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/location_claim.h"
#include "node-attestor/verify/location_check.h"
#include "policy/policy.h"

static const char *const receivers[] = { "UBLOX8", "M8N", "MTK", "SIRF" };
#define N_RECEIVERS (sizeof(receivers) / sizeof(receivers[0]))

/* The fixture's variable <prefix><name><suffix>, or NULL. */
static const char *var(const char *prefix, const char *name, const char *suffix)
{
        char buf[128];

        snprintf(buf, sizeof(buf), "%s%s%s", prefix, name, suffix);
        return getenv(buf);
}

/* GPS counts weeks in 10 bits: a receiver that lost track of the epoch is
 * off by whole 1024-week eras, and gpsd's live correction of that (unlike
 * its regression output) depends on the date it runs. */
#define GPS_ERA_S (1024LL * 7 * 86400)

/* Whether fix_time matches a recorded time: the same second, or one second
 * later. gpsd merges a cycle's sentences into one report; when the replay
 * is paced slower than the recording (a loaded CI machine, a sanitizer
 * build), it may report the new cycle's time before that cycle's position
 * has arrived, so the position of second N appears with the time of second
 * N+1. Either may be off by whole GPS eras (above). */
static bool time_matches(const char *recorded_time, time_t fix_time)
{
        struct tm tm = { 0 };
        long long delta;

        if (!strptime(recorded_time, "%Y-%m-%dT%H:%M:%S", &tm))
                return false;
        delta = (long long)fix_time - (long long)timegm(&tm);
        delta = ((delta % GPS_ERA_S) + GPS_ERA_S) % GPS_ERA_S;
        return delta == 0 || delta == 1;
}

/* Whether gpsd's recorded output has a TPV with this position and (where it
 * recorded one) a matching time. Nothing else is tolerated. */
static bool recorded(const char *chk, const struct ae_gnss_fix *fix)
{
        _cleanup_free_ uint8_t *text = NULL;
        size_t len;
        bool found = false;

        ck_assert_int_eq(ae_file_read(chk, 16u << 20, &text, &len), 0);
        for (char *line = strtok((char *)text, "\n"); line && !found; line = strtok(NULL, "\n")) {
                json_t *j;
                const char *t;

                if (line[0] != '{' || !strstr(line, "\"class\":\"TPV\""))
                        continue;
                j = json_loads(line, 0, NULL);
                t = json_string_value(json_object_get(j, "time"));
                /* gpsd's regression output leaves the time out where the
                 * receiver's date cannot be trusted: then the position
                 * alone must match. */
                if ((!t || time_matches(t, fix->time.tv_sec)) &&
                    json_is_number(json_object_get(j, "lat")) &&
                    fabs(json_number_value(json_object_get(j, "lat")) - fix->latitude_deg) < 1e-6 &&
                    fabs(json_number_value(json_object_get(j, "lon")) - fix->longitude_deg) < 1e-6)
                        found = true;
                json_decref(j);
        }
        return found;
}

static struct ae_policy *policy_around(double lat, double lon)
{
        struct ae_policy *p = NULL;
        struct ae_policy_error err;
        char *json;

        ck_assert_int_gt(asprintf(&json,
                                  "{\"version\":1,\"trust_domain\":\"td\","
                                  "\"ek\":{\"trust\":\"allowlist\",\"allowlist\":[\"%064d\"]},"
                                  "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":"
                                  "{\"sha256\":{\"0\":\"%064d\"}}}},"
                                  "\"location\":{\"min_mode\":2,\"zones\":{\"here\":{\"circle\":"
                                  "{\"center\":[%.7f,%.7f],\"radius_m\":1000}}}}}",
                                  0, 0, lon, lat),
                         0);
        ck_assert_msg(ae_policy_load_json(json, strlen(json), NULL, &p, &err) == 0, "%s: %s",
                      err.path, err.message);
        free(json);
        return p;
}

START_TEST(receiver)
{
        const char *name = receivers[_i], *host = var("AE_GPSD_", name, "_HOST");
        struct ae_gnss_source src = { .timeout_ms = 20000 };
        const struct ae_gnss_quality any = { .min_mode = 2 };
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_location_claim claim, back;
        struct ae_location_outcome out;
        struct ae_node_replay_state next = { 0 };
        uint8_t bytes[AE_ATTEST_LOCATION_CLAIM_MAX], sensor[AE_ATTEST_LOCATION_SENSOR_MAX];
        size_t len, sensor_len;
        enum ae_attest_reason reason;
        struct ae_gnss_fix fix;
        time_t fix_time, now = time(NULL);

        if (!host) {
                fprintf(stderr, "%s: recording not in the shared data, not checked\n", name);
                return;
        }
        src.host = host;
        src.port = (uint16_t)atoi(var("AE_GPSD_", name, "_PORT"));
        ck_assert_int_eq(ae_gnss_read_fix(&src, &any, &fix), 0);
        ck_assert_msg(recorded(var("AE_GPSD_CHECK_", name, ""), &fix),
                      "%s: fix %.7f %.7f at %lld is not in gpsd's recorded output", name,
                      fix.latitude_deg, fix.longitude_deg, (long long)fix.time.tv_sec);
        ck_assert_str_ne(fix.driver, "");

        ck_assert_int_eq(ae_gnss_claim_from_fix(&fix, "capture", &claim), 0);
        ck_assert_int_eq(ae_location_claim_encode(&claim, bytes, sizeof(bytes), &len), 0);
        ck_assert_int_eq(ae_location_claim_decode(bytes, len, &back), 0);
        ck_assert(fabs(back.latitude - fix.latitude_deg) < 1e-7);
        ck_assert_int_eq(ae_sensor_id_encode(&claim.sensor, sensor, sizeof(sensor), &sensor_len),
                         0);

        /* At the fix's own time it is PoG in a zone around it... */
        p = policy_around(fix.latitude_deg, fix.longitude_deg);
        fix_time = fix.time.tv_sec;
        ck_assert_int_eq(ae_location_check(p, sensor, sensor_len, bytes, len, fix_time + 1, NULL,
                                           &next, &out, &reason),
                         0);
        ck_assert_int_eq(reason, AE_ATTEST_OK);
        ck_assert_int_eq(out.level, AE_LEVEL_POG);
        ck_assert(next.has_fix);
        /* ... and today the recording is too old (or, for a receiver whose
         * week number rolled over, from the future). */
        ck_assert_int_eq(ae_location_check(p, sensor, sensor_len, bytes, len, now, NULL, &next,
                                           &out, &reason),
                         0);
        ck_assert_int_eq(out.level, AE_LEVEL_POR);
        ck_assert_int_eq(out.por_reason, fix_time > now ? AE_ATTEST_LOCATION_IN_FUTURE
                                                        : AE_ATTEST_LOCATION_STALE);
}
END_TEST

int main(void)
{
        Suite *s;
        TCase *tc;
        bool any = false;

        for (size_t i = 0; i < N_RECEIVERS; i++)
                if (var("AE_GPSD_", receivers[i], "_HOST"))
                        any = true;
        if (!any) {
                fprintf(stderr, "skipped: no real receiver recordings (../shared/gnss)\n");
                return AE_TEST_SKIP;
        }
        s = suite_create("real_receivers");
        tc = tcase_create("real_receivers");
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, receiver, 0, (int)N_RECEIVERS);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
