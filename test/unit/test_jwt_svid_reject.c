/* The JWT-SVID validator's refusals (svid-issuer/jwt_svid.h), each with its
 * exact reason: forged tokens with one thing wrong, the alg-confusion and
 * "none" attacks, keys looked up in the right trust domain only, times at
 * their edges, sizes at their limits. A refused token leaves *ret as it
 * was. */
#include "svid-issuer/jwt_svid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "jwt_forge.h"
#include "jwt_test_env.h"

TCase *jwt_svid_reject_tcase(void);

#define GOOD_HEADER "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"JWT\"}"
#define EXP "1795238700" /* NOW + 300 */
#define IAT "1795238400" /* NOW */
#define GOOD_PAYLOAD "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",\"iat\":" IAT "}"

/* Validate with example.org's and other.org's bundles; the reason. On a
 * refusal, checks the error and that *ret stayed as it was. */
static enum ae_jwt_reason check_with(const char *token, size_t len,
                                     const struct ae_jwks *const *bundles, size_t n,
                                     int64_t now, int64_t leeway)
{
        _cleanup_free_ struct ae_jwt_svid *s = malloc(sizeof(*s));
        _cleanup_free_ struct ae_jwt_svid *before = malloc(sizeof(*before));
        enum ae_jwt_reason r = AE_JWT_REASON_COUNT;
        int ret;

        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(before);
        memset(s, 0x6b, sizeof(*s));
        memcpy(before, s, sizeof(*s));
        ret = ae_jwt_svid_validate(token, len, bundles, n, AUD, now, leeway, s, &r);
        if (r == AE_JWT_OK) {
                ck_assert_int_eq(ret, 0);
        } else {
                ck_assert_int_eq(ret, r == AE_JWT_TOKEN_TOO_LARGE ? -EMSGSIZE : -EBADMSG);
                ck_assert(memcmp(s, before, sizeof(*s)) == 0);
        }
        return r;
}

static enum ae_jwt_reason check_at(const char *token, int64_t now, int64_t leeway)
{
        const struct ae_jwks *bundles[] = { ae_jwt_env.td, ae_jwt_env.other_td };

        return check_with(token, strlen(token), bundles, 2, now, leeway);
}

static enum ae_jwt_reason check(const char *token)
{
        return check_at(token, NOW, 0);
}

/* Signed by example.org's P-256 key (kid k256) unless the header says
 * another of our kids; the alg is the header's. */
static enum ae_jwt_reason forged(const char *header, const char *payload)
{
        EVP_PKEY *key = ae_jwt_env.p256;
        enum ae_jwt_alg alg = AE_JWT_ES256;
        _cleanup_free_ char *token = NULL;

        if (strstr(header, "\"kid\":\"rsa\"")) {
                key = ae_jwt_env.rsa;
                alg = strstr(header, "PS256") ? AE_JWT_PS256 : AE_JWT_RS256;
        }
        token = ae_test_jwt_forge(key, alg, header, payload);
        return check(token);
}

#define ASSERT_REASON(expr, want)                                              \
        do {                                                                   \
                enum ae_jwt_reason got_ = (expr);                              \
                ck_assert_msg(got_ == (want), "%s: got %s, want %s", #expr,    \
                              ae_jwt_reason_id(got_), ae_jwt_reason_id(want)); \
        } while (0)

START_TEST(control_case_passes)
{
        /* The baseline every refusal below differs from in one thing. */
        ASSERT_REASON(forged(GOOD_HEADER, GOOD_PAYLOAD), AE_JWT_OK);
        ASSERT_REASON(forged("{\"alg\":\"ES256\",\"kid\":\"k256\"}", GOOD_PAYLOAD), AE_JWT_OK);
        ASSERT_REASON(forged("{\"typ\":\"JOSE\",\"kid\":\"k256\",\"alg\":\"ES256\"}", GOOD_PAYLOAD),
                      AE_JWT_OK);
        ASSERT_REASON(forged("{\"alg\":\"PS256\",\"kid\":\"rsa\"}", GOOD_PAYLOAD), AE_JWT_OK);
        ASSERT_REASON(forged("{\"alg\":\"RS256\",\"kid\":\"rsa\"}", GOOD_PAYLOAD), AE_JWT_OK);
        /* Other claims are the issuer's business (standard section 3). */
        ASSERT_REASON(forged(GOOD_HEADER, "{\"sub\":\"" SUB "\",\"aud\":[\"x\",\"" AUD "\"],\"exp\":" EXP
                                          ",\"iss\":\"me\",\"jti\":\"1\",\"nbf\":1,\"custom\":{\"a\":[]}}"),
                      AE_JWT_OK);
}
END_TEST

START_TEST(token_form)
{
        static const char *const malformed[] = {
                "", "abc", "a.b", "a.b.c.d", ".e30.", "e30..", "e30.e30", "e30.e30.e30.e30",
                "e30.e30.A", "e30.e30.AB=", "e30.e30.AB+", "e30 .e30.", "e30.e30.\n", "e30.e3=.",
                "e31.e30.", /* unused low bits set */
        };
        char *big;

        for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
                ck_assert_msg(check(malformed[i]) == AE_JWT_MALFORMED, "%s", malformed[i]);
        /* Embedded NUL. */
        {
                const struct ae_jwks *b[] = { ae_jwt_env.td };

                ASSERT_REASON(check_with("e30.e30.\0", 9, b, 1, NOW, 0), AE_JWT_MALFORMED);
        }
        /* One character over the limit, before anything else is looked at. */
        big = malloc(AE_JWT_TOKEN_MAX + 2);
        ck_assert_ptr_nonnull(big);
        memset(big, 'A', AE_JWT_TOKEN_MAX + 1);
        big[AE_JWT_TOKEN_MAX + 1] = '\0';
        ASSERT_REASON(check(big), AE_JWT_TOKEN_TOO_LARGE);
        /* A header over its own limit. */
        {
                char header[AE_JWT_HEADER_MAX + 64];

                snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"JWT\"%*s}",
                         AE_JWT_HEADER_MAX - 38, "");
                ck_assert_uint_gt(strlen(header), AE_JWT_HEADER_MAX);
                ASSERT_REASON(forged(header, GOOD_PAYLOAD), AE_JWT_TOKEN_TOO_LARGE);
                header[AE_JWT_HEADER_MAX - 1] = '}';
                header[AE_JWT_HEADER_MAX] = '\0';
                ASSERT_REASON(forged(header, GOOD_PAYLOAD), AE_JWT_OK);
        }
        /* A signature part larger than any signature. */
        {
                _cleanup_free_ char *sig = malloc(AE_B64_ENCODED_SIZE(AE_JWT_SIG_MAX + 3));
                _cleanup_free_ char *t = NULL;

                ck_assert_ptr_nonnull(sig);
                memset(sig, 'A', (AE_JWT_SIG_MAX + 3) / 3 * 4);
                sig[(AE_JWT_SIG_MAX + 3) / 3 * 4] = '\0';
                t = ae_test_jwt_join(GOOD_HEADER, GOOD_PAYLOAD, sig);
                ASSERT_REASON(check(t), AE_JWT_TOKEN_TOO_LARGE);
        }
        free(big);
}
END_TEST

START_TEST(header_refusals)
{
        static const struct {
                const char *header;
                enum ae_jwt_reason reason;
        } cases[] = {
                { "[]", AE_JWT_HEADER_MALFORMED },
                { "\"ES256\"", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\"", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":\"ES256\",\"alg\":\"ES256\",\"kid\":\"k256\"}", AE_JWT_HEADER_MALFORMED },
                { "{\"kid\":\"k256\"}", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":256,\"kid\":\"k256\"}", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":[\"ES256\"],\"kid\":\"k256\"}", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":1}", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":\"ES256\",\"kid\":7}", AE_JWT_HEADER_MALFORMED },
                /* Only alg, kid and typ (standard section 2). */
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"jku\":\"https://evil/keys\"}", AE_JWT_HEADER_NOT_ALLOWED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"x5u\":\"https://evil\"}", AE_JWT_HEADER_NOT_ALLOWED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"jwk\":{}}", AE_JWT_HEADER_NOT_ALLOWED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"crit\":[\"exp\"]}", AE_JWT_HEADER_NOT_ALLOWED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"cty\":\"JWT\"}", AE_JWT_HEADER_NOT_ALLOWED },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"at+jwt\"}", AE_JWT_TYP_INVALID },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"jwt\"}", AE_JWT_TYP_INVALID },
                { "{\"alg\":\"ES256\",\"kid\":\"k256\",\"typ\":\"\"}", AE_JWT_TYP_INVALID },
                /* alg is judged before anything else in the header. */
                { "{\"alg\":\"HS256\",\"kid\":\"k256\",\"jku\":\"x\"}", AE_JWT_ALG_NOT_ALLOWED },
                { "{\"alg\":\"ES256K\",\"kid\":\"k256\"}", AE_JWT_ALG_NOT_ALLOWED },
                { "{\"alg\":\"EdDSA\",\"kid\":\"k256\"}", AE_JWT_ALG_NOT_ALLOWED },
                { "{\"alg\":\"es256\",\"kid\":\"k256\"}", AE_JWT_ALG_NOT_ALLOWED },
                { "{\"alg\":\"\",\"kid\":\"k256\"}", AE_JWT_ALG_NOT_ALLOWED },
                { "{\"alg\":\"ES256\"}", AE_JWT_KID_MISSING },
                { "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", AE_JWT_KID_MISSING },
                { "{\"alg\":\"ES256\",\"kid\":\"\"}", AE_JWT_KID_INVALID },
                { "{\"alg\":\"ES256\",\"kid\":\"k 256\"}", AE_JWT_KID_INVALID },
                { "{\"alg\":\"ES256\",\"kid\":\"k\\u00e4\"}", AE_JWT_KID_INVALID },
                { "{\"alg\":\"ES256\",\"kid\":\"k\\u0000\"}", AE_JWT_HEADER_MALFORMED },
                { "{\"alg\":\"ES256\",\"kid\":\"k255\"}", AE_JWT_KID_UNKNOWN },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                enum ae_jwt_reason r = forged(cases[i].header, GOOD_PAYLOAD);

                ck_assert_msg(r == cases[i].reason, "%s: got %s, want %s", cases[i].header,
                              ae_jwt_reason_id(r), ae_jwt_reason_id(cases[i].reason));
        }
}
END_TEST

/* alg confusion: HS256 keyed with the bundle key's public PEM, exactly
 * what a validator that lets the token choose the algorithm would accept.
 * The HMAC is correct; the alg alone gets it refused. */
START_TEST(hmac_with_public_key_refused)
{
        static const char *const headers[] = {
                "{\"alg\":\"HS256\",\"kid\":\"k256\",\"typ\":\"JWT\"}",
                "{\"alg\":\"HS384\",\"kid\":\"k256\"}",
                "{\"alg\":\"HS512\",\"kid\":\"rsa\"}",
        };
        static const char *const mds[] = { "SHA256", "SHA384", "SHA512" };

        for (size_t i = 0; i < 3; i++) {
                const char *pem = i < 2 ? ae_jwt_env.p256_pub_pem : ae_jwt_env.rsa_pub_pem;
                _cleanup_free_ char *t =
                        ae_test_jwt_forge_hmac(mds[i], pem, strlen(pem), headers[i], GOOD_PAYLOAD);

                ASSERT_REASON(check(t), AE_JWT_ALG_NOT_ALLOWED);
        }
}
END_TEST

START_TEST(unsigned_tokens_refused)
{
        static const char *const headers[] = {
                "{\"alg\":\"none\",\"kid\":\"k256\"}", "{\"alg\":\"None\",\"kid\":\"k256\"}",
                "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",   "{\"alg\":\"nOnE\"}",
        };

        for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
                _cleanup_free_ char *t = ae_test_jwt_join(headers[i], GOOD_PAYLOAD, "");
                _cleanup_free_ char *with_sig = ae_test_jwt_join(headers[i], GOOD_PAYLOAD, "AAAA");

                ASSERT_REASON(check(t), AE_JWT_ALG_NONE);
                ASSERT_REASON(check(with_sig), AE_JWT_ALG_NONE);
        }
}
END_TEST

/* The key comes from sub's trust domain's bundle and nowhere else. */
START_TEST(key_from_subs_trust_domain_only)
{
        const struct ae_jwks *both[] = { ae_jwt_env.td, ae_jwt_env.other_td };
        const struct ae_jwks *td_only[] = { ae_jwt_env.td };
        const struct ae_jwks *other_only[] = { ae_jwt_env.other_td };
        _cleanup_free_ char *forged_td = ae_test_jwt_forge(
                ae_jwt_env.other, AE_JWT_ES256, "{\"alg\":\"ES256\",\"kid\":\"o1\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *own_td = ae_test_jwt_forge(
                ae_jwt_env.other, AE_JWT_ES256, "{\"alg\":\"ES256\",\"kid\":\"o1\"}",
                "{\"sub\":\"spiffe://other.org/w\",\"aud\":\"" AUD "\",\"exp\":" EXP "}");

        /* other.org's key vouching for example.org: its kid is not in
         * example.org's bundle, although another bundle holds it. */
        ASSERT_REASON(check_with(forged_td, strlen(forged_td), both, 2, NOW, 0), AE_JWT_KID_UNKNOWN);
        /* For its own trust domain it is fine. */
        ASSERT_REASON(check_with(own_td, strlen(own_td), both, 2, NOW, 0), AE_JWT_OK);
        /* Without the bundle of sub's trust domain, nothing vouches. */
        ASSERT_REASON(check_with(own_td, strlen(own_td), td_only, 1, NOW, 0),
                      AE_JWT_SUB_FOREIGN_TRUST_DOMAIN);
        ASSERT_REASON(check_with(forged_td, strlen(forged_td), other_only, 1, NOW, 0),
                      AE_JWT_SUB_FOREIGN_TRUST_DOMAIN);
        ASSERT_REASON(check_with(own_td, strlen(own_td), NULL, 0, NOW, 0),
                      AE_JWT_SUB_FOREIGN_TRUST_DOMAIN);
}
END_TEST

START_TEST(alg_must_fit_the_key)
{
        const struct ae_jwks *restricted[] = { ae_jwt_env.restricted };
        _cleanup_free_ char *ps = ae_test_jwt_forge(ae_jwt_env.rsa, AE_JWT_PS256,
                                                    "{\"alg\":\"PS256\",\"kid\":\"rsa\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *rs = ae_test_jwt_forge(ae_jwt_env.rsa, AE_JWT_RS256,
                                                    "{\"alg\":\"RS256\",\"kid\":\"rsa\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *es384 = ae_test_jwt_forge(ae_jwt_env.p384, AE_JWT_ES384,
                                                       "{\"alg\":\"ES384\",\"kid\":\"k256\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *rs_on_ec = ae_test_jwt_forge(ae_jwt_env.rsa, AE_JWT_RS256,
                                                          "{\"alg\":\"RS256\",\"kid\":\"k256\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *es_on_rsa = ae_test_jwt_forge(ae_jwt_env.p256, AE_JWT_ES256,
                                                           "{\"alg\":\"ES256\",\"kid\":\"rsa\"}", GOOD_PAYLOAD);
        _cleanup_free_ char *es512_on_p384 = ae_test_jwt_forge(
                ae_jwt_env.p521, AE_JWT_ES512, "{\"alg\":\"ES512\",\"kid\":\"k384\"}", GOOD_PAYLOAD);

        ASSERT_REASON(check(es384), AE_JWT_ALG_KEY_MISMATCH);
        ASSERT_REASON(check(rs_on_ec), AE_JWT_ALG_KEY_MISMATCH);
        ASSERT_REASON(check(es_on_rsa), AE_JWT_ALG_KEY_MISMATCH);
        ASSERT_REASON(check(es512_on_p384), AE_JWT_ALG_KEY_MISMATCH);
        /* A JWK's own "alg" narrows its key further. */
        ASSERT_REASON(check(ps), AE_JWT_OK);
        ASSERT_REASON(check_with(ps, strlen(ps), restricted, 1, NOW, 0), AE_JWT_ALG_KEY_MISMATCH);
        ASSERT_REASON(check_with(rs, strlen(rs), restricted, 1, NOW, 0), AE_JWT_OK);
}
END_TEST

START_TEST(signature_refusals)
{
        _cleanup_free_ char *good = ae_test_jwt_forge(ae_jwt_env.p256, AE_JWT_ES256, GOOD_HEADER,
                                                      GOOD_PAYLOAD);
        _cleanup_free_ char *other_key = ae_test_jwt_forge(ae_jwt_env.other, AE_JWT_ES256,
                                                           GOOD_HEADER, GOOD_PAYLOAD);
        _cleanup_free_ char *edited = ae_test_jwt_join(
                GOOD_HEADER, "{\"sub\":\"spiffe://example.org/ns/prod/admin\",\"aud\":\"" AUD "\",\"exp\":" EXP "}",
                strrchr(good, '.') + 1);
        _cleanup_free_ char *empty = ae_test_jwt_join(GOOD_HEADER, GOOD_PAYLOAD, "");
        char *last;

        ASSERT_REASON(check(good), AE_JWT_OK);
        ASSERT_REASON(check(other_key), AE_JWT_SIGNATURE_INVALID);
        ASSERT_REASON(check(edited), AE_JWT_SIGNATURE_INVALID);
        ASSERT_REASON(check(empty), AE_JWT_SIGNATURE_INVALID);
        /* One symbol of the signature changed, then its last byte dropped
         * (64 bytes are 21 groups of four symbols and two more: without
         * those two it is still base64url, of 63 bytes). */
        last = good + strlen(good) - 5;
        *last = *last == 'A' ? 'B' : 'A';
        ASSERT_REASON(check(good), AE_JWT_SIGNATURE_INVALID);
        good[strlen(good) - 2] = '\0';
        ASSERT_REASON(check(good), AE_JWT_SIGNATURE_INVALID);
}
END_TEST

START_TEST(payload_refusals)
{
        static const struct {
                const char *payload;
                enum ae_jwt_reason reason;
        } cases[] = {
                { "[]", AE_JWT_PAYLOAD_MALFORMED },
                { "not json", AE_JWT_PAYLOAD_MALFORMED },
                { "{\"sub\":\"" SUB "\",\"sub\":\"spiffe://example.org/admin\",\"aud\":\"" AUD "\",\"exp\":" EXP "}",
                  AE_JWT_PAYLOAD_MALFORMED },
                { "{\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_SUB_MISSING },
                { "{\"sub\":7,\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"spiffe://example.org\",\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_SUB_INVALID },
                { "{\"sub\":\"spiffe://Example.org/w\",\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_SUB_INVALID },
                { "{\"sub\":\"spiffe://example.org/a/../b\",\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_SUB_INVALID },
                { "{\"sub\":\"https://example.org/w\",\"aud\":\"" AUD "\",\"exp\":" EXP "}", AE_JWT_SUB_INVALID },
                { "{\"sub\":\"spiffe://third.org/w\",\"aud\":\"" AUD "\",\"exp\":" EXP "}",
                  AE_JWT_SUB_FOREIGN_TRUST_DOMAIN },
                /* aud */
                { "{\"sub\":\"" SUB "\",\"exp\":" EXP "}", AE_JWT_AUD_MISSING },
                { "{\"sub\":\"" SUB "\",\"aud\":[],\"exp\":" EXP "}", AE_JWT_AUD_MISSING },
                { "{\"sub\":\"" SUB "\",\"aud\":5,\"exp\":" EXP "}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":null,\"exp\":" EXP "}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":[\"" AUD "\",5],\"exp\":" EXP "}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"" AUD "\"],\"exp\":" EXP "}",
                  AE_JWT_AUD_INVALID },
                { "{\"sub\":\"" SUB "\",\"aud\":[\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"" AUD "\"],\"exp\":" EXP "}",
                  AE_JWT_OK },
                { "{\"sub\":\"" SUB "\",\"aud\":\"\",\"exp\":" EXP "}", AE_JWT_AUD_INVALID },
                { "{\"sub\":\"" SUB "\",\"aud\":\"report\",\"exp\":" EXP "}", AE_JWT_AUD_MISMATCH },
                { "{\"sub\":\"" SUB "\",\"aud\":\"Reports\",\"exp\":" EXP "}", AE_JWT_AUD_MISMATCH },
                { "{\"sub\":\"" SUB "\",\"aud\":[\"reports \"],\"exp\":" EXP "}", AE_JWT_AUD_MISMATCH },
                /* exp, nbf, iat types and ranges */
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\"}", AE_JWT_EXP_MISSING },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":\"" EXP "\"}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":null}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":-1}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":253402300800}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":253402300799}", AE_JWT_OK },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":1e300}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",\"nbf\":true}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",\"iat\":\"now\"}", AE_JWT_CLAIM_TYPE },
                { "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",\"iat\":-0.5}", AE_JWT_CLAIM_TYPE },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                enum ae_jwt_reason r = forged(GOOD_HEADER, cases[i].payload);

                ck_assert_msg(r == cases[i].reason, "%s: got %s, want %s", cases[i].payload,
                              ae_jwt_reason_id(r), ae_jwt_reason_id(cases[i].reason));
        }
}
END_TEST

/* Times at their edges, with and without leeway. */
START_TEST(time_edges)
{
        static const struct {
                const char *times;
                int64_t now, leeway;
                enum ae_jwt_reason reason;
        } cases[] = {
                { "\"exp\":1795238401", NOW, 0, AE_JWT_OK },
                { "\"exp\":1795238400", NOW, 0, AE_JWT_EXPIRED },       /* now == exp */
                { "\"exp\":1795238399", NOW, 0, AE_JWT_EXPIRED },
                { "\"exp\":1795238396", NOW, 5, AE_JWT_OK },
                { "\"exp\":1795238395", NOW, 5, AE_JWT_EXPIRED },
                { "\"exp\":1795238400.9", NOW, 0, AE_JWT_EXPIRED },     /* rounded down */
                { "\"exp\":1795238401.0", NOW, 0, AE_JWT_OK },
                { "\"exp\":" EXP ",\"nbf\":1795238400", NOW, 0, AE_JWT_OK },
                { "\"exp\":" EXP ",\"nbf\":1795238401", NOW, 0, AE_JWT_NOT_YET_VALID },
                { "\"exp\":" EXP ",\"nbf\":1795238405", NOW, 5, AE_JWT_OK },
                { "\"exp\":" EXP ",\"nbf\":1795238406", NOW, 5, AE_JWT_NOT_YET_VALID },
                { "\"exp\":" EXP ",\"nbf\":1795238400.1", NOW, 0, AE_JWT_NOT_YET_VALID }, /* rounded up */
                { "\"exp\":" EXP ",\"iat\":1795238400", NOW, 0, AE_JWT_OK },
                { "\"exp\":" EXP ",\"iat\":1795238401", NOW, 0, AE_JWT_IAT_IN_FUTURE },
                { "\"exp\":" EXP ",\"iat\":1795238400.2", NOW, 0, AE_JWT_IAT_IN_FUTURE },
                { "\"exp\":" EXP ",\"iat\":1795238410", NOW, 10, AE_JWT_OK },
                { "\"exp\":" EXP ",\"iat\":1795238411", NOW, 10, AE_JWT_IAT_IN_FUTURE },
                { "\"exp\":" EXP ",\"iat\":0", NOW, 0, AE_JWT_OK },
                /* exp is judged first. */
                { "\"exp\":1795238000,\"iat\":1795239000", NOW, 0, AE_JWT_EXPIRED },
                { "\"exp\":" EXP ",\"nbf\":1795239000,\"iat\":1795239000", NOW, 0, AE_JWT_NOT_YET_VALID },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char payload[256];
                _cleanup_free_ char *t = NULL;
                enum ae_jwt_reason r;

                snprintf(payload, sizeof(payload), "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",%s}",
                         cases[i].times);
                t = ae_test_jwt_forge(ae_jwt_env.p256, AE_JWT_ES256, GOOD_HEADER, payload);
                r = check_at(t, cases[i].now, cases[i].leeway);
                ck_assert_msg(r == cases[i].reason, "%s (leeway %lld): got %s, want %s",
                              cases[i].times, (long long)cases[i].leeway, ae_jwt_reason_id(r),
                              ae_jwt_reason_id(cases[i].reason));
        }
}
END_TEST

START_TEST(claims_refusals)
{
        struct ae_claims c;
        char claims[AE_CLAIMS_MAX + 1], payload[AE_JWT_PAYLOAD_MAX];
        size_t n;

        ae_test_claims_sample(&c, SUB);
        ck_assert_int_eq(ae_claims_encode(&c, claims, sizeof(claims), &n), 0);
        snprintf(payload, sizeof(payload), "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",%s",
                 claims + 1);
        ASSERT_REASON(forged(GOOD_HEADER, payload), AE_JWT_OK);

        /* Another workload's claims. */
        snprintf(payload, sizeof(payload),
                 "{\"sub\":\"spiffe://example.org/ns/prod/db\",\"aud\":\"" AUD "\",\"exp\":" EXP ",%s",
                 claims + 1);
        ASSERT_REASON(forged(GOOD_HEADER, payload), AE_JWT_CLAIMS_SUB_MISMATCH);
        /* Claims that break a rule: pog without its zone. */
        {
                char *z = strstr(payload, "\"zones\":[\"eu-de\"]");

                ck_assert_ptr_nonnull(z);
                memcpy(z, "\"zones\":[       ]", 17);
                ASSERT_REASON(forged(GOOD_HEADER, payload), AE_JWT_CLAIMS_INVALID);
        }
        /* One member of the vocabulary is enough to mean claims. */
        ASSERT_REASON(forged(GOOD_HEADER, "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP ",\"v\":1}"),
                      AE_JWT_CLAIMS_INVALID);
        ASSERT_REASON(forged(GOOD_HEADER, "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP
                                          ",\"level\":\"pog\"}"),
                      AE_JWT_CLAIMS_INVALID);
        ASSERT_REASON(forged(GOOD_HEADER, "{\"sub\":\"" SUB "\",\"aud\":\"" AUD "\",\"exp\":" EXP
                                          ",\"grc.workload\":{}}"),
                      AE_JWT_CLAIMS_INVALID);
}
END_TEST

START_TEST(argument_errors)
{
        _cleanup_free_ char *t = ae_test_jwt_forge(ae_jwt_env.p256, AE_JWT_ES256, GOOD_HEADER, GOOD_PAYLOAD);
        const struct ae_jwks *twice[] = { ae_jwt_env.td, ae_jwt_env.restricted };
        const struct ae_jwks *with_null[] = { ae_jwt_env.td, NULL };
        const struct ae_jwks *one[] = { ae_jwt_env.td };
        _cleanup_free_ struct ae_jwt_svid *s = malloc(sizeof(*s));
        enum ae_jwt_reason r;
        size_t n = strlen(t);

        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, 0, s, &r), 0);
        ck_assert_int_eq(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, 0, s, NULL), 0);
#define EXPECT_EINVAL(call)                                                    \
        do {                                                                   \
                r = AE_JWT_REASON_COUNT;                                       \
                ck_assert_int_eq(call, -EINVAL);                               \
                ck_assert_int_eq(r, AE_JWT_INTERNAL);                          \
        } while (0)
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, twice, 2, AUD, NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, with_null, 2, AUD, NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, NULL, 1, AUD, NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, "", NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, NULL, NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, AUD, -1, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, -1, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, AE_JWT_LEEWAY_MAX + 1, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, 0, NULL, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(NULL, 5, one, 1, AUD, NOW, 0, s, &r));
        EXPECT_EINVAL(ae_jwt_svid_validate(t, n, one, AE_JWT_BUNDLES_MAX + 1, AUD, NOW, 0, s, &r));
#undef EXPECT_EINVAL
        ck_assert_int_eq(ae_jwt_svid_validate(t, n, one, 1, AUD, NOW, AE_JWT_LEEWAY_MAX, s, &r), 0);
}
END_TEST

TCase *jwt_svid_reject_tcase(void)
{
        TCase *tc = tcase_create("reject");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, control_case_passes);
        tcase_add_test(tc, token_form);
        tcase_add_test(tc, header_refusals);
        tcase_add_test(tc, hmac_with_public_key_refused);
        tcase_add_test(tc, unsigned_tokens_refused);
        tcase_add_test(tc, key_from_subs_trust_domain_only);
        tcase_add_test(tc, alg_must_fit_the_key);
        tcase_add_test(tc, signature_refusals);
        tcase_add_test(tc, payload_refusals);
        tcase_add_test(tc, time_edges);
        tcase_add_test(tc, claims_refusals);
        tcase_add_test(tc, argument_errors);
        return tc;
}
