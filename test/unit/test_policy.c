#include "policy/policy.h"

#include "policy/geo_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"

#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
#define F64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define ID1 "806b096caad5c3207f8c28afb91d91e16ead7bad3799fcb316a139fccc628985"
#define ID2 "C8E126E46222606A9FD0EACA7617B9EDCA048DAF3EF44E110456CDD0890EADA9"

static const char good[] =
        "{\"version\":1,\"trust_domain\":\"example.org\","
        "\"ek\":{\"trust\":\"ca_or_allowlist\",\"ca_bundle\":\"ek-ca.pem\","
        "\"allowlist\":[\"" ID1 "\",\"" ID2 "\"]},"
        "\"pcrs\":{\"quote\":{\"sha256\":[0,1,2,3,7],\"sha1\":[0]},"
        "\"golden\":{\"baseline\":{\"sha256\":{\"0\":\"" Z64 "\",\"7\":\"" F64 "\"}},"
        "\"other\":{\"sha1\":{\"0\":\"0000000000000000000000000000000000000000\"}}}}}";

START_TEST(loads_a_good_policy)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_policy_error err = { "", "" };
        uint8_t id[32];
        const struct ae_pcr_value *v;

        ck_assert_int_eq(ae_policy_load_json(good, strlen(good), "/etc/aegis", &p, &err), 0);
        ck_assert_str_eq(p->trust_domain, "example.org");
        ck_assert_int_eq(p->ek.mode, AE_EK_TRUST_CA_OR_ALLOWLIST);
        ck_assert_str_eq(p->ek.ca_bundle, "/etc/aegis/ek-ca.pem");
        ck_assert_uint_eq(p->ek.n_allowlist, 2);
        memset(id, 0, sizeof(id));
        ck_assert(!ae_policy_ek_allowed(p, id));
        memcpy(id, "\xc8\xe1\x26\xe4\x62\x22\x60\x6a\x9f\xd0\xea\xca\x76\x17\xb9\xed"
                   "\xca\x04\x8d\xaf\x3e\xf4\x4e\x11\x04\x56\xcd\xd0\x89\x0e\xad\xa9", 32);
        ck_assert(ae_policy_ek_allowed(p, id)); /* upper-case hex accepted */
        ck_assert_uint_eq(ae_pcr_selection_count(&p->quote_pcrs), 6);
        ck_assert(ae_pcr_selection_has(&p->quote_pcrs, TPM2_ALG_SHA256, 7));
        ck_assert(!ae_pcr_selection_has(&p->quote_pcrs, TPM2_ALG_SHA256, 4));
        ck_assert_uint_eq(p->n_golden, 2);
        ck_assert_str_eq(p->golden[0].name, "baseline");
        ck_assert_uint_eq(p->golden[0].values.count, 2);
        v = ae_pcr_values_find(&p->golden[0].values, TPM2_ALG_SHA256, 7);
        ck_assert_ptr_nonnull(v);
        ck_assert_uint_eq(v->digest[0], 0xff);
}
END_TEST

START_TEST(absolute_bundle_and_modes)
{
        static const char doc[] =
                "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\","
                "\"ca_bundle\":\"/abs/ca.pem\"},\"pcrs\":{\"quote\":{\"sha256\":[0]},"
                "\"golden\":{\"g\":{\"sha256\":{\"0\":\"" Z64 "\"}}}}}";
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;

        ck_assert_int_eq(ae_policy_load_json(doc, strlen(doc), "/ignored", &p, NULL), 0);
        ck_assert_str_eq(p->ek.ca_bundle, "/abs/ca.pem");
        ck_assert_int_eq(p->ek.mode, AE_EK_TRUST_CA);
        ck_assert_uint_eq(p->ek.n_allowlist, 0);
        ck_assert_str_eq(ae_ek_trust_mode_name(AE_EK_TRUST_CA_AND_ALLOWLIST), "ca_and_allowlist");
}
END_TEST

/* One broken document per case: the error must name the exact JSON path and
 * say what is wrong, and no policy comes out. */
static const struct {
        const char *doc, *path, *message;
        int code;
} bad[] = {
        { "{", "$", "malformed JSON", -EBADMSG },
        { "[]", "$", "expected an object", -EINVAL },
        { "{\"version\":1,\"version\":1}", "$", "malformed JSON", -EBADMSG },
        { "{\"version\":2,\"trust_domain\":\"td\",\"ek\":{},\"pcrs\":{}}", "$.version",
          "unsupported version 2", -EINVAL },
        { "{\"version\":\"1\"}", "$.version", "expected an integer, found a string", -EINVAL },
        { "{\"version\":1}", "$.trust_domain", "required", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"Example.org\"}", "$.trust_domain",
          "not a SPIFFE trust domain", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"extra\":1}", "$.extra", "unknown key",
          -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\"}", "$.ek", "required", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"maybe\"}}", "$.ek.trust",
          "expected \"ca\"", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\"}}", "$.ek.ca_bundle",
          "required", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"allowlist\"}}",
          "$.ek.allowlist", "required", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"allowlist\","
          "\"allowlist\":[]}}",
          "$.ek.allowlist", "empty, but trust \"allowlist\" needs entries", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"allowlist\","
          "\"allowlist\":[\"" ID1 "\",\"abc\"]}}",
          "$.ek.allowlist[1]", "expected 64 hex digits", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"allowlist\","
          "\"allowlist\":[\"" ID1 "\",\"" ID1 "\"]}}",
          "$.ek.allowlist", "duplicate entry", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"\"}}",
          "$.ek.ca_bundle", "empty file name", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\","
          "\"cabundle\":\"y\"}}",
          "$.ek.cabundle", "unknown key", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{},\"golden\":{}}}",
          "$.pcrs.quote", "no PCRs to quote", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"md5\":[0]},\"golden\":{}}}",
          "$.pcrs.quote.md5", "unknown PCR bank", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0,24]},\"golden\":{}}}",
          "$.pcrs.quote.sha256[1]", "expected a PCR index 0..23", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[3,3]},\"golden\":{}}}",
          "$.pcrs.quote.sha256[1]", "PCR 3 listed twice", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{}}}",
          "$.pcrs.golden", "at least one golden set is required", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"a b\":{}}}}",
          "$.pcrs.golden[\"a b\"]", "golden set names", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{\"sha256\":{\"07\":\"" Z64
          "\"}}}}}",
          "$.pcrs.golden.g.sha256.07", "expected a PCR index", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{\"sha256\":{\"7\":\"" Z64
          "\"}}}}}",
          "$.pcrs.golden.g.sha256.7", "PCR 7 of sha256 is not in $.pcrs.quote", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{\"sha256\":{\"0\":\"00\"}}}}}",
          "$.pcrs.golden.g.sha256.0", "expected 64 hex digits", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{}}}}",
          "$.pcrs.golden.g", "at least one PCR", -EINVAL },
        { "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"},"
          "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{\"sha256\":{\"0\":\"" Z64
          "\"}}},\"more\":{}}}",
          "$.pcrs.more", "unknown key", -EINVAL },
};

START_TEST(rejections_name_the_path)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_policy_error err;
        const char *doc = bad[_i].doc;

        memset(&err, 0, sizeof(err));
        ck_assert_int_eq(ae_policy_load_json(doc, strlen(doc), NULL, &p, &err), bad[_i].code);
        ck_assert_ptr_null(p);
        ck_assert_msg(strcmp(err.path, bad[_i].path) == 0, "case %d: path %s, want %s", _i,
                      err.path, bad[_i].path);
        ck_assert_msg(strstr(err.message, bad[_i].message), "case %d: message '%s' lacks '%s'",
                      _i, err.message, bad[_i].message);
}
END_TEST

#define BASE                                                                             \
        "{\"version\":1,\"trust_domain\":\"td\",\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"x\"}," \
        "\"pcrs\":{\"quote\":{\"sha256\":[0]},\"golden\":{\"g\":{\"sha256\":{\"0\":\"" Z64   \
        "\"}}}},\"location\":"
#define CIRCLE "{\"circle\":{\"center\":[13.405,52.52],\"radius_m\":5000}}"
#define SQUARE                                                                           \
        "{\"type\":\"Polygon\",\"coordinates\":[[[13,52],[14,52],[14,53],[13,53],[13,52]]]}"

START_TEST(location_section)
{
        static const char doc[] = BASE "{\"required\":true,\"max_age_s\":30,\"min_mode\":2,"
                                       "\"max_accuracy_m\":25.5,\"max_speed_mps\":90,"
                                       "\"share_coordinates\":true,"
                                       "\"sensors\":[{\"serial\":\"F9P-1\",\"driver\":\"u-blox\"},"
                                       "{\"serial\":\"any-driver\"}],"
                                       "\"zones\":{\"berlin\":" CIRCLE ",\"square\":" SQUARE "}}}";
        static const char no_location[] = BASE "{\"zones\":{\"z\":" CIRCLE "}}}";
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL, *q = NULL;
        struct ae_policy_error err = { "", "" };

        ck_assert_msg(ae_policy_load_json(doc, strlen(doc), NULL, &p, &err) == 0, "%s: %s",
                      err.path, err.message);
        ck_assert(p->location.present && p->location.required && p->location.share_coordinates);
        ck_assert_uint_eq(p->location.max_age_s, 30);
        ck_assert_uint_eq(p->location.max_future_s, 5); /* default */
        ck_assert_int_eq(p->location.min_mode, 2);
        ck_assert(p->location.max_accuracy_m == 25.5 && p->location.max_speed_mps == 90);
        ck_assert_uint_eq(p->location.n_zones, 2);
        ck_assert_str_eq(p->location.zones[1].name, "square");
        ck_assert(ae_geo_zone_contains(p->location.zones[0].zone, 52.52, 13.405));
        ck_assert(ae_geo_zone_contains(p->location.zones[1].zone, 52.5, 13.5));
        ck_assert(!ae_geo_zone_contains(p->location.zones[1].zone, 48.85, 2.35));
        ck_assert(ae_policy_sensor_allowed(p, "F9P-1", "u-blox"));
        ck_assert(!ae_policy_sensor_allowed(p, "F9P-1", "NMEA0183"));
        ck_assert(ae_policy_sensor_allowed(p, "any-driver", "NMEA0183"));
        ck_assert(!ae_policy_sensor_allowed(p, "F9P-2", "u-blox"));

        ck_assert_int_eq(ae_policy_load_json(no_location, strlen(no_location), NULL, &q, &err), 0);
        ck_assert(!q->location.required && q->location.min_mode == 3 &&
                  q->location.max_age_s == 60 && q->location.max_accuracy_m == 0);
        ck_assert(ae_policy_sensor_allowed(q, "whatever", "")); /* no allowlist: any */
}
END_TEST

static const struct {
        const char *location, *path, *message;
} bad_location[] = {
        { "{}", "$.location.zones", "required" },
        { "{\"zones\":{}}", "$.location.zones", "at least one zone is required" },
        { "{\"zones\":{\"a b\":" CIRCLE "}}", "$.location.zones[\"a b\"]", "zone names" },
        { "{\"max_age_s\":0,\"zones\":{\"z\":" CIRCLE "}}", "$.location.max_age_s",
          "expected 1..86400" },
        { "{\"min_mode\":4,\"zones\":{\"z\":" CIRCLE "}}", "$.location.min_mode",
          "expected 2..3" },
        { "{\"max_speed_mps\":\"fast\",\"zones\":{\"z\":" CIRCLE "}}",
          "$.location.max_speed_mps", "expected a number" },
        { "{\"required\":1,\"zones\":{\"z\":" CIRCLE "}}", "$.location.required",
          "expected a boolean" },
        { "{\"sensors\":[],\"zones\":{\"z\":" CIRCLE "}}", "$.location.sensors",
          "empty: leave \"sensors\" out" },
        { "{\"sensors\":[{\"driver\":\"x\"}],\"zones\":{\"z\":" CIRCLE "}}",
          "$.location.sensors[0].serial", "required" },
        { "{\"sensors\":[{\"serial\":\"s\",\"model\":\"x\"}],\"zones\":{\"z\":" CIRCLE "}}",
          "$.location.sensors[0].model", "unknown key" },
        { "{\"radius\":1,\"zones\":{\"z\":" CIRCLE "}}", "$.location.radius", "unknown key" },
        { "{\"zones\":{\"z\":{\"file\":\"/nonexistent/zone.geojson\"}}}", "$.location.zones.z.file",
          "cannot read /nonexistent/zone.geojson" },
        { "{\"zones\":{\"z\":{\"file\":\"a\",\"circle\":1}}}", "$.location.zones.z.circle",
          "unknown key" },
        /* The geometry's own errors keep their place in the document. */
        { "{\"zones\":{\"z\":{\"circle\":{\"center\":[13.4,52.5],\"radius_m\":-1}}}}",
          "$.location.zones.z.circle.radius_m", "" },
        { "{\"zones\":{\"z\":{\"type\":\"Polygon\",\"coordinates\":[[[13,52],[14,52],[13,52]]]}}}",
          "$.location.zones.z.coordinates[0]", "" },
};

START_TEST(location_rejections)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_policy_error err;
        char doc[2048];

        snprintf(doc, sizeof(doc), BASE "%s}", bad_location[_i].location);
        memset(&err, 0, sizeof(err));
        ck_assert_int_eq(ae_policy_load_json(doc, strlen(doc), NULL, &p, &err), -EINVAL);
        ck_assert_ptr_null(p);
        ck_assert_msg(strcmp(err.path, bad_location[_i].path) == 0, "case %d: path %s, want %s",
                      _i, err.path, bad_location[_i].path);
        ck_assert_msg(strstr(err.message, bad_location[_i].message) && err.message[0],
                      "case %d: message '%s' lacks '%s'", _i, err.message,
                      bad_location[_i].message);
}
END_TEST

START_TEST(file_loading)
{
        char dir[] = "/tmp/aegis-policy-XXXXXX", path[256];
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_policy_error err;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/policy.json", dir);
        f = fopen(path, "w");
        fputs(good, f);
        fclose(f);
        ck_assert_int_eq(ae_policy_load_file(path, &p, &err), 0);
        /* Relative names resolve against the policy file's directory. */
        ck_assert_str_eq(p->ek.ca_bundle + strlen(dir), "/ek-ca.pem");
        unlink(path);
        rmdir(dir);
        ck_assert_int_eq(ae_policy_load_file(path, &p, &err), -ENOENT);
        ck_assert_str_eq(err.path, "$");
        ck_assert_ptr_nonnull(strstr(err.message, "cannot read"));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("policy");
        TCase *tc = tcase_create("policy");

        tcase_add_test(tc, loads_a_good_policy);
        tcase_add_test(tc, absolute_bundle_and_modes);
        tcase_add_loop_test(tc, rejections_name_the_path, 0, (int)(sizeof(bad) / sizeof(bad[0])));
        tcase_add_test(tc, location_section);
        tcase_add_loop_test(tc, location_rejections, 0,
                            (int)(sizeof(bad_location) / sizeof(bad_location[0])));
        tcase_add_test(tc, file_loading);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
