/* Proof of Geofencing end to end: a real TPM (swtpm) quotes a location
 * claim built from a real gpsd's fix (gpsfake replaying the fixture's NMEA
 * scenarios), and the verifier decides PoG, PoR with a reason, or refusal.
 * Every case asserts the exact level, zones and reason. */
#define _GNU_SOURCE /* asprintf */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/gnss/gnss_claim.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/location_claim.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/tpm/pcr_read.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/verify/node_verifier.h"
#include "policy/geo_zone.h"
#include "policy/policy.h"

#define SERIAL "lab-sensor-1"
#define BERLIN_CIRCLE "{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":5000}}"

/* The golden set: the fixture TPM's sha256 PCRs 0-7 as they are now. */
static char golden[1024];

static void read_golden(void)
{
        _cleanup_(ae_tpm_closep) struct ae_tpm *tpm = NULL;
        TPML_PCR_SELECTION sel = { 0 };
        struct ae_pcr_values vals;
        size_t used = 0;

        for (unsigned i = 0; i < 8; i++)
                ck_assert_int_eq(ae_pcr_selection_add(&sel, TPM2_ALG_SHA256, i), 0);
        ck_assert_int_eq(ae_tpm_open(ae_test_env("AE_TPM_TCTI"), &tpm), 0);
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), 0);
        for (size_t i = 0; i < vals.count; i++) {
                char hex[AE_HEX_SIZE(32)];

                ck_assert_int_eq(ae_hex_encode(vals.v[i].digest, 32, hex, sizeof(hex)), 0);
                used += (size_t)snprintf(golden + used, sizeof(golden) - used, "%s\"%u\":\"%s\"",
                                         i ? "," : "", vals.v[i].index, hex);
        }
}

/* A policy: EK chained to the fixture's CA, the golden set above, and the
 * given location section (NULL: none). */
static struct ae_policy *policy(const char *location)
{
        struct ae_policy *p = NULL;
        struct ae_policy_error err;
        char *json;

        if (!golden[0])
                read_golden();
        ck_assert_int_gt(asprintf(&json,
                                  "{\"version\":1,\"trust_domain\":\"geo.test\","
                                  "\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"%s\"},"
                                  "\"pcrs\":{\"quote\":{\"sha256\":[0,1,2,3,4,5,6,7]},"
                                  "\"golden\":{\"base\":{\"sha256\":{%s}}}}%s%s}",
                                  ae_test_env("AE_EK_CA_BUNDLE"), golden,
                                  location ? ",\"location\":" : "", location ? location : ""),
                         0);
        ck_assert_msg(ae_policy_load_json(json, strlen(json), NULL, &p, &err) == 0, "%s: %s",
                      err.path, err.message);
        free(json);
        return p;
}

/* What the agent sends about its location: built from gpsd's fix. */
struct evidence {
        int read; /* ae_gnss_read_fix's result */
        struct ae_location_claim claim;
        uint8_t bytes[AE_ATTEST_LOCATION_CLAIM_MAX], sensor[AE_ATTEST_LOCATION_SENSOR_MAX];
        size_t len, sensor_len;
};

static void evidence_from(const char *scenario, unsigned timeout_ms, struct evidence *ev)
{
        char host_var[64], port_var[64];
        struct ae_gnss_source src = { .timeout_ms = timeout_ms };
        const struct ae_gnss_quality any = { .min_mode = 2 };
        struct ae_gnss_fix fix;

        memset(ev, 0, sizeof(*ev));
        snprintf(host_var, sizeof(host_var), "AE_GPSD_%s_HOST", scenario);
        snprintf(port_var, sizeof(port_var), "AE_GPSD_%s_PORT", scenario);
        src.host = ae_test_env(host_var);
        src.port = (uint16_t)atoi(ae_test_env(port_var));
        ev->read = ae_gnss_read_fix(&src, &any, &fix);
        if (ev->read < 0)
                return;
        ck_assert_int_eq(ae_gnss_claim_from_fix(&fix, SERIAL, &ev->claim), 0);
        ck_assert_int_eq(ae_location_claim_encode(&ev->claim, ev->bytes, sizeof(ev->bytes),
                                                  &ev->len),
                         0);
        ck_assert_int_eq(ae_sensor_id_encode(&ev->claim.sensor, ev->sensor, sizeof(ev->sensor),
                                             &ev->sensor_len),
                         0);
}

/* Replace the response's location claim (after the quote was made). */
static void swap_claim(uint8_t **response, size_t *len, const uint8_t *claim, size_t claim_len)
{
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
        uint8_t *out;
        size_t out_len;

        ProtobufCBinaryData original;

        ck_assert_int_eq(ae_attest_response_decode(*response, *len, &m), 0);
        original = m->location_claim;
        m->location_claim = ae_attest_bytes(claim, claim_len);
        ck_assert_int_eq(ae_attest_pack(&m->base, &out, &out_len), 0);
        m->location_claim = original; /* freed with the message; claim is the caller's */
        free(*response);
        *response = out;
        *len = out_len;
}

struct twist {
        const uint8_t *payload_sensor; /* instead of the evidence's */
        size_t payload_sensor_len;
        const uint8_t *quoted_claim; /* what the TPM quotes instead */
        size_t quoted_claim_len;
        bool swap_after_quote; /* send the evidence's claim, not the quoted one */
};

/* One attestation of the fixture TPM with ev (NULL: no location at all). */
static enum ae_attest_reason attest(struct ae_policy *p, const struct evidence *ev,
                                    const struct twist *tw,
                                    const struct ae_node_replay_state *prev,
                                    struct ae_node_result *res)
{
        struct ae_node_agent_config cfg = { .tcti = ae_test_env("AE_TPM_TCTI"),
                                            .ek_alg = AE_TPM_EK_RSA2048,
                                            .ak_alg = AE_TPM_AK_ECC_P256 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_(ae_node_verifier_freep) struct ae_node_verifier *v = NULL;
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *pending = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *challenge = NULL, *response = NULL;
        size_t payload_len, challenge_len, response_len;
        const uint8_t *sensor = ev ? ev->sensor : NULL, *claim = ev ? ev->bytes : NULL;
        size_t sensor_len = ev ? ev->sensor_len : 0, claim_len = ev ? ev->len : 0;
        enum ae_attest_reason reason;

        if (tw && tw->payload_sensor) {
                sensor = tw->payload_sensor;
                sensor_len = tw->payload_sensor_len;
        }
        if (tw && tw->quoted_claim) {
                claim = tw->quoted_claim;
                claim_len = tw->quoted_claim_len;
        }
        ck_assert_int_eq(ae_node_verifier_new(p, &v), 0);
        ck_assert_int_eq(ae_node_agent_open(&cfg, &a), 0);
        ck_assert_int_eq(ae_node_agent_payload(a, sensor, sensor_len, &payload, &payload_len), 0);
        ck_assert_int_eq(ae_node_challenge(v, payload, payload_len, time(NULL), &challenge,
                                           &challenge_len, &pending, &reason),
                         0);
        ck_assert_int_eq(reason, AE_ATTEST_OK);
        ck_assert_int_eq(ae_node_agent_respond(a, challenge, challenge_len, claim, claim_len,
                                               &response, &response_len),
                         0);
        if (tw && tw->swap_after_quote)
                swap_claim(&response, &response_len, ev->bytes, ev->len);
        ck_assert_int_eq(ae_node_verify(v, pending, response, response_len, prev, time(NULL),
                                        res, &reason),
                         0);
        return reason;
}

static bool has_selector(const struct ae_node_result *res, const char *s)
{
        for (size_t i = 0; i < res->n_selectors; i++)
                if (strcmp(res->selectors[i], s) == 0)
                        return true;
        return false;
}

#define ck_reason(got, want)                                                                   \
        ck_assert_msg((got) == (want), "reason %s, expected %s", ae_attest_reason_id(got),       \
                      ae_attest_reason_id(want))

START_TEST(inside_is_pog)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE ",\"paris\":{\"circle\":"
                       "{\"center\":[2.3522,48.8566],\"radius_m\":5000}}}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("INSIDE", 15000, &ev);
        ck_assert_int_eq(ev.read, 0);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POG);
        ck_assert_uint_eq(res.n_zones, 1);
        ck_assert_str_eq(res.zones[0], "berlin");
        ck_assert(has_selector(&res, "level:pog"));
        ck_assert(has_selector(&res, "geo_zone:berlin"));
        ck_assert(!has_selector(&res, "geo_zone:paris"));
        /* Coordinates stay in the verifier unless the policy shares them. */
        ck_assert(!res.has_coordinates);
        ck_assert(res.state.has_fix);
        ck_assert(fabs(res.state.fix_latitude - 52.52) < 1e-6);
        /* The quoted fix's time and sensor, for the SVID's claims. */
        ck_assert(res.has_fix);
        ck_assert_int_eq(res.fix_time_ms, res.state.fix_time_ms);
        ck_assert_str_ne(res.sensor.device, "");
        ck_assert_uint_eq(res.pcr_digest_len, 32);
        ck_assert_uint_eq(res.ak_name_len, 34);
}
END_TEST

/* The real German border from ../shared/geo, holes and all (its own CTest,
 * "attest_geo border", which reports skipped without the shared data). */
static char deu[4096];

START_TEST(inside_germany_from_shared_border)
{
        char loc[4200];
        struct evidence ev;
        struct ae_node_result res;
        struct ae_policy *p;

        snprintf(loc, sizeof(loc), "{\"zones\":{\"eu-de\":{\"file\":\"%s\"}}}", deu);
        p = policy(loc);
        evidence_from("INSIDE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POG);
        ck_assert(has_selector(&res, "geo_zone:eu-de"));
        evidence_from("OUTSIDE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POR);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_OUTSIDE_ZONES);
        ae_policy_free(p);
}
END_TEST

START_TEST(outside_is_por_or_refused)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        _cleanup_(ae_policy_freep) struct ae_policy *req =
                policy("{\"required\":true,\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("OUTSIDE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POR);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_OUTSIDE_ZONES);
        ck_assert(has_selector(&res, "level:por"));
        ck_assert_uint_eq(res.n_zones, 0);
        ck_reason(attest(req, &ev, NULL, NULL, &res), AE_ATTEST_LOCATION_OUTSIDE_ZONES);
}
END_TEST

/* The jump scenario alternates two places 500 km apart every 10 s. */
START_TEST(jump_is_implausible)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence first, second;
        struct ae_node_result res, res2;
        double d = 0;

        evidence_from("JUMP", 15000, &first);
        ck_assert_int_eq(first.read, 0);
        ck_reason(attest(p, &first, NULL, NULL, &res), AE_ATTEST_OK);
        for (int i = 0; i < 40 && d < 400000; i++) {
                evidence_from("JUMP", 15000, &second);
                ck_assert_int_eq(second.read, 0);
                d = ae_geo_distance_m(first.claim.latitude, first.claim.longitude,
                                      second.claim.latitude, second.claim.longitude);
                if (d < 400000)
                        usleep(500000);
        }
        ck_assert_msg(d > 400000, "the jump scenario never moved");
        ck_reason(attest(p, &second, NULL, &res.state, &res2), AE_ATTEST_LOCATION_IMPLAUSIBLE);
        /* The same fix again from the first place is plausible (no movement). */
        ck_reason(attest(p, &first, NULL, &res.state, &res2), AE_ATTEST_OK);
}
END_TEST

START_TEST(no_fix_is_por_or_refused)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        _cleanup_(ae_policy_freep) struct ae_policy *req =
                policy("{\"required\":true,\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("NOFIX", 3000, &ev);
        ck_assert_int_eq(ev.read, -ETIMEDOUT);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POR);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_MISSING);
        ck_reason(attest(req, &ev, NULL, NULL, &res), AE_ATTEST_LOCATION_MISSING);
}
END_TEST

START_TEST(quality_thresholds)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = policy(
                "{\"min_mode\":3,\"max_accuracy_m\":50,\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("TWOD", 15000, &ev);
        ck_assert_int_eq(ev.claim.mode, 2);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_MODE);
        evidence_from("POOR", 15000, &ev);
        ck_assert(ev.claim.accuracy > 50);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_ACCURACY);
        evidence_from("STALE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POR);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_STALE);
}
END_TEST

START_TEST(sensor_allowlist)
{
        _cleanup_(ae_policy_freep) struct ae_policy *other = policy(
                "{\"sensors\":[{\"serial\":\"other\"}],\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        _cleanup_(ae_policy_freep) struct ae_policy *ours = policy(
                "{\"sensors\":[{\"serial\":\"" SERIAL "\",\"driver\":\"NMEA0183\"}],"
                "\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        _cleanup_(ae_policy_freep) struct ae_policy *wrong_driver = policy(
                "{\"sensors\":[{\"serial\":\"" SERIAL "\",\"driver\":\"u-blox\"}],"
                "\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("INSIDE", 15000, &ev);
        ck_reason(attest(other, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_SENSOR_UNKNOWN);
        ck_reason(attest(wrong_driver, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_reason(res.por_reason, AE_ATTEST_LOCATION_SENSOR_UNKNOWN);
        ck_reason(attest(ours, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POG);
}
END_TEST

START_TEST(claim_bound_to_the_quote)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence inside, outside;
        struct twist tw = { 0 };
        struct ae_node_result res;
        static const uint8_t garbage[] = "{\"v\":1,\"latitude\":\"north\"}";

        evidence_from("INSIDE", 15000, &inside);
        evidence_from("OUTSIDE", 15000, &outside);
        /* The TPM quoted Paris; the response then claims Berlin. */
        tw.quoted_claim = outside.bytes;
        tw.quoted_claim_len = outside.len;
        tw.payload_sensor = inside.sensor;
        tw.payload_sensor_len = inside.sensor_len;
        tw.swap_after_quote = true;
        ck_reason(attest(p, &inside, &tw, NULL, &res), AE_ATTEST_QUOTE_NONCE_MISMATCH);

        /* A claim the agent quoted but that is no claim. */
        memset(&tw, 0, sizeof(tw));
        tw.quoted_claim = garbage;
        tw.quoted_claim_len = sizeof(garbage) - 1;
        ck_reason(attest(p, &inside, &tw, NULL, &res), AE_ATTEST_LOCATION_MALFORMED);
}
END_TEST

START_TEST(sensor_must_match_the_payload)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p =
                policy("{\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_sensor_id other;
        uint8_t other_bytes[AE_ATTEST_LOCATION_SENSOR_MAX];
        struct twist tw = { 0 };
        struct ae_node_result res;

        evidence_from("INSIDE", 15000, &ev);
        other = ev.claim.sensor;
        strcpy(other.serial, "someone-else");
        ck_assert_int_eq(ae_sensor_id_encode(&other, other_bytes, sizeof(other_bytes),
                                             &tw.payload_sensor_len),
                         0);
        tw.payload_sensor = other_bytes;
        ck_reason(attest(p, &ev, &tw, NULL, &res), AE_ATTEST_LOCATION_SENSOR_MISMATCH);
}
END_TEST

START_TEST(coordinates_only_where_shared)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = policy(
                "{\"share_coordinates\":true,\"zones\":{\"berlin\":" BERLIN_CIRCLE "}}");
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("INSIDE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert(res.has_coordinates);
        ck_assert(fabs(res.latitude - ev.claim.latitude) < 1e-9);
        ck_assert(fabs(res.longitude - ev.claim.longitude) < 1e-9);
}
END_TEST

START_TEST(no_location_policy_is_por)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = policy(NULL);
        struct evidence ev;
        struct ae_node_result res;

        evidence_from("INSIDE", 15000, &ev);
        ck_reason(attest(p, &ev, NULL, NULL, &res), AE_ATTEST_OK);
        ck_assert_int_eq(res.level, AE_LEVEL_POR);
        ck_reason(res.por_reason, AE_ATTEST_OK);
        ck_assert(has_selector(&res, "level:por"));
        ck_assert(!res.state.has_fix);
}
END_TEST

int main(int argc, char **argv)
{
        Suite *s;
        TCase *tc;

        if (argc == 2 && strcmp(argv[1], "border") == 0) {
                if (ae_test_shared_path("geo/DEU.geojson", deu, sizeof(deu)) < 0) {
                        fprintf(stderr, "skipped: no shared geo data at %s\n", deu);
                        return AE_TEST_SKIP;
                }
                s = suite_create("attest_geo_border");
                tc = tcase_create("border");
                tcase_set_timeout(tc, 120);
                tcase_add_test(tc, inside_germany_from_shared_border);
                suite_add_tcase(s, tc);
                return ae_check_run(s);
        }
        s = suite_create("attest_geo");
        tc = tcase_create("attest_geo");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, inside_is_pog);
        tcase_add_test(tc, outside_is_por_or_refused);
        tcase_add_test(tc, jump_is_implausible);
        tcase_add_test(tc, no_fix_is_por_or_refused);
        tcase_add_test(tc, quality_thresholds);
        tcase_add_test(tc, sensor_allowlist);
        tcase_add_test(tc, claim_bound_to_the_quote);
        tcase_add_test(tc, sensor_must_match_the_payload);
        tcase_add_test(tc, coordinates_only_where_shared);
        tcase_add_test(tc, no_location_policy_is_por);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
