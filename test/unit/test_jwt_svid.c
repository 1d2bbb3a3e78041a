/* JWT-SVIDs (svid-issuer/jwt_svid.h), the minting side and the round trip:
 * the exact header and payload written, the claims spliced in as the X.509
 * extension writes them, every key type through the validator, each mint
 * refusal, and the unverified reader. The validator's refusals are in
 * test_jwt_svid_reject.c (same binary). */
#include "svid-issuer/jwt_svid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "check_util.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "jwt_forge.h"
#include "jwt_test_env.h"

TCase *jwt_svid_reject_tcase(void);

static const char *const one_aud[] = { AUD };

static char *mint(EVP_PKEY *key, const char *kid, const struct ae_claims *claims,
                  const char *const *aud, size_t n_aud)
{
        struct ae_jwt_signer signer = { key, kid, TD };
        struct ae_jwt_svid_params p = { SUB, aud, n_aud, 300, claims };
        enum ae_jwt_reason r = AE_JWT_REASON_COUNT;
        char *token = NULL;

        ck_assert_int_eq(ae_jwt_svid_mint(&signer, &p, NOW, &token, &r), 0);
        ck_assert_int_eq(r, AE_JWT_OK);
        ck_assert_ptr_nonnull(token);
        return token;
}

static void validate_ok(const char *token, const char *audience, struct ae_jwt_svid *s)
{
        const struct ae_jwks *bundles[] = { ae_jwt_env.other_td, ae_jwt_env.td };
        enum ae_jwt_reason r = AE_JWT_REASON_COUNT;

        ck_assert_int_eq(ae_jwt_svid_validate(token, strlen(token), bundles, 2, audience, NOW, 0, s,
                                              &r), 0);
        ck_assert_msg(r == AE_JWT_OK, "%s", ae_jwt_reason_id(r));
}

/* The decoded text of part i (0 header, 1 payload) of a token. */
static void part(const char *token, int i, char *out, size_t cap)
{
        const char *start = token, *end;
        size_t n;

        for (int k = 0; k < i; k++)
                start = strchr(start, '.') + 1;
        end = strchr(start, '.');
        ck_assert_ptr_nonnull(end);
        ck_assert_int_eq(ae_b64_decode(AE_B64_URL, start, (size_t)(end - start), (uint8_t *)out,
                                       cap - 1, &n), 0);
        out[n] = '\0';
}

static void assert_same_claims(const struct ae_claims *a, const struct ae_claims *b)
{
        char ta[AE_CLAIMS_MAX + 1], tb[AE_CLAIMS_MAX + 1];
        size_t na, nb;

        /* The canonical text compares every field the writer keeps. */
        ck_assert_int_eq(ae_claims_encode(a, ta, sizeof(ta), &na), 0);
        ck_assert_int_eq(ae_claims_encode(b, tb, sizeof(tb), &nb), 0);
        ck_assert_str_eq(ta, tb);
        ck_assert(a->geo.latitude == b->geo.latitude);
}

START_TEST(exact_header_and_payload)
{
        struct ae_claims c;
        char text[AE_JWT_PAYLOAD_MAX], claims[AE_CLAIMS_MAX + 1], want[AE_JWT_PAYLOAD_MAX];
        const char *const two[] = { AUD, "spiffe://example.org/billing" };
        _cleanup_free_ char *plain = mint(ae_jwt_env.p256, "k256", NULL, one_aud, 1);
        _cleanup_free_ char *with = NULL, *multi = NULL;
        size_t n;

        part(plain, 0, text, sizeof(text));
        ck_assert_str_eq(text, "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"JWT\"}");
        part(plain, 1, text, sizeof(text));
        ck_assert_str_eq(text, "{\"sub\":\"" SUB "\",\"aud\":\"reports\",\"exp\":1795238700,"
                               "\"iat\":1795238400}");

        /* The claims' members, byte for byte as the extension's JSON. */
        ae_test_claims_sample(&c, SUB);
        ck_assert_int_eq(ae_claims_encode(&c, claims, sizeof(claims), &n), 0);
        with = mint(ae_jwt_env.p256, "k256", &c, one_aud, 1);
        part(with, 1, text, sizeof(text));
        snprintf(want, sizeof(want),
                 "{\"sub\":\"" SUB "\",\"aud\":\"reports\",\"exp\":1795238700,\"iat\":1795238400,%s",
                 claims + 1);
        ck_assert_str_eq(text, want);

        /* Several audiences: an array, in the order given. */
        multi = mint(ae_jwt_env.p256, "k256", NULL, two, 2);
        part(multi, 1, text, sizeof(text));
        ck_assert_ptr_nonnull(strstr(text, "\"aud\":[\"reports\",\"spiffe://example.org/billing\"]"));
}
END_TEST

/* Every key type mints, and the validator returns what was minted. */
START_TEST(round_trip_every_key)
{
        const struct {
                EVP_PKEY *key;
                const char *kid;
                enum ae_jwt_alg alg;
                const char *header_alg;
        } keys[] = {
                { ae_jwt_env.p256, "k256", AE_JWT_ES256, "ES256" },
                { ae_jwt_env.p384, "k384", AE_JWT_ES384, "ES384" },
                { ae_jwt_env.p521, "k521", AE_JWT_ES512, "ES512" },
                { ae_jwt_env.rsa, "rsa", AE_JWT_RS256, "RS256" },
        };
        struct ae_claims c;

        ae_test_claims_sample(&c, SUB);
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                _cleanup_free_ char *token = mint(keys[i].key, keys[i].kid, &c, one_aud, 1);
                _cleanup_free_ struct ae_jwt_svid *s = calloc(1, sizeof(*s));
                char header[AE_JWT_HEADER_MAX], sub[AE_SPIFFE_ID_SIZE];

                ck_assert_ptr_nonnull(s);
                part(token, 0, header, sizeof(header));
                ck_assert_ptr_nonnull(strstr(header, keys[i].header_alg));
                validate_ok(token, AUD, s);
                ck_assert_int_eq(ae_spiffe_id_format(&s->sub, sub, sizeof(sub), NULL), 0);
                ck_assert_str_eq(sub, SUB);
                ck_assert_str_eq(s->sub.trust_domain, TD);
                ck_assert_int_eq(s->alg, keys[i].alg);
                ck_assert_str_eq(s->kid, keys[i].kid);
                ck_assert_uint_eq(s->n_aud, 1);
                ck_assert_str_eq(s->aud[0], AUD);
                ck_assert_int_eq(s->exp, NOW + 300);
                ck_assert(s->has_iat);
                ck_assert_int_eq(s->iat, NOW);
                ck_assert(!s->has_nbf);
                ck_assert(s->has_claims);
                assert_same_claims(&c, &s->claims);
        }
}
END_TEST

START_TEST(round_trip_without_claims_and_audiences)
{
        const char *const aud[] = { "a", "b", AUD };
        _cleanup_free_ char *token = mint(ae_jwt_env.p256, "k256", NULL, aud, 3);
        _cleanup_free_ struct ae_jwt_svid *s = calloc(1, sizeof(*s));

        ck_assert_ptr_nonnull(s);
        for (size_t i = 0; i < 3; i++) {
                validate_ok(token, aud[i], s);
                ck_assert(!s->has_claims);
                ck_assert_uint_eq(s->n_aud, 3);
                ck_assert_str_eq(s->aud[0], "a");
                ck_assert_str_eq(s->aud[2], AUD);
        }
}
END_TEST

/* Each thing the minter refuses, with its reason; nothing is returned. */
START_TEST(mint_refusals)
{
        struct ae_claims good, mismatch, bad;
        const char *const nine[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
        const char *const empty[] = { "" };
        const char *const not_utf8[] = { "\xff\xfe" };
        char long_aud[AE_JWT_AUD_VALUE_MAX + 2], long_kid[AE_JWT_KID_MAX + 2];
        const char *const too_long[] = { long_aud };
        char control[AE_JWT_AUD_VALUE_MAX + 1];
        const char *const controls[8] = { control, control, control, control,
                                          control, control, control, control };
        const struct {
                EVP_PKEY *key;
                const char *kid, *td, *sub;
                const char *const *aud;
                size_t n_aud;
                int64_t ttl;
                const struct ae_claims *claims;
                int err;
                enum ae_jwt_reason reason;
        } cases[] = {
                { ae_jwt_env.p256, "k", TD, "spiffe://example.org", one_aud, 1, 60, NULL, -EINVAL, AE_JWT_SUB_INVALID },
                { ae_jwt_env.p256, "k", TD, "spiffe://Example.org/w", one_aud, 1, 60, NULL, -EINVAL, AE_JWT_SUB_INVALID },
                { ae_jwt_env.p256, "k", TD, "web", one_aud, 1, 60, NULL, -EINVAL, AE_JWT_SUB_INVALID },
                { ae_jwt_env.p256, "k", TD, "spiffe://other.org/w", one_aud, 1, 60, NULL, -EINVAL,
                  AE_JWT_SUB_FOREIGN_TRUST_DOMAIN },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 0, 60, NULL, -EINVAL, AE_JWT_AUD_MISSING },
                { ae_jwt_env.p256, "k", TD, SUB, nine, 9, 60, NULL, -EINVAL, AE_JWT_AUD_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, empty, 1, 60, NULL, -EINVAL, AE_JWT_AUD_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, not_utf8, 1, 60, NULL, -EINVAL, AE_JWT_AUD_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, too_long, 1, 60, NULL, -EINVAL, AE_JWT_AUD_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, 0, NULL, -EINVAL, AE_JWT_TTL_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, -5, NULL, -EINVAL, AE_JWT_TTL_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, AE_JWT_SVID_TTL_MAX + 1, NULL, -EINVAL,
                  AE_JWT_TTL_INVALID },
                { ae_jwt_env.p256, "", TD, SUB, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_KID_INVALID },
                { ae_jwt_env.p256, "a b", TD, SUB, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_KID_INVALID },
                { ae_jwt_env.p256, long_kid, TD, SUB, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_KID_INVALID },
                { ae_jwt_env.rsa1024, "k", TD, SUB, one_aud, 1, 60, NULL, -EOPNOTSUPP, AE_JWT_KEY_UNSUPPORTED },
                { ae_jwt_env.ed25519, "k", TD, SUB, one_aud, 1, 60, NULL, -EOPNOTSUPP, AE_JWT_KEY_UNSUPPORTED },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, 60, &bad, -EINVAL, AE_JWT_CLAIMS_INVALID },
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, 60, &mismatch, -EINVAL,
                  AE_JWT_CLAIMS_SUB_MISMATCH },
                /* Control characters grow six-fold as JSON escapes. */
                { ae_jwt_env.p256, "k", TD, SUB, controls, 8, 60, NULL, -EMSGSIZE, AE_JWT_TOKEN_TOO_LARGE },
                { ae_jwt_env.p256, "k", "Example.org", SUB, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_INTERNAL },
                { ae_jwt_env.p256, NULL, TD, SUB, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_INTERNAL },
                { ae_jwt_env.p256, "k", TD, NULL, one_aud, 1, 60, NULL, -EINVAL, AE_JWT_INTERNAL },
                /* the control case: everything right */
                { ae_jwt_env.p256, "k", TD, SUB, one_aud, 1, AE_JWT_SVID_TTL_MAX, &good, 0, AE_JWT_OK },
        };

        memset(long_aud, 'a', sizeof(long_aud) - 1);
        long_aud[sizeof(long_aud) - 1] = '\0';
        memset(long_kid, 'k', sizeof(long_kid) - 1);
        long_kid[sizeof(long_kid) - 1] = '\0';
        memset(control, '\x01', sizeof(control) - 1);
        control[sizeof(control) - 1] = '\0';
        ae_test_claims_sample(&good, SUB);
        ae_test_claims_sample(&mismatch, "spiffe://example.org/ns/prod/db");
        ae_test_claims_sample(&bad, SUB);
        bad.geo.n_zones = 0; /* pog without a zone */

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ae_jwt_signer signer = { cases[i].key, cases[i].kid, cases[i].td };
                struct ae_jwt_svid_params p = { cases[i].sub, cases[i].aud, cases[i].n_aud,
                                                cases[i].ttl, cases[i].claims };
                enum ae_jwt_reason r = AE_JWT_REASON_COUNT;
                char *token = (char *)"untouched";
                int ret = ae_jwt_svid_mint(&signer, &p, NOW, &token, &r);

                ck_assert_msg(ret == cases[i].err && r == cases[i].reason,
                              "case %zu: %d %s, want %d %s", i, ret, ae_jwt_reason_id(r),
                              cases[i].err, ae_jwt_reason_id(cases[i].reason));
                if (ret == 0)
                        free(token);
                else
                        ck_assert_str_eq(token, "untouched");
        }
}
END_TEST

START_TEST(mint_arguments)
{
        struct ae_jwt_signer signer = { ae_jwt_env.p256, "k256", TD };
        struct ae_jwt_svid_params p = { SUB, one_aud, 1, 300, NULL };
        enum ae_jwt_reason r;
        char *token = NULL;
        EVP_PKEY *pub = NULL;

        ck_assert_int_eq(ae_jwt_svid_mint(NULL, &p, NOW, &token, &r), -EINVAL);
        ck_assert_int_eq(r, AE_JWT_INTERNAL);
        ck_assert_int_eq(ae_jwt_svid_mint(&signer, NULL, NOW, &token, &r), -EINVAL);
        ck_assert_int_eq(ae_jwt_svid_mint(&signer, &p, NOW, NULL, &r), -EINVAL);
        ck_assert_int_eq(ae_jwt_svid_mint(&signer, &p, -1, &token, &r), -EINVAL);
        ck_assert_int_eq(r, AE_JWT_INTERNAL);
        ck_assert_int_eq(ae_jwt_svid_mint(&signer, &p, AE_JWT_TIME_MAX - 299, &token, &r), -EINVAL);
        ck_assert_int_eq(ae_jwt_svid_mint(&signer, &p, AE_JWT_TIME_MAX - 300, &token, NULL), 0);
        free(token);
        token = NULL;

        /* The public half alone cannot sign: an internal failure. */
        {
                _cleanup_free_ unsigned char *der = NULL;
                const unsigned char *q;
                int n = i2d_PUBKEY(ae_jwt_env.p256, &der);

                ck_assert_int_gt(n, 0);
                q = der;
                pub = d2i_PUBKEY(NULL, &q, n);
                ck_assert_ptr_nonnull(pub);
        }
        signer.key = pub;
        ck_assert_int_lt(ae_jwt_svid_mint(&signer, &p, NOW, &token, &r), 0);
        ck_assert_int_eq(r, AE_JWT_INTERNAL);
        ck_assert_ptr_null(token);
        EVP_PKEY_free(pub);
}
END_TEST

START_TEST(unverified_reader)
{
        _cleanup_free_ char *token = mint(ae_jwt_env.p256, "k256", NULL, one_aud, 1);
        _cleanup_free_ char *odd = NULL;
        char *header = NULL, *payload = NULL;
        enum ae_jwt_reason r = AE_JWT_REASON_COUNT;

        ck_assert_int_eq(ae_jwt_svid_decode_unverified(token, strlen(token), &header, &payload, &r), 0);
        ck_assert_int_eq(r, AE_JWT_OK);
        ck_assert_str_eq(header, "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"JWT\"}");
        ck_assert_str_eq(payload, "{\"sub\":\"" SUB "\",\"aud\":\"reports\",\"exp\":1795238700,"
                                  "\"iat\":1795238400}");
        free(header);
        free(payload);

        /* It reads what the validator would refuse (unsigned, foreign
         * members) and escapes what a terminal must not see raw. */
        odd = ae_test_jwt_join("{\"alg\":\"none\",\"x5u\":\"http://evil\"}",
                               "{\"sub\":\"\\u001b[2J\xc3\xa4\"}", "");
        ck_assert_int_eq(ae_jwt_svid_decode_unverified(odd, strlen(odd), &header, &payload, &r), 0);
        ck_assert_str_eq(header, "{\"alg\":\"none\",\"x5u\":\"http://evil\"}");
        ck_assert_str_eq(payload, "{\"sub\":\"\\u001B[2J\\u00E4\"}");
        free(header);
        free(payload);
        header = payload = NULL;

        /* Its form checks, with reasons. */
        ck_assert_int_eq(ae_jwt_svid_decode_unverified("a.b", 3, &header, &payload, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_JWT_MALFORMED);
        free(odd);
        odd = ae_test_jwt_join("[]", "{}", "");
        ck_assert_int_eq(ae_jwt_svid_decode_unverified(odd, strlen(odd), &header, &payload, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_JWT_HEADER_MALFORMED);
        free(odd);
        odd = ae_test_jwt_join("{}", "{\"a\":1,\"a\":2}", "");
        ck_assert_int_eq(ae_jwt_svid_decode_unverified(odd, strlen(odd), &header, &payload, &r), -EBADMSG);
        ck_assert_int_eq(r, AE_JWT_PAYLOAD_MALFORMED);
        ck_assert_ptr_null(header);
        ck_assert_ptr_null(payload);
        ck_assert_int_eq(ae_jwt_svid_decode_unverified(NULL, 1, &header, &payload, &r), -EINVAL);
}
END_TEST

START_TEST(reason_texts)
{
        for (int i = 0; i < AE_JWT_REASON_COUNT; i++) {
                const char *id = ae_jwt_reason_id((enum ae_jwt_reason)i);

                ck_assert_str_ne(id, "unknown");
                ck_assert_str_ne(ae_jwt_reason_str((enum ae_jwt_reason)i), "unknown reason");
                for (int j = 0; j < i; j++)
                        ck_assert_str_ne(id, ae_jwt_reason_id((enum ae_jwt_reason)j));
        }
        ck_assert_str_eq(ae_jwt_reason_id(AE_JWT_ALG_NONE), "alg_none");
        ck_assert_str_eq(ae_jwt_reason_id(AE_JWT_REASON_COUNT), "unknown");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("jwt_svid");
        TCase *tc = tcase_create("mint");
        int r;

        if (ae_test_jwt_env_init() < 0)
                return EXIT_FAILURE;
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, exact_header_and_payload);
        tcase_add_test(tc, round_trip_every_key);
        tcase_add_test(tc, round_trip_without_claims_and_audiences);
        tcase_add_test(tc, mint_refusals);
        tcase_add_test(tc, mint_arguments);
        tcase_add_test(tc, unverified_reader);
        tcase_add_test(tc, reason_texts);
        suite_add_tcase(s, tc);
        suite_add_tcase(s, jwt_svid_reject_tcase());
        r = ae_check_run(s);
        ae_test_jwt_env_free();
        return r;
}
