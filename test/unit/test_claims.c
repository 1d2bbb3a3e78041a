/* The attestation-claims JSON and its X.509 extension (svid-issuer/claims.h):
 * the exact bytes written, the round trip, every reason the claims code
 * gives, both extension forms, and certificates with the extension absent,
 * present and repeated. */
#include "svid-issuer/claims.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "check_util.h"
#include "common/ossl.h"
#include "common/spiffe_id.h"

#define CODE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define EK_HASH "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
#define AK_NAME "000b" "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
#define PCR_DIGEST "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"
#define POLICY_DIGEST "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13"

/* The sample's JSON, exactly as claims.h documents the writer. */
static const char sample_json[] =
        "{\"v\":1,\"level\":\"pog\","
        "\"grc.workload\":{\"workload_id\":\"spiffe://example.org/ns/prod/web\","
        "\"code_hash\":\"" CODE_HASH "\"},"
        "\"grc.tpm-attestation\":{\"ek_hash\":\"" EK_HASH "\",\"ak_name\":\"" AK_NAME "\","
        "\"pcr_policy\":\"base\",\"pcr_digest\":\"" PCR_DIGEST "\",\"attested_at\":1795238298},"
        "\"grc.geolocation\":{\"tpm-attested-location\":true,\"zones\":[\"eu-de\",\"de-be\"],"
        "\"policy_digest\":\"" POLICY_DIGEST "\",\"sensor_id\":\"F9P-0042\","
        "\"fix_time\":1795238290,\"gnss\":{\"retrieved_location\":{\"latitude\":52.5200000,"
        "\"longitude\":13.4050000,\"accuracy\":17.10}}}}";

static void sample(struct ae_claims *c)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POG;
        strcpy(c->workload.workload_id, "spiffe://example.org/ns/prod/web");
        strcpy(c->workload.code_hash, CODE_HASH);
        c->tpm.present = true;
        strcpy(c->tpm.ek_hash, EK_HASH);
        strcpy(c->tpm.ak_name, AK_NAME);
        strcpy(c->tpm.pcr_policy, "base");
        strcpy(c->tpm.pcr_digest, PCR_DIGEST);
        c->tpm.attested_at = 1795238298;
        c->geo.present = true;
        c->geo.n_zones = 2;
        strcpy(c->geo.zones[0], "eu-de");
        strcpy(c->geo.zones[1], "de-be");
        strcpy(c->geo.policy_digest, POLICY_DIGEST);
        strcpy(c->geo.sensor_id, "F9P-0042");
        c->geo.fix_time = 1795238290;
        c->geo.has_coordinates = true;
        c->geo.latitude = 52.52;
        c->geo.longitude = 13.405;
        c->geo.accuracy = 17.1;
}

/* PoR: the TPM identity, no zone, no geolocation object. */
static void sample_por(struct ae_claims *c)
{
        sample(c);
        c->level = AE_CLAIMS_POR;
        memset(&c->geo, 0, sizeof(c->geo));
}

static void assert_claims_eq(const struct ae_claims *a, const struct ae_claims *b)
{
        ck_assert_int_eq(a->level, b->level);
        ck_assert_str_eq(a->workload.workload_id, b->workload.workload_id);
        ck_assert_str_eq(a->workload.code_hash, b->workload.code_hash);
        ck_assert_int_eq(a->tpm.present, b->tpm.present);
        ck_assert_str_eq(a->tpm.ek_hash, b->tpm.ek_hash);
        ck_assert_str_eq(a->tpm.ak_name, b->tpm.ak_name);
        ck_assert_str_eq(a->tpm.pcr_policy, b->tpm.pcr_policy);
        ck_assert_str_eq(a->tpm.pcr_digest, b->tpm.pcr_digest);
        ck_assert_int_eq(a->tpm.attested_at, b->tpm.attested_at);
        ck_assert_int_eq(a->geo.present, b->geo.present);
        ck_assert_uint_eq(a->geo.n_zones, b->geo.n_zones);
        for (size_t i = 0; i < a->geo.n_zones; i++)
                ck_assert_str_eq(a->geo.zones[i], b->geo.zones[i]);
        ck_assert_str_eq(a->geo.policy_digest, b->geo.policy_digest);
        ck_assert_str_eq(a->geo.sensor_id, b->geo.sensor_id);
        ck_assert_int_eq(a->geo.fix_time, b->geo.fix_time);
        ck_assert_int_eq(a->geo.has_coordinates, b->geo.has_coordinates);
        ck_assert(a->geo.latitude == b->geo.latitude);
        ck_assert(a->geo.longitude == b->geo.longitude);
        ck_assert(a->geo.accuracy == b->geo.accuracy);
}

/* sample_json with the first `from` replaced by `to`, decoded: the reason. */
static enum ae_svid_reason decode_edited(const char *from, const char *to)
{
        char text[2 * AE_CLAIMS_MAX];
        const char *at = strstr(sample_json, from);
        struct ae_claims c, untouched;
        enum ae_svid_reason r = AE_SVID_REASON_COUNT;
        size_t n;
        int ret;

        ck_assert_msg(at, "%s not in the sample", from);
        n = (size_t)(at - sample_json);
        ck_assert_uint_lt(strlen(sample_json) + strlen(to), sizeof(text));
        memcpy(text, sample_json, n);
        strcpy(text + n, to);
        strcat(text, at + strlen(from));
        /* Bad input changes nothing. */
        memset(&c, 0xa5, sizeof(c));
        memcpy(&untouched, &c, sizeof(c));
        ret = ae_claims_decode_explain(text, strlen(text), &c, &r);
        if (r == AE_SVID_OK) {
                ck_assert_int_eq(ret, 0);
        } else {
                ck_assert_int_lt(ret, 0);
                ck_assert(memcmp(&c, &untouched, sizeof(c)) == 0);
        }
        return r;
}

START_TEST(writer_exact_bytes)
{
        struct ae_claims c;
        char buf[AE_CLAIMS_MAX + 1];
        size_t len = 0;

        sample(&c);
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_str_eq(buf, sample_json);
        ck_assert_uint_eq(len, strlen(sample_json));

        /* PoR: no geolocation object at all. */
        sample_por(&c);
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_ptr_null(strstr(buf, "grc.geolocation"));
        ck_assert_ptr_nonnull(strstr(buf, "\"level\":\"por\""));

        /* Coordinates only when the policy shares them; -0 has one spelling. */
        sample(&c);
        c.geo.has_coordinates = false;
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_ptr_null(strstr(buf, "gnss"));
        c.geo.has_coordinates = true;
        c.geo.latitude = -0.00000001;
        c.geo.longitude = -0.0;
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_ptr_nonnull(strstr(buf, "\"latitude\":0.0000000,\"longitude\":0.0000000,"));
}
END_TEST

START_TEST(writer_buffer_rules)
{
        struct ae_claims c;
        char buf[AE_CLAIMS_MAX + 1];
        size_t len = 7, n = strlen(sample_json);

        sample(&c);
        memset(buf, 'x', sizeof(buf));
        ck_assert_int_eq(ae_claims_encode(&c, buf, n, &len), -ENOBUFS); /* no room for NUL */
        ck_assert_int_eq(buf[0], 'x');
        ck_assert_uint_eq(len, 7);
        ck_assert_int_eq(ae_claims_encode(&c, buf, n + 1, &len), 0);
        ck_assert_uint_eq(len, n);
        c.level = AE_CLAIMS_POR; /* zones under por */
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), -EINVAL);
        ck_assert_int_eq(ae_claims_encode(NULL, buf, sizeof(buf), &len), -EINVAL);

        /* A long workload ID and 32 long zones pass the size limit. */
        sample(&c);
        strcpy(c.workload.workload_id, "spiffe://example.org/");
        memset(c.workload.workload_id + 21, 'w', 1900);
        c.geo.n_zones = AE_CLAIMS_ZONES_MAX;
        for (size_t i = 0; i < AE_CLAIMS_ZONES_MAX; i++) {
                memset(c.geo.zones[i], 'z', 60);
                snprintf(c.geo.zones[i] + 60, 5, "%04zu", i);
        }
        ck_assert_int_eq(ae_claims_validate(&c, NULL), 0);
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), -EMSGSIZE);
}
END_TEST

START_TEST(round_trip)
{
        struct ae_claims c, back;
        char buf[AE_CLAIMS_MAX + 1];
        size_t len;
        enum ae_svid_reason r = AE_SVID_REASON_COUNT;

        sample(&c);
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_int_eq(ae_claims_decode_explain(buf, len, &back, &r), 0);
        ck_assert_int_eq(r, AE_SVID_OK);
        assert_claims_eq(&c, &back);

        sample_por(&c);
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_int_eq(ae_claims_decode(buf, len, &back), 0);
        assert_claims_eq(&c, &back);

        /* PoR may carry an attested fix outside every zone. */
        sample(&c);
        c.level = AE_CLAIMS_POR;
        c.geo.n_zones = 0;
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_int_eq(ae_claims_decode(buf, len, &back), 0);
        assert_claims_eq(&c, &back);

        /* Bounds are inclusive: a value the writer rounds to a bound reads back. */
        sample(&c);
        c.geo.latitude = 89.99999999;
        c.geo.longitude = -180.0;
        c.geo.accuracy = 1e6;
        ck_assert_int_eq(ae_claims_encode(&c, buf, sizeof(buf), &len), 0);
        ck_assert_ptr_nonnull(strstr(buf, "\"latitude\":90.0000000"));
        ck_assert_int_eq(ae_claims_decode(buf, len, &back), 0);
        ck_assert(back.geo.latitude == 90.0);
}
END_TEST

/* Other writers: any key order, whitespace, number spellings. */
START_TEST(reader_is_lenient_about_form)
{
        static const char other[] =
                " {\n \"grc.tpm-attestation\" : {\"attested_at\":1795238298,\"pcr_digest\":\"" PCR_DIGEST
                "\",\"pcr_policy\":\"base\",\"ak_name\":\"" AK_NAME "\",\"ek_hash\":\"" EK_HASH "\"},"
                "\"grc.workload\":{\"code_hash\":\"" CODE_HASH "\",\"workload_id\":\"spiffe:\\/\\/example.org\\/ns\\/prod\\/web\"},"
                "\"level\":\"pog\",\"v\":1,"
                "\"grc.geolocation\":{\"zones\":[\"eu-de\",\"de-be\"],\"tpm-attested-location\":true,"
                "\"sensor_id\":\"F9P-0042\",\"policy_digest\":\"" POLICY_DIGEST "\",\"fix_time\":1795238290,"
                "\"gnss\":{\"retrieved_location\":{\"accuracy\":1.71e1,\"longitude\":13.405,\"latitude\":52.52}}},"
                "\"grc.future-family\":{\"anything\":[1,2,3]}\n}\t";
        struct ae_claims c, want;

        sample(&want);
        ck_assert_int_eq(ae_claims_decode(other, strlen(other), &c), 0);
        assert_claims_eq(&want, &c);
        /* An integer where a coordinate is expected is a number too. */
        ck_assert_int_eq(decode_edited("\"accuracy\":17.10", "\"accuracy\":17"), AE_SVID_OK);
}
END_TEST

START_TEST(validate_reasons)
{
        struct ae_claims c;
        enum ae_svid_reason r;

#define EXPECT(edit, reason)                                                   \
        do {                                                                   \
                sample(&c);                                                    \
                edit;                                                          \
                r = AE_SVID_REASON_COUNT;                                      \
                ck_assert_int_eq(ae_claims_validate(&c, &r), -EINVAL);         \
                ck_assert_msg(r == (reason), "%s: got %s", #edit,              \
                              ae_svid_reason_id(r));                           \
        } while (0)

        sample(&c);
        r = AE_SVID_REASON_COUNT;
        ck_assert_int_eq(ae_claims_validate(&c, &r), 0);
        ck_assert_int_eq(r, AE_SVID_OK);
        ck_assert_int_eq(ae_claims_validate(NULL, &r), -EINVAL);

        EXPECT(c.level = (enum ae_claims_level)7, AE_SVID_CLAIMS_LEVEL);
        EXPECT(strcpy(c.workload.workload_id, "spiffe://example.org"), AE_SVID_CLAIMS_WORKLOAD_ID);
        EXPECT(strcpy(c.workload.workload_id, "spiffe://Example.org/w"), AE_SVID_CLAIMS_WORKLOAD_ID);
        EXPECT(memset(c.workload.workload_id, 'a', sizeof(c.workload.workload_id)),
               AE_SVID_CLAIMS_WORKLOAD_ID);
        EXPECT(c.workload.code_hash[0] = 'A', AE_SVID_CLAIMS_HEX);
        EXPECT(c.workload.code_hash[63] = '\0', AE_SVID_CLAIMS_HEX);
        EXPECT(c.tpm.present = false, AE_SVID_CLAIMS_NO_TPM);
        EXPECT(c.tpm.ek_hash[5] = 'g', AE_SVID_CLAIMS_HEX);
        EXPECT(strcpy(c.tpm.ak_name, "000"), AE_SVID_CLAIMS_HEX);
        EXPECT(strcpy(c.tpm.ak_name, "00"), AE_SVID_CLAIMS_HEX);
        EXPECT(strcpy(c.tpm.pcr_policy, ""), AE_SVID_CLAIMS_STRING);
        EXPECT(strcpy(c.tpm.pcr_policy, "a b"), AE_SVID_CLAIMS_STRING);
        EXPECT(c.tpm.pcr_digest[48] = '\0', AE_SVID_CLAIMS_HEX);
        EXPECT(c.tpm.attested_at = -1, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.n_zones = AE_CLAIMS_ZONES_MAX + 1, AE_SVID_CLAIMS_ZONES);
        EXPECT(strcpy(c.geo.zones[1], "eu-de"), AE_SVID_CLAIMS_ZONES);
        EXPECT(strcpy(c.geo.zones[0], "eu/de"), AE_SVID_CLAIMS_STRING);
        EXPECT(c.geo.policy_digest[0] = 'F', AE_SVID_CLAIMS_HEX);
        EXPECT(strcpy(c.geo.sensor_id, "F9P \"42\""), AE_SVID_CLAIMS_STRING);
        EXPECT(strcpy(c.geo.sensor_id, ""), AE_SVID_CLAIMS_STRING);
        EXPECT(c.geo.fix_time = -5, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.latitude = 90.0000001, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.longitude = -180.5, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.accuracy = -1, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.accuracy = NAN, AE_SVID_CLAIMS_NUMBER);
        EXPECT(c.geo.n_zones = 0, AE_SVID_CLAIMS_LEVEL_MISMATCH);
        EXPECT(c.geo.present = false, AE_SVID_CLAIMS_LEVEL_MISMATCH);
        EXPECT(c.level = AE_CLAIMS_POR, AE_SVID_CLAIMS_LEVEL_MISMATCH);
#undef EXPECT
}
END_TEST

START_TEST(decode_reasons)
{
        static const struct {
                const char *from, *to;
                enum ae_svid_reason reason;
        } cases[] = {
                /* syntax */
                { "{\"v\":1", "[{\"v\":1", AE_SVID_CLAIMS_SYNTAX },
                { "\"level\":\"pog\"", "\"level\":\"pog\",\"level\":\"pog\"", AE_SVID_CLAIMS_SYNTAX },
                { "\"zones\"", "zones", AE_SVID_CLAIMS_SYNTAX },
                { "\"sensor_id\":\"F9P-0042\"", "\"sensor_id\":\"F9P-\\u0000\"", AE_SVID_CLAIMS_SYNTAX },
                /* version, before anything else */
                { "\"v\":1,", "", AE_SVID_CLAIMS_VERSION },
                { "\"v\":1", "\"v\":2,\"new\":true", AE_SVID_CLAIMS_VERSION },
                { "\"v\":1", "\"v\":\"1\"", AE_SVID_CLAIMS_VERSION },
                { "\"v\":1", "\"v\":1.0", AE_SVID_CLAIMS_VERSION },
                /* unknown keys */
                { "\"level\"", "\"extra\":1,\"level\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "\"level\"", "\"grc.\":{},\"level\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "\"code_hash\"", "\"typo\":\"x\",\"code_hash\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "\"ek_hash\"", "\"ek\":\"x\",\"ek_hash\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "\"zones\"", "\"zone\":[],\"zones\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "\"latitude\"", "\"altitude\":1,\"latitude\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                { "{\"retrieved_location\"", "{\"raw\":1,\"retrieved_location\"", AE_SVID_CLAIMS_UNKNOWN_KEY },
                /* an unknown grc.* family is ignored, but must be an object */
                { "\"level\"", "\"grc.other\":{\"x\":1},\"level\"", AE_SVID_OK },
                { "\"level\"", "\"grc.other\":[1],\"level\"", AE_SVID_CLAIMS_TYPE },
                /* missing */
                { "\"level\":\"pog\",", "", AE_SVID_CLAIMS_MISSING },
                { "\"code_hash\":\"" CODE_HASH "\"", "\"code_hash\":null", AE_SVID_CLAIMS_TYPE },
                { ",\"code_hash\":\"" CODE_HASH "\"", "", AE_SVID_CLAIMS_MISSING },
                { "\"attested_at\":1795238298", "\"attested_at\":\"1795238298\"", AE_SVID_CLAIMS_TYPE },
                { ",\"attested_at\":1795238298", "", AE_SVID_CLAIMS_MISSING },
                { "\"tpm-attested-location\":true,", "", AE_SVID_CLAIMS_MISSING },
                { ",\"fix_time\":1795238290", "", AE_SVID_CLAIMS_MISSING },
                { ",\"accuracy\":17.10", "", AE_SVID_CLAIMS_MISSING },
                { "{\"retrieved_location\":{\"latitude\":52.5200000,\"longitude\":13.4050000,\"accuracy\":17.10}}",
                  "{}", AE_SVID_CLAIMS_MISSING },
                /* types */
                { "\"level\":\"pog\"", "\"level\":1", AE_SVID_CLAIMS_TYPE },
                { "\"grc.workload\":{", "\"grc.workload\":[],\"grc.y\":{", AE_SVID_CLAIMS_TYPE },
                { "\"attested_at\":1795238298", "\"attested_at\":1795238298.0", AE_SVID_CLAIMS_TYPE },
                { "\"fix_time\":1795238290", "\"fix_time\":true", AE_SVID_CLAIMS_TYPE },
                { "\"zones\":[\"eu-de\",", "\"zones\":[7,", AE_SVID_CLAIMS_TYPE },
                { "\"zones\":[\"eu-de\",\"de-be\"]", "\"zones\":\"eu-de\"", AE_SVID_CLAIMS_TYPE },
                { "\"tpm-attested-location\":true", "\"tpm-attested-location\":1", AE_SVID_CLAIMS_TYPE },
                { "\"latitude\":52.5200000", "\"latitude\":\"52.52\"", AE_SVID_CLAIMS_TYPE },
                { "\"gnss\":{\"retrieved_location\":{\"latitude\":52.5200000,\"longitude\":13.4050000,\"accuracy\":17.10}}",
                  "\"gnss\":[]", AE_SVID_CLAIMS_TYPE },
                /* values */
                { "\"pcr_policy\":\"base\"", "\"pcr_policy\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
                  AE_SVID_CLAIMS_STRING },
                { "\"pcr_policy\":\"base\"", "\"pcr_policy\":\"b\\u00e4se\"", AE_SVID_CLAIMS_STRING },
                { "\"sensor_id\":\"F9P-0042\"", "\"sensor_id\":\"F9P\\n42\"", AE_SVID_CLAIMS_STRING },
                { "\"eu-de\",", "\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",",
                  AE_SVID_CLAIMS_STRING },
                { "\"code_hash\":\"", "\"code_hash\":\"00", AE_SVID_CLAIMS_HEX },
                { "\"ak_name\":\"000b", "\"ak_name\":\"000B", AE_SVID_CLAIMS_HEX },
                { "\"pcr_digest\":\"", "\"pcr_digest\":\"" "00", AE_SVID_CLAIMS_HEX },
                { "\"attested_at\":1795238298", "\"attested_at\":-1", AE_SVID_CLAIMS_NUMBER },
                { "\"fix_time\":1795238290", "\"fix_time\":-1", AE_SVID_CLAIMS_NUMBER },
                { "\"latitude\":52.5200000", "\"latitude\":90.0000001", AE_SVID_CLAIMS_NUMBER },
                { "\"longitude\":13.4050000", "\"longitude\":-1e300", AE_SVID_CLAIMS_NUMBER },
                { "\"accuracy\":17.10", "\"accuracy\":-0.01", AE_SVID_CLAIMS_NUMBER },
                { "\"attested_at\":1795238298", "\"attested_at\":99999999999999999999", AE_SVID_CLAIMS_SYNTAX },
                { "spiffe://example.org/ns/prod/web", "spiffe://example.org", AE_SVID_CLAIMS_WORKLOAD_ID },
                { "spiffe://example.org/ns/prod/web", "https://example.org/web", AE_SVID_CLAIMS_WORKLOAD_ID },
                { "spiffe://example.org/ns/prod/web", "spiffe://example.org/a//b", AE_SVID_CLAIMS_WORKLOAD_ID },
                { "\"level\":\"pog\"", "\"level\":\"PoG\"", AE_SVID_CLAIMS_LEVEL },
                { "\"level\":\"pog\"", "\"level\":\"pog \"", AE_SVID_CLAIMS_LEVEL },
                { "\"level\":\"pog\"", "\"level\":\"por\"", AE_SVID_CLAIMS_LEVEL_MISMATCH },
                { "\"zones\":[\"eu-de\",\"de-be\"]", "\"zones\":[]", AE_SVID_CLAIMS_LEVEL_MISMATCH },
                { ",\"grc.tpm-attestation\":{\"ek_hash\":\"" EK_HASH "\",\"ak_name\":\"" AK_NAME "\","
                  "\"pcr_policy\":\"base\",\"pcr_digest\":\"" PCR_DIGEST "\",\"attested_at\":1795238298}",
                  "", AE_SVID_CLAIMS_NO_TPM },
                { "\"de-be\"", "\"eu-de\"", AE_SVID_CLAIMS_ZONES },
                { "\"tpm-attested-location\":true", "\"tpm-attested-location\":false",
                  AE_SVID_CLAIMS_LOCATION_NOT_ATTESTED },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                enum ae_svid_reason r = decode_edited(cases[i].from, cases[i].to);

                ck_assert_msg(r == cases[i].reason, "case %zu (%s -> %s): got %s, want %s", i,
                              cases[i].from, cases[i].to, ae_svid_reason_id(r),
                              ae_svid_reason_id(cases[i].reason));
        }
}
END_TEST

/* PoG claims with 32 zones of 64 characters, coordinates spelled 0, and a
 * workload path of path_len characters: its length. */
static size_t grown_claims(char *out, size_t cap, size_t path_len)
{
        char path[AE_SPIFFE_ID_MAX];
        size_t n = 0;

        ck_assert_uint_lt(path_len, 2000);
        memset(path, 'w', path_len);
        path[path_len] = '\0';
        n += (size_t)snprintf(out + n, cap - n,
                              "{\"v\":1,\"level\":\"pog\",\"grc.workload\":{\"workload_id\":"
                              "\"spiffe://example.org/x%s\",\"code_hash\":\"" CODE_HASH "\"},"
                              "\"grc.tpm-attestation\":{\"ek_hash\":\"" EK_HASH "\",\"ak_name\":\"" AK_NAME
                              "\",\"pcr_policy\":\"base\",\"pcr_digest\":\"" PCR_DIGEST
                              "\",\"attested_at\":0},\"grc.geolocation\":{\"tpm-attested-location\":true,"
                              "\"zones\":[",
                              path);
        for (int i = 0; i < AE_CLAIMS_ZONES_MAX; i++)
                n += (size_t)snprintf(out + n, cap - n,
                                      "%s\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz%02d\"",
                                      i ? "," : "", i);
        n += (size_t)snprintf(out + n, cap - n,
                              "],\"policy_digest\":\"" POLICY_DIGEST "\",\"sensor_id\":\"s\","
                              "\"fix_time\":0,\"gnss\":{\"retrieved_location\":{\"latitude\":0,"
                              "\"longitude\":0,\"accuracy\":0}}}}");
        ck_assert_uint_lt(n, cap);
        return n;
}

/* Too many zones, a workload_id too long for its field, input over the
 * limit, and claims whose canonical form would not fit. */
START_TEST(decode_size_limits)
{
        char text[3 * AE_CLAIMS_MAX], zones[2048] = "\"zones\":[";
        struct ae_claims c;
        enum ae_svid_reason r;
        char *p;

        for (int i = 0; i <= AE_CLAIMS_ZONES_MAX; i++)
                snprintf(zones + strlen(zones), sizeof(zones) - strlen(zones), "%s\"z%d\"",
                         i ? "," : "", i);
        strcat(zones, "]");
        ck_assert_int_eq(decode_edited("\"zones\":[\"eu-de\",\"de-be\"]", zones),
                         AE_SVID_CLAIMS_ZONES);

        /* 2049 characters: the field holds 2048. */
        p = text;
        p += sprintf(p, "spiffe://example.org/");
        memset(p, 'w', 2049 - 21);
        p[2049 - 21] = '\0';
        ck_assert_int_eq(decode_edited("spiffe://example.org/ns/prod/web", text),
                         AE_SVID_CLAIMS_WORKLOAD_ID);

        /* Over AE_CLAIMS_MAX bytes of input, whitespace or not. */
        memset(text, ' ', AE_CLAIMS_MAX + 1);
        memcpy(text, sample_json, strlen(sample_json));
        ck_assert_int_eq(ae_claims_decode_explain(text, AE_CLAIMS_MAX + 1, &c, &r), -EMSGSIZE);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_TOO_LARGE);
        ck_assert_int_eq(ae_claims_decode_explain(text, AE_CLAIMS_MAX, &c, &r), 0);
        ck_assert_int_eq(r, AE_SVID_OK);

        /* Input that fits, whose canonical form does not: coordinates
         * written as 0 grow to 0.0000000 when re-encoded. */
        {
                size_t fixed = grown_claims(text, sizeof(text), 0), len;

                ck_assert_uint_lt(fixed, AE_CLAIMS_MAX - 10);
                len = grown_claims(text, sizeof(text), AE_CLAIMS_MAX - 6 - fixed);
                ck_assert_uint_eq(len, AE_CLAIMS_MAX - 6);
                ck_assert_int_eq(ae_claims_decode_explain(text, len, &c, &r), -EBADMSG);
                ck_assert_int_eq(r, AE_SVID_CLAIMS_TOO_LARGE);
                /* 100 bytes shorter, it decodes, and re-encodes. */
                len = grown_claims(text, sizeof(text), AE_CLAIMS_MAX - 106 - fixed);
                ck_assert_int_eq(ae_claims_decode_explain(text, len, &c, &r), 0);
                ck_assert_int_eq(ae_claims_encode(&c, text, sizeof(text), &len), 0);
                ck_assert_uint_gt(len, AE_CLAIMS_MAX - 106);
        }
}
END_TEST

/* ---- the extension ---- */

static X509 *cert_with(X509_EXTENSION *const *exts, size_t n)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = EVP_EC_gen("P-256");
        X509 *x = X509_new();

        ck_assert_ptr_nonnull(key);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
        ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
        ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
        ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
        ck_assert_int_eq(X509_set_pubkey(x, key), 1);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(X509_add_ext(x, exts[i], -1), 1);
        ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
        return x;
}

START_TEST(extension_der_form)
{
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
        struct ae_claims c, back;
        const ASN1_OCTET_STRING *value;
        const uint8_t *v;
        size_t n = strlen(sample_json);
        char oid[64];

        sample(&c);
        ck_assert_int_eq(ae_claims_to_extension(&c, &ext), 0);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext), 0);
        ck_assert_int_gt(OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1), 0);
        ck_assert_str_eq(oid, AE_CLAIMS_OID);
        /* DER UTF8String, long form in two octets: 0c 82 hi lo, then the JSON. */
        value = X509_EXTENSION_get_data(ext);
        v = ASN1_STRING_get0_data(value);
        ck_assert_int_eq(ASN1_STRING_length(value), (int)n + 4);
        ck_assert_int_eq(v[0], 0x0c);
        ck_assert_int_eq(v[1], 0x82);
        ck_assert_uint_eq((size_t)v[2] << 8 | v[3], n);
        ck_assert(memcmp(v + 4, sample_json, n) == 0);
        /* OpenSSL reads it as one UTF8String holding the JSON. */
        {
                const unsigned char *p = v;
                ASN1_UTF8STRING *s = d2i_ASN1_UTF8STRING(NULL, &p, (long)n + 4);

                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(ASN1_STRING_length(s), (int)n);
                ck_assert(p == v + n + 4);
                ASN1_UTF8STRING_free(s);
        }
        ck_assert_int_eq(ae_claims_decode_extension(v, n + 4, &back, NULL), 0);
        assert_claims_eq(&c, &back);
        ck_assert_int_eq(ae_claims_to_extension(NULL, &ext), -EINVAL);
        c.tpm.present = false;
        ck_assert_int_eq(ae_claims_to_extension(&c, &ext), -EINVAL);
}
END_TEST

START_TEST(extension_raw_form)
{
        struct ae_claims c, want;
        enum ae_svid_reason r = AE_SVID_REASON_COUNT;

        sample(&want);
        ck_assert_int_eq(ae_claims_decode_extension((const uint8_t *)sample_json,
                                                    strlen(sample_json), &c, &r), 0);
        ck_assert_int_eq(r, AE_SVID_OK);
        assert_claims_eq(&want, &c);
        /* Raw JSON with leading whitespace is still the raw form. */
        {
                char text[AE_CLAIMS_MAX];

                snprintf(text, sizeof(text), "\n\t %s", sample_json);
                ck_assert_int_eq(ae_claims_decode_extension((const uint8_t *)text, strlen(text),
                                                            &c, &r), 0);
        }
        /* Raw and empty: neither form. */
        ck_assert_int_eq(ae_claims_decode_extension((const uint8_t *)"", 0, &c, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_SYNTAX);
}
END_TEST

START_TEST(extension_encoding_reasons)
{
        size_t n = strlen(sample_json);
        uint8_t buf[AE_CLAIMS_MAX + 16];
        struct ae_claims c, untouched;
        enum ae_svid_reason r;

        /* The good header, then broken variants of it. */
        buf[0] = 0x0c;
        buf[1] = 0x82;
        buf[2] = (uint8_t)(n >> 8);
        buf[3] = (uint8_t)n;
        memcpy(buf + 4, sample_json, n);
        ck_assert_int_eq(ae_claims_decode_extension(buf, n + 4, &c, &r), 0);

        memset(&c, 0x5a, sizeof(c));
        memcpy(&untouched, &c, sizeof(c));
#define EXPECT_ENC(len)                                                        \
        do {                                                                   \
                r = AE_SVID_REASON_COUNT;                                      \
                ck_assert_int_eq(ae_claims_decode_extension(buf, (len), &c, &r), -EBADMSG); \
                ck_assert_msg(r == AE_SVID_CLAIMS_EXT_ENCODING, "got %s",      \
                              ae_svid_reason_id(r));                           \
                ck_assert(memcmp(&c, &untouched, sizeof(c)) == 0);             \
        } while (0)
        EXPECT_ENC(n + 5);           /* a trailing byte */
        EXPECT_ENC(n + 3);           /* one byte short */
        EXPECT_ENC(1);               /* the tag alone */
        EXPECT_ENC(3);               /* truncated length */
        buf[1] = 0x80;               /* indefinite length */
        EXPECT_ENC(n + 4);
        buf[1] = 0x83;               /* three length octets: not for this size */
        EXPECT_ENC(n + 4);
        buf[1] = 0x82;
        buf[2] = 0x00;               /* leading zero length octet: not DER */
        EXPECT_ENC(n + 4);
        /* 0x81 with a length below 128: not the fewest octets. */
        buf[1] = 0x81;
        buf[2] = 0x10;
        EXPECT_ENC(19);
#undef EXPECT_ENC

        /* Short and one-octet long forms are read; the JSON inside is then
         * judged as JSON. */
        memcpy(buf, "\x0c\x02{}", 4);
        ck_assert_int_eq(ae_claims_decode_extension(buf, 4, &c, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_VERSION);
        buf[0] = 0x0c;
        buf[1] = 0x81;
        buf[2] = 200;
        memset(buf + 3, ' ', 200);
        buf[3] = '{';
        buf[202] = '}';
        ck_assert_int_eq(ae_claims_decode_extension(buf, 203, &c, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_VERSION);

        /* Over the limit whatever the header says. */
        buf[1] = 0x82;
        buf[2] = 0x10;
        buf[3] = 0x01;
        ck_assert_int_eq(ae_claims_decode_extension(buf, AE_CLAIMS_MAX + 5, &c, &r), -EMSGSIZE);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_TOO_LARGE);
        /* A DER string that is well formed but longer than AE_CLAIMS_MAX. */
        ck_assert_int_eq(ae_claims_decode_extension(buf, 0x1001 + 4, &c, &r), -EMSGSIZE);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_TOO_LARGE);
}
END_TEST

START_TEST(certificate_absent_present_duplicate)
{
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
        _cleanup_(X509_freep) X509 *none = NULL, *one = NULL, *two = NULL;
        struct ae_claims c, got, untouched;
        enum ae_svid_reason r;
        bool present = true;

        sample(&c);
        ck_assert_int_eq(ae_claims_to_extension(&c, &ext), 0);
        none = cert_with(NULL, 0);
        one = cert_with((X509_EXTENSION *[]){ ext }, 1);
        two = cert_with((X509_EXTENSION *[]){ ext, ext }, 2);

        memset(&got, 0x33, sizeof(got));
        memcpy(&untouched, &got, sizeof(got));
        r = AE_SVID_REASON_COUNT;
        ck_assert_int_eq(ae_claims_from_cert_explain(none, &got, &present, &r), 0);
        ck_assert(!present);
        ck_assert_int_eq(r, AE_SVID_OK);
        ck_assert(memcmp(&got, &untouched, sizeof(got)) == 0);

        ck_assert_int_eq(ae_claims_from_cert_explain(one, &got, &present, &r), 0);
        ck_assert(present);
        ck_assert_int_eq(r, AE_SVID_OK);
        assert_claims_eq(&c, &got);
        present = false;
        ck_assert_int_eq(ae_claims_from_cert(one, &got, &present), 0);
        ck_assert(present);

        memcpy(&got, &untouched, sizeof(got));
        present = false;
        ck_assert_int_eq(ae_claims_from_cert_explain(two, &got, &present, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_EXT_DUPLICATE);
        ck_assert(!present);
        ck_assert(memcmp(&got, &untouched, sizeof(got)) == 0);
        ck_assert_int_eq(ae_claims_from_cert(two, &got, &present), -EBADMSG);
}
END_TEST

/* A certificate whose extension holds bad claims: the claims' reason. */
START_TEST(certificate_with_bad_claims)
{
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        ASN1_OBJECT *oid = OBJ_txt2obj(AE_CLAIMS_OID, 1);
        static const char raw[] = "{\"v\":1,\"level\":\"pog\"}";
        struct ae_claims got;
        enum ae_svid_reason r;
        bool present = false;

        ck_assert_ptr_nonnull(oid);
        ck_assert_int_eq(ASN1_OCTET_STRING_set(value, (const unsigned char *)raw, sizeof(raw) - 1), 1);
        ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, value); /* critical: still read */
        ASN1_OBJECT_free(oid);
        ck_assert_ptr_nonnull(ext);
        x = cert_with((X509_EXTENSION *[]){ ext }, 1);
        ck_assert_int_eq(ae_claims_from_cert_explain(x, &got, &present, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_MISSING);
        ck_assert(!present);
}
END_TEST

/* The members of a JWT-SVID payload (jwt_svid.h). */
START_TEST(jwt_payload_members)
{
        char text[2 * AE_CLAIMS_MAX];
        json_t *j;
        struct ae_claims c, want;
        enum ae_svid_reason r;
        bool present = true;

        j = json_loads("{\"sub\":\"spiffe://example.org/w\",\"aud\":\"x\",\"exp\":5}", 0, NULL);
        ck_assert_ptr_nonnull(j);
        ck_assert_int_eq(ae_claims_from_jwt_payload(j, &c, &present, &r), 0);
        ck_assert(!present);
        ck_assert_int_eq(r, AE_SVID_OK);
        json_decref(j);

        /* The sample's members after a token's own. */
        snprintf(text, sizeof(text), "{\"sub\":\"spiffe://example.org/ns/prod/web\",\"aud\":[\"a\"],"
                                     "\"exp\":5,\"iss\":\"x\",%s", sample_json + 1);
        j = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(j);
        ck_assert_int_eq(ae_claims_from_jwt_payload(j, &c, &present, &r), 0);
        ck_assert(present);
        sample(&want);
        assert_claims_eq(&want, &c);
        json_decref(j);

        /* Any one member of the vocabulary means claims, which must then be whole. */
        j = json_loads("{\"sub\":\"spiffe://example.org/w\",\"level\":\"por\"}", 0, NULL);
        ck_assert_int_eq(ae_claims_from_jwt_payload(j, &c, &present, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_VERSION);
        json_decref(j);
        j = json_loads("{\"sub\":\"spiffe://example.org/w\",\"grc.x\":{}}", 0, NULL);
        ck_assert_int_eq(ae_claims_from_jwt_payload(j, &c, &present, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_SVID_CLAIMS_VERSION);
        json_decref(j);
        j = json_loads("[]", 0, NULL);
        ck_assert_int_eq(ae_claims_from_jwt_payload(j, &c, &present, &r), -EINVAL);
        json_decref(j);
}
END_TEST

START_TEST(level_names_reason_texts_and_arguments)
{
        static const enum ae_svid_reason claims_reasons[] = {
                AE_SVID_CLAIMS_TOO_LARGE, AE_SVID_CLAIMS_SYNTAX, AE_SVID_CLAIMS_VERSION,
                AE_SVID_CLAIMS_UNKNOWN_KEY, AE_SVID_CLAIMS_MISSING, AE_SVID_CLAIMS_TYPE,
                AE_SVID_CLAIMS_STRING, AE_SVID_CLAIMS_HEX, AE_SVID_CLAIMS_NUMBER,
                AE_SVID_CLAIMS_WORKLOAD_ID, AE_SVID_CLAIMS_LEVEL, AE_SVID_CLAIMS_LEVEL_MISMATCH,
                AE_SVID_CLAIMS_NO_TPM, AE_SVID_CLAIMS_ZONES, AE_SVID_CLAIMS_LOCATION_NOT_ATTESTED,
                AE_SVID_CLAIMS_EXT_ENCODING, AE_SVID_CLAIMS_EXT_DUPLICATE,
        };

        struct ae_claims c;
        enum ae_svid_reason r = AE_SVID_REASON_COUNT;
        bool present;

        /* Bad arguments are the caller's bug: AE_SVID_INTERNAL. */
        ck_assert_int_eq(ae_claims_decode_explain(NULL, 5, &c, &r), -EINVAL);
        ck_assert_int_eq(r, AE_SVID_INTERNAL);
        r = AE_SVID_REASON_COUNT;
        ck_assert_int_eq(ae_claims_decode_extension(NULL, 5, &c, &r), -EINVAL);
        ck_assert_int_eq(r, AE_SVID_INTERNAL);
        r = AE_SVID_REASON_COUNT;
        ck_assert_int_eq(ae_claims_from_cert_explain(NULL, &c, &present, &r), -EINVAL);
        ck_assert_int_eq(r, AE_SVID_INTERNAL);

        ck_assert_str_eq(ae_claims_level_name(AE_CLAIMS_POR), "por");
        ck_assert_str_eq(ae_claims_level_name(AE_CLAIMS_POG), "pog");
        ck_assert_ptr_null(ae_claims_level_name((enum ae_claims_level)2));
        for (size_t i = 0; i < sizeof(claims_reasons) / sizeof(claims_reasons[0]); i++) {
                ck_assert_str_ne(ae_svid_reason_id(claims_reasons[i]), "unknown");
                ck_assert_ptr_eq(strstr(ae_svid_reason_id(claims_reasons[i]), "claims_"),
                                 ae_svid_reason_id(claims_reasons[i]));
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("claims");
        TCase *tc = tcase_create("claims");

        tcase_add_test(tc, writer_exact_bytes);
        tcase_add_test(tc, writer_buffer_rules);
        tcase_add_test(tc, round_trip);
        tcase_add_test(tc, reader_is_lenient_about_form);
        tcase_add_test(tc, validate_reasons);
        tcase_add_test(tc, decode_reasons);
        tcase_add_test(tc, decode_size_limits);
        tcase_add_test(tc, extension_der_form);
        tcase_add_test(tc, extension_raw_form);
        tcase_add_test(tc, extension_encoding_reasons);
        tcase_add_test(tc, certificate_absent_present_duplicate);
        tcase_add_test(tc, certificate_with_bad_claims);
        tcase_add_test(tc, jwt_payload_members);
        tcase_add_test(tc, level_names_reason_texts_and_arguments);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
