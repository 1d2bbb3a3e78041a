/* JWKs and JWK Sets (svid-issuer/jwt_jwk.h, jwt_jwks.h): RFC 7517's own
 * example keys, the writer's output read back, what the bundle standard
 * says to skip, and each thing the reader refuses. */
#include "svid-issuer/jwt_jwks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "check_util.h"
#include "common/base64.h"
#include "common/ossl.h"
#include "svid-issuer/jwt_jwk.h"

static EVP_PKEY *p256, *p384, *p521, *rsa2048, *rsa1024, *ed25519;

/* RFC 7517 appendix A.1, verbatim: an "enc" EC key and an RSA key
 * without "use". */
#define RFC_EC_X "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
#define RFC_EC_Y "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
#define RFC_RSA_N                                                                               \
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_" \
        "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"         \
        "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd" \
        "kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"                \
        "kEgU8awapJzKnqDKgw"
#define RFC_RSA_N_EVEN                                                                          \
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_" \
        "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"         \
        "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd" \
        "kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"                \
        "kEgU8awapJzKnqDKgg"
static const char rfc_set[] =
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\","
        "\"use\":\"enc\",\"kid\":\"1\"},"
        "{\"kty\":\"RSA\",\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAB\",\"alg\":\"RS256\","
        "\"kid\":\"2011-04-29\"}]}";
/* The same keys as JWT-SVID keys. */
static const char rfc_as_jwt_svid[] =
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\","
        "\"use\":\"jwt-svid\",\"kid\":\"1\"},"
        "{\"kty\":\"RSA\",\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAB\",\"alg\":\"RS256\","
        "\"use\":\"jwt-svid\",\"kid\":\"2011-04-29\"}],"
        "\"spiffe_sequence\":1,\"spiffe_refresh_hint\":300}";

/* ae_jwks_parse's texts for each refusal. */
#define SYN "not one JSON object (syntax or duplicate key)"
#define KEYS "\"keys\" missing or not an array"
#define ELEM "a keys element is not an object"
#define KID "a jwt-svid key has no valid kid"
#define DUPKID "two jwt-svid keys share a kid"
#define MAT "a jwt-svid key's material is invalid"
#define ALG "a jwt-svid key's alg is unknown or does not fit it"

static int parse(const char *json, struct ae_jwks **ret, const char **why)
{
        *why = NULL;
        return ae_jwks_parse("example.org", json, strlen(json), ret, why);
}

START_TEST(rfc7517_examples)
{
        _cleanup_(ae_jwks_freep) struct ae_jwks *a = NULL, *b = NULL;
        const struct ae_jwks_key *k;
        const char *why;

        /* Neither is a JWT-SVID key: a valid set that trusts nothing. */
        ck_assert_int_eq(parse(rfc_set, &a, &why), 0);
        ck_assert_uint_eq(ae_jwks_count(a), 0);
        ck_assert_ptr_null(ae_jwks_find(a, "1"));

        ck_assert_int_eq(parse(rfc_as_jwt_svid, &b, &why), 0);
        ck_assert_str_eq(ae_jwks_trust_domain(b), "example.org");
        ck_assert_uint_eq(ae_jwks_count(b), 2);
        k = ae_jwks_find(b, "1");
        ck_assert_ptr_nonnull(k);
        ck_assert(!k->has_alg);
        ck_assert(EVP_PKEY_is_a(k->key, "EC"));
        ck_assert(ae_jwt_alg_fits_key(AE_JWT_ES256, k->key));
        k = ae_jwks_find(b, "2011-04-29");
        ck_assert_ptr_nonnull(k);
        ck_assert(k->has_alg);
        ck_assert_int_eq(k->alg, AE_JWT_RS256);
        ck_assert_int_eq(EVP_PKEY_get_bits(k->key), 2048);
        ck_assert_ptr_eq(ae_jwks_key_at(b, 0), ae_jwks_find(b, "1"));
        ck_assert_ptr_null(ae_jwks_key_at(b, 2));
        ck_assert_ptr_null(ae_jwks_find(b, "2"));
        ck_assert_ptr_null(ae_jwks_find(b, NULL));
        ck_assert_ptr_null(ae_jwks_find(NULL, "1"));
        ck_assert_uint_eq(ae_jwks_count(NULL), 0);
}
END_TEST

/* What ae_jwks_from_keys writes reads back as the same public keys. */
START_TEST(writer_round_trip)
{
        EVP_PKEY *keys[] = { p256, p384, p521, rsa2048 };
        const char *kids[] = { "ec-256", "ec-384", "ec-521", "rsa \"quoted\"" };
        _cleanup_free_ char *json = NULL;
        _cleanup_(ae_jwks_freep) struct ae_jwks *set = NULL;
        const char *why;
        json_t *doc, *first;

        kids[3] = "rsa-\"q\"\\";
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 4, &json), 0);
        ck_assert_int_eq(ae_jwks_parse("td.example", json, strlen(json), &set, &why), 0);
        ck_assert_uint_eq(ae_jwks_count(set), 4);
        for (size_t i = 0; i < 4; i++) {
                const struct ae_jwks_key *k = ae_jwks_find(set, kids[i]);

                ck_assert_ptr_nonnull(k);
                ck_assert_int_eq(EVP_PKEY_eq(k->key, keys[i]), 1);
                ck_assert(!k->has_alg);
        }
        /* The members the bundle standard asks for; coordinates at full size. */
        doc = json_loads(json, 0, NULL);
        ck_assert_ptr_nonnull(doc);
        first = json_array_get(json_object_get(doc, "keys"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(first, "kty")), "EC");
        ck_assert_str_eq(json_string_value(json_object_get(first, "crv")), "P-256");
        ck_assert_str_eq(json_string_value(json_object_get(first, "use")), "jwt-svid");
        ck_assert_str_eq(json_string_value(json_object_get(first, "kid")), "ec-256");
        ck_assert_uint_eq(json_string_length(json_object_get(first, "x")), 43);
        ck_assert_uint_eq(json_string_length(json_object_get(first, "y")), 43);
        ck_assert_ptr_null(json_object_get(first, "d"));
        first = json_array_get(json_object_get(doc, "keys"), 2);
        ck_assert_uint_eq(json_string_length(json_object_get(first, "x")), 88); /* 66 bytes */
        first = json_array_get(json_object_get(doc, "keys"), 3);
        ck_assert_str_eq(json_string_value(json_object_get(first, "e")), "AQAB");
        ck_assert_uint_eq(json_string_length(json_object_get(first, "n")), 342);
        json_decref(doc);

        /* An empty set. */
        free(json);
        json = NULL;
        ck_assert_int_eq(ae_jwks_from_keys(NULL, NULL, 0, &json), 0);
        ck_assert_str_eq(json, "{\"keys\":[]}");
}
END_TEST

START_TEST(writer_refuses)
{
        EVP_PKEY *keys[AE_JWKS_KEYS_MAX + 1];
        const char *kids[AE_JWKS_KEYS_MAX + 1];
        char long_kid[AE_JWT_KID_MAX + 2];
        char *json = NULL;

        for (size_t i = 0; i <= AE_JWKS_KEYS_MAX; i++) {
                keys[i] = p256;
                kids[i] = "k";
        }
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EINVAL); /* repeated kid */
        kids[1] = "";
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EINVAL);
        kids[1] = "a b";
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EINVAL);
        memset(long_kid, 'k', sizeof(long_kid) - 1);
        long_kid[sizeof(long_kid) - 1] = '\0';
        kids[1] = long_kid;
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EINVAL);
        long_kid[AE_JWT_KID_MAX] = '\0'; /* exactly the maximum */
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), 0);
        free(json);
        json = NULL;
        kids[1] = "k2";
        keys[1] = rsa1024;
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EOPNOTSUPP);
        keys[1] = ed25519;
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, 2, &json), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwks_from_keys(keys, kids, AE_JWKS_KEYS_MAX + 1, &json), -EINVAL);
        ck_assert_ptr_null(json);
}
END_TEST

/* The bundle standard's skips: other uses, no use, unknown key types. */
START_TEST(reader_skips)
{
        static const char set[] =
                "{\"keys\":["
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\",\"use\":\"x509-svid\",\"x5c\":[\"MII\"]},"
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\",\"kid\":\"no-use\"},"
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\",\"use\":7,\"kid\":\"odd-use\"},"
                "{\"kty\":\"oct\",\"use\":\"jwt-svid\",\"kid\":\"hmac\",\"alg\":\"HS256\"},"
                "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"use\":\"jwt-svid\",\"kid\":\"ed\"},"
                "{\"kty\":\"EC\",\"crv\":\"P-192\",\"x\":\"AA\",\"y\":\"AA\",\"use\":\"jwt-svid\",\"kid\":\"p192\"},"
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\",\"use\":\"jwt-svid\",\"kid\":\"the-one\"}"
                "],\"unknown\":{}}";
        _cleanup_(ae_jwks_freep) struct ae_jwks *s = NULL;
        const char *why;

        ck_assert_int_eq(parse(set, &s, &why), 0);
        ck_assert_uint_eq(ae_jwks_count(s), 1);
        ck_assert_ptr_nonnull(ae_jwks_find(s, "the-one"));
        ck_assert_ptr_null(ae_jwks_find(s, "hmac"));
}
END_TEST

START_TEST(reader_refuses)
{
#define EC_KEY_WITH(members) \
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"jwt-svid\"," members "}]}"
#define GOOD_XY "\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\""
#define RSA_KEY_WITH(members) \
        "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"jwt-svid\",\"kid\":\"r\"," members "}]}"
        static const struct {
                const char *json;
                int err;
                const char *why;
        } cases[] = {
                { "", -EBADMSG, SYN },
                { "[]", -EBADMSG, SYN },
                { "{\"keys\":{}}", -EBADMSG, KEYS },
                { "{}", -EBADMSG, KEYS },
                { "{\"keys\":[],\"keys\":[]}", -EBADMSG, SYN },
                { "{\"keys\":[1]}", -EBADMSG, ELEM },
                { "{\"keys\":[]} x", -EBADMSG, SYN },
                /* kid */
                { EC_KEY_WITH(GOOD_XY), -EBADMSG, KID },
                { EC_KEY_WITH(GOOD_XY ",\"kid\":\"\""), -EBADMSG, KID },
                { EC_KEY_WITH(GOOD_XY ",\"kid\":\"a b\""), -EBADMSG, KID },
                { EC_KEY_WITH(GOOD_XY ",\"kid\":5"), -EBADMSG, KID },
                { "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"jwt-svid\"," GOOD_XY ",\"kid\":\"k\"},"
                  "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"jwt-svid\"," GOOD_XY ",\"kid\":\"k\"}]}",
                  -EBADMSG, DUPKID },
                /* key material */
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"" RFC_EC_X "\""), -EBADMSG, MAT },
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"" RFC_EC_X "=\",\"y\":\"" RFC_EC_Y "\""), -EBADMSG, MAT },
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"" RFC_EC_X "\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyN\""),
                  -EBADMSG, MAT }, /* unused low bits set */
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"" RFC_EC_X "\",\"y\":\"5Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\""),
                  -EBADMSG, MAT }, /* off the curve */
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"AA" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\""), -EBADMSG, MAT },
                { EC_KEY_WITH("\"kid\":\"k\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\",\"crv\":\"P-256\""),
                  -EBADMSG, SYN }, /* duplicate member */
                { EC_KEY_WITH("\"kid\":\"k\"," GOOD_XY ",\"d\":\"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE\""),
                  -EBADMSG, MAT }, /* private key published */
                { "{\"keys\":[{\"kty\":\"EC\",\"crv\":5,\"use\":\"jwt-svid\",\"kid\":\"k\"," GOOD_XY "}]}", -EBADMSG, MAT },
                { "{\"keys\":[{\"kty\":7,\"use\":\"jwt-svid\",\"kid\":\"k\"}]}", -EBADMSG, MAT },
                { "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"use\":\"jwt-svid\",\"kid\":\"k\"}]}", -EBADMSG, MAT },
                /* alg restriction: known and fitting the key */
                { EC_KEY_WITH("\"kid\":\"k\"," GOOD_XY ",\"alg\":\"ES384\""), -EBADMSG, ALG },
                { EC_KEY_WITH("\"kid\":\"k\"," GOOD_XY ",\"alg\":\"HS256\""), -EBADMSG, ALG },
                { EC_KEY_WITH("\"kid\":\"k\"," GOOD_XY ",\"alg\":\"none\""), -EBADMSG, ALG },
                { EC_KEY_WITH("\"kid\":\"k\"," GOOD_XY ",\"alg\":1"), -EBADMSG, ALG },
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAB\",\"alg\":\"ES256\""), -EBADMSG, ALG },
                /* RSA */
                { RSA_KEY_WITH("\"n\":\"AA" RFC_RSA_N "\",\"e\":\"AQAB\""), -EBADMSG, MAT }, /* leading zero */
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AAEAAQ\""), -EBADMSG, MAT },
                /* RFC_RSA_N ends in "gw" (last byte 0x83): "gg" makes it 0x82, even. */
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N_EVEN "\",\"e\":\"AQAB\""), -EBADMSG, MAT },
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAA\""), -EBADMSG, MAT },   /* even */
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AQ\""), -EBADMSG, MAT },     /* 1 */
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAAAAAAAAAAAQ\""), -EBADMSG, MAT }, /* 9 bytes */
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\""), -EBADMSG, MAT },
                { RSA_KEY_WITH("\"n\":\"" RFC_RSA_N "\",\"e\":\"AQAB\",\"p\":\"AQ\""), -EBADMSG, MAT },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ae_jwks *s = (struct ae_jwks *)0x1;
                const char *why = NULL;
                int r = parse(cases[i].json, &s, &why);

                ck_assert_msg(r == cases[i].err, "case %zu: %d (%s)", i, r, why ? why : "-");
                ck_assert_msg(why && strcmp(why, cases[i].why) == 0, "case %zu: %s, want %s", i,
                              why ? why : "-", cases[i].why);
                ck_assert_ptr_eq(s, (struct ae_jwks *)0x1); /* untouched */
        }
#undef EC_KEY_WITH
#undef RSA_KEY_WITH
#undef GOOD_XY
}
END_TEST

START_TEST(reader_limits_and_arguments)
{
        struct ae_jwks *s = NULL;
        const char *why = NULL;
        char *big = malloc(AE_JWKS_MAX + 2);
        size_t n = 0;

        /* Over 64 KiB, even when it is only whitespace. */
        ck_assert_ptr_nonnull(big);
        memset(big, ' ', AE_JWKS_MAX + 1);
        memcpy(big, "{\"keys\":[]}", 11);
        ck_assert_int_eq(ae_jwks_parse("example.org", big, AE_JWKS_MAX + 1, &s, &why), -E2BIG);
        ck_assert_int_eq(ae_jwks_parse("example.org", big, AE_JWKS_MAX, &s, &why), 0);
        ae_jwks_free(s);
        s = NULL;
        /* 65 elements, each skipped: still too many. */
        n = (size_t)sprintf(big, "{\"keys\":[");
        for (int i = 0; i <= AE_JWKS_KEYS_MAX; i++)
                n += (size_t)sprintf(big + n, "%s{}", i ? "," : "");
        n += (size_t)sprintf(big + n, "]}");
        ck_assert_int_eq(ae_jwks_parse("example.org", big, n, &s, &why), -E2BIG);
        free(big);

        ck_assert_int_eq(ae_jwks_parse("Example.org", rfc_set, strlen(rfc_set), &s, &why), -EINVAL);
        ck_assert_int_eq(ae_jwks_parse("spiffe://example.org", rfc_set, strlen(rfc_set), &s, &why),
                         -EINVAL);
        ck_assert_int_eq(ae_jwks_parse(NULL, rfc_set, strlen(rfc_set), &s, &why), -EINVAL);
        ck_assert_int_eq(ae_jwks_parse("example.org", NULL, 0, &s, &why), -EINVAL);
        ck_assert_ptr_null(s);
        ae_jwks_free(NULL);
}
END_TEST

/* An RSA JWK of 1024 bits: well formed, too small. */
START_TEST(rsa_size_limit)
{
        _cleanup_(BN_freep) BIGNUM *n = NULL;
        uint8_t bytes[256];
        char b64[AE_B64_ENCODED_SIZE(256)], json[1024];
        struct ae_jwks *s = NULL;
        const char *why = NULL;
        int len;

        ck_assert_int_eq(EVP_PKEY_get_bn_param(rsa1024, "n", &n), 1);
        len = BN_bn2bin(n, bytes);
        ck_assert_int_eq(len, 128);
        ck_assert_int_eq(ae_b64_encode(AE_B64_URL, bytes, (size_t)len, b64, sizeof(b64), NULL), 0);
        snprintf(json, sizeof(json),
                 "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"jwt-svid\",\"kid\":\"r\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
                 b64);
        ck_assert_int_eq(parse(json, &s, &why), -EBADMSG);
        ck_assert_str_eq(why, MAT);
        ck_assert_ptr_null(s);
}
END_TEST

/* One JWK at a time (jwt_jwk.h): what is skipped versus refused. */
START_TEST(single_jwk)
{
        json_t *j = json_object();
        EVP_PKEY *k = NULL;

        ck_assert_int_eq(ae_jwt_jwk_add_public(p384, j), 0);
        ck_assert_int_eq(ae_jwt_jwk_to_public(j, &k), 0);
        ck_assert_int_eq(EVP_PKEY_eq(k, p384), 1);
        EVP_PKEY_free(k);
        k = NULL;
        ck_assert_int_eq(json_object_set_new(j, "crv", json_string("P-999")), 0);
        ck_assert_int_eq(ae_jwt_jwk_to_public(j, &k), -EOPNOTSUPP);
        ck_assert_int_eq(json_object_set_new(j, "kty", json_string("OKP")), 0);
        ck_assert_int_eq(ae_jwt_jwk_to_public(j, &k), -EOPNOTSUPP);
        ck_assert_ptr_null(k);
        json_decref(j);
        j = json_object();
        ck_assert_int_eq(ae_jwt_jwk_add_public(ed25519, j), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwt_jwk_add_public(rsa1024, j), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwt_jwk_to_public(j, &k), -EBADMSG); /* no kty */
        json_decref(j);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("jwks");
        TCase *tc = tcase_create("jwks");
        int r;

        p256 = EVP_EC_gen("P-256");
        p384 = EVP_EC_gen("P-384");
        p521 = EVP_EC_gen("P-521");
        rsa2048 = EVP_RSA_gen(2048);
        rsa1024 = EVP_RSA_gen(1024);
        ed25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        if (!p256 || !p384 || !p521 || !rsa2048 || !rsa1024 || !ed25519) {
                fprintf(stderr, "key generation failed\n");
                return EXIT_FAILURE;
        }
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, rfc7517_examples);
        tcase_add_test(tc, writer_round_trip);
        tcase_add_test(tc, writer_refuses);
        tcase_add_test(tc, reader_skips);
        tcase_add_test(tc, reader_refuses);
        tcase_add_test(tc, reader_limits_and_arguments);
        tcase_add_test(tc, rsa_size_limit);
        tcase_add_test(tc, single_jwk);
        suite_add_tcase(s, tc);
        r = ae_check_run(s);
        EVP_PKEY_free(p256);
        EVP_PKEY_free(p384);
        EVP_PKEY_free(p521);
        EVP_PKEY_free(rsa2048);
        EVP_PKEY_free(rsa1024);
        EVP_PKEY_free(ed25519);
        return r;
}
