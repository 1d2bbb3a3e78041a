/* Real GNSS receivers (u-blox 8, u-blox NEO-M8N in UBX binary, MTK-3301,
 * SiRF-II), replayed through gpsfake from the GPSD project's recordings in
 * ../shared/gnss: what Aegis reads through gpsd must be what gpsd itself
 * printed when the recording was made (the .chk files, tools we did not
 * write), and the claim built from it must survive the verifier's checks
 * with the clock injected at the fix's time, and be refused as stale or
 * from the future at today's. Skipped (77) without the shared data. */
#define _GNU_SOURCE /* asprintf */
#include <math.h>
#include <stdint.h>
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

/* fix_time minus a recorded time, in seconds, folded into half an era
 * either side: a receiver that lost track of the epoch is off by whole
 * eras (above). INT64_MIN when the recorded time does not parse. */
static long long seconds_after(const char *recorded_time, time_t fix_time)
{
        struct tm tm = { 0 };
        long long delta;

        if (!strptime(recorded_time, "%Y-%m-%dT%H:%M:%S", &tm))
                return INT64_MIN;
        delta = (long long)fix_time - (long long)timegm(&tm);
        delta = ((delta % GPS_ERA_S) + GPS_ERA_S) % GPS_ERA_S;
        return delta > GPS_ERA_S / 2 ? delta - GPS_ERA_S : delta;
}

/* Whether fix_time matches a recorded time: the same second, or one second
 * later. gpsd merges a cycle's sentences into one report; when the replay
 * is paced slower than the recording (a loaded CI machine, a sanitizer
 * build), it may report the new cycle's time before that cycle's position
 * has arrived, so the position of second N appears with the time of second
 * N+1. */
static bool time_matches(const char *recorded_time, time_t fix_time)
{
        long long delta = seconds_after(recorded_time, fix_time);

        return delta == 0 || delta == 1;
}

enum in_recording {
        IN_RECORDING,
        NOT_IN_RECORDING,
        /* Earlier than gpsd's first recorded report. gpsd's regression run
         * reports nothing for a capture's first cycle, which live gpsd does
         * report: the M8N's first UBX NAV-PVT (08:50:00.8) has no TPV in the
         * .chk, whose first is 08:50:01. Such a fix cannot be checked
         * against the recording, so the test reads the next one. */
        BEFORE_RECORDING,
};

/* Where the fix stands against gpsd's recorded output: a TPV with this
 * position and (where it recorded one) a matching time, or none. Nothing
 * else is tolerated. */
static enum in_recording recorded(const char *chk, const struct ae_gnss_fix *fix)
{
        _cleanup_free_ uint8_t *text = NULL;
        size_t len;
        enum in_recording where = NOT_IN_RECORDING;
        bool first = true;

        ck_assert_int_eq(ae_file_read(chk, 16u << 20, &text, &len), 0);
        for (char *line = strtok((char *)text, "\n"); line && where != IN_RECORDING;
             line = strtok(NULL, "\n")) {
                json_t *j;
                const char *t;

                if (line[0] != '{' || !strstr(line, "\"class\":\"TPV\""))
                        continue;
                j = json_loads(line, 0, NULL);
                t = json_string_value(json_object_get(j, "time"));
                if (first && t && seconds_after(t, fix->time.tv_sec) < 0)
                        where = BEFORE_RECORDING;
                if (t)
                        first = false;
                /* gpsd's regression output leaves the time out where the
                 * receiver's date cannot be trusted: then the position
                 * alone must match. */
                if ((!t || time_matches(t, fix->time.tv_sec)) &&
                    json_is_number(json_object_get(j, "lat")) &&
                    fabs(json_number_value(json_object_get(j, "lat")) - fix->latitude_deg) < 1e-6 &&
                    fabs(json_number_value(json_object_get(j, "lon")) - fix->longitude_deg) < 1e-6)
                        where = IN_RECORDING;
                json_decref(j);
        }
        return where;
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
        if (recorded(var("AE_GPSD_CHECK_", name, ""), &fix) == BEFORE_RECORDING) {
                fprintf(stderr, "%s: fix at %lld precedes gpsd's recorded output, reading the next\n",
                        name, (long long)fix.time.tv_sec);
                ck_assert_int_eq(ae_gnss_read_fix(&src, &any, &fix), 0);
        }
        ck_assert_msg(recorded(var("AE_GPSD_CHECK_", name, ""), &fix) == IN_RECORDING,
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

/* The comparison with gpsd's recorded output tolerates only what it says.
 * The M8N's first cycle, which CI once read (position and time as its UBX
 * NAV-PVT holds them), precedes the recording. A recorded position at its
 * time, or at that time a GPS era (1024 weeks) earlier, is in it; that
 * position an hour later, or 1.1 m off at its time, is not. */
START_TEST(recording_check)
{
        const char *chk = var("AE_GPSD_CHECK_", "M8N", "");
        struct ae_gnss_fix fix = { .latitude_deg = -34.9062263,
                                   .longitude_deg = 138.6081197,
                                   .time = { .tv_sec = 1500454200 } };

        if (!chk) {
                fprintf(stderr, "M8N: recording not in the shared data, not checked\n");
                return;
        }
        ck_assert_int_eq(recorded(chk, &fix), BEFORE_RECORDING);
        /* 2017-07-19T08:50:01Z as recorded: -34.906226600, 138.608119900. */
        fix.latitude_deg = -34.9062266;
        fix.longitude_deg = 138.6081199;
        fix.time.tv_sec = 1500454201;
        ck_assert_int_eq(recorded(chk, &fix), IN_RECORDING);
        fix.time.tv_sec -= GPS_ERA_S;
        ck_assert_int_eq(recorded(chk, &fix), IN_RECORDING);
        fix.time.tv_sec += GPS_ERA_S + 3600;
        ck_assert_int_eq(recorded(chk, &fix), NOT_IN_RECORDING);
        fix.time.tv_sec -= 3600;
        fix.latitude_deg += 1e-5;
        ck_assert_int_eq(recorded(chk, &fix), NOT_IN_RECORDING);
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
        tcase_add_test(tc, recording_check);
        tcase_add_loop_test(tc, receiver, 0, (int)N_RECEIVERS);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
