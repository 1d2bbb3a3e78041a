#include "common/spiffe_id.h"

#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* The SPIFFE ID standard's own examples (sections 2 and 2.2), the trust
 * domain's own ID, and edge cases the rules allow. */
static const char *const valid_ids[] = {
        "spiffe://trust-domain-name/path",
        "spiffe://staging.example.com/payments/mysql",
        "spiffe://staging.example.com/payments/web-fe",
        "spiffe://k8s-west.example.com/ns/staging/sa/default",
        "spiffe://example.com/9eebccd2-12bf-40a6-b262-65fe0487d453",
        "spiffe://trust_domain_name.example.com/x",
        "spiffe://example.org",
        "spiffe://192.168.1.1/dotted-quad-is-allowed",
        "spiffe://a/ABCXYZabcxyz0189.-_",
        "spiffe://example.org/...",  /* three dots: a name, not a modifier */
        "spiffe://example.org/.hidden/a..b/..c",
        "spiffe://example.org/spire/agent/aegis_tpm/0a1b2c",
};

START_TEST(standard_valid_examples)
{
        for (size_t i = 0; i < sizeof(valid_ids) / sizeof(valid_ids[0]); i++) {
                const char *s = valid_ids[i];
                struct ae_spiffe_id id;
                enum ae_spiffe_id_error err = AE_SPIFFE_ID_ERROR_COUNT;
                char text[AE_SPIFFE_ID_SIZE];
                size_t n = 0;

                ck_assert_msg(ae_spiffe_id_parse(s, strlen(s), &id, &err) == 0, "%s: %s", s,
                              ae_spiffe_id_error_str(err));
                ck_assert_int_eq(err, AE_SPIFFE_ID_OK);
                ck_assert_int_eq(ae_spiffe_id_format(&id, text, sizeof(text), &n), 0);
                ck_assert_str_eq(text, s);
                ck_assert_uint_eq(n, strlen(s));
        }
}
END_TEST

START_TEST(parts)
{
        struct ae_spiffe_id id;

        ck_assert_int_eq(ae_spiffe_id_parse("spiffe://k8s-west.example.com/ns/staging/sa/default",
                                            51, &id, NULL), 0);
        ck_assert_str_eq(id.trust_domain, "k8s-west.example.com");
        ck_assert_str_eq(id.path, "/ns/staging/sa/default");
        ck_assert_int_eq(ae_spiffe_id_parse("spiffe://example.org", 20, &id, NULL), 0);
        ck_assert_str_eq(id.trust_domain, "example.org");
        ck_assert_str_eq(id.path, "");
}
END_TEST

static const struct {
        const char *s;
        enum ae_spiffe_id_error err;
} invalid_ids[] = {
        { "", AE_SPIFFE_ID_EMPTY },
        { "spiffe", AE_SPIFFE_ID_WRONG_SCHEME },
        { "http://example.org/x", AE_SPIFFE_ID_WRONG_SCHEME },
        { "SPIFFE://example.org/x", AE_SPIFFE_ID_WRONG_SCHEME },
        { "Spiffe://example.org/x", AE_SPIFFE_ID_WRONG_SCHEME },
        { "spiffe:/example.org/x", AE_SPIFFE_ID_WRONG_SCHEME },
        { "spiffe:example.org", AE_SPIFFE_ID_WRONG_SCHEME },
        { " spiffe://example.org", AE_SPIFFE_ID_WRONG_SCHEME },
        { "spiffe://", AE_SPIFFE_ID_TRUST_DOMAIN_MISSING },
        { "spiffe:///path", AE_SPIFFE_ID_TRUST_DOMAIN_MISSING },
        { "spiffe://Example.org/x", AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE },
        { "spiffe://example.ORG", AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE },
        { "spiffe://example.org:8080/x", AE_SPIFFE_ID_TRUST_DOMAIN_PORT },
        { "spiffe://example.org:", AE_SPIFFE_ID_TRUST_DOMAIN_PORT },
        { "spiffe://user@example.org/x", AE_SPIFFE_ID_TRUST_DOMAIN_USERINFO },
        { "spiffe://user:pw@example.org/x", AE_SPIFFE_ID_TRUST_DOMAIN_PORT }, /* leftmost: ':' */
        { "spiffe://exa%41mple.org/x", AE_SPIFFE_ID_PERCENT_ENCODED },
        { "spiffe://example.org/p%41th", AE_SPIFFE_ID_PERCENT_ENCODED },
        { "spiffe://ex ample.org", AE_SPIFFE_ID_TRUST_DOMAIN_CHAR },
        { "spiffe://[::1]/x", AE_SPIFFE_ID_TRUST_DOMAIN_CHAR },
        { "spiffe://exa+mple.org", AE_SPIFFE_ID_TRUST_DOMAIN_CHAR },
        { "spiffe://example.org/pa th", AE_SPIFFE_ID_PATH_CHAR },
        { "spiffe://example.org/caf\xc3\xa9", AE_SPIFFE_ID_PATH_CHAR },
        { "spiffe://example.org/a+b", AE_SPIFFE_ID_PATH_CHAR },
        { "spiffe://example.org/a\\b", AE_SPIFFE_ID_PATH_CHAR },
        { "spiffe://example.org//x", AE_SPIFFE_ID_PATH_EMPTY_SEGMENT },
        { "spiffe://example.org/a//b", AE_SPIFFE_ID_PATH_EMPTY_SEGMENT },
        { "spiffe://example.org//", AE_SPIFFE_ID_PATH_EMPTY_SEGMENT },
        { "spiffe://example.org/.", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/..", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/a/./b", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/a/../b", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/a/..", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/", AE_SPIFFE_ID_PATH_TRAILING_SLASH },
        { "spiffe://example.org/a/", AE_SPIFFE_ID_PATH_TRAILING_SLASH },
        { "spiffe://example.org/a?x=1", AE_SPIFFE_ID_QUERY },
        { "spiffe://example.org?x=1", AE_SPIFFE_ID_QUERY },
        { "spiffe://example.org/a#frag", AE_SPIFFE_ID_FRAGMENT },
        { "spiffe://example.org#frag", AE_SPIFFE_ID_FRAGMENT },
};

START_TEST(standard_invalid_examples)
{
        for (size_t i = 0; i < sizeof(invalid_ids) / sizeof(invalid_ids[0]); i++) {
                const char *s = invalid_ids[i].s;
                struct ae_spiffe_id id;
                enum ae_spiffe_id_error err = AE_SPIFFE_ID_ERROR_COUNT;

                ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), -EINVAL);
                ck_assert_msg(err == invalid_ids[i].err, "\"%s\": got %s, want %s", s,
                              ae_spiffe_id_error_id(err),
                              ae_spiffe_id_error_id(invalid_ids[i].err));
        }
}
END_TEST

START_TEST(nul_byte_is_a_character)
{
        static const char in_td[] = "spiffe://exa\0mple.org/x";
        static const char in_path[] = "spiffe://example.org/x\0y";
        struct ae_spiffe_id id;
        enum ae_spiffe_id_error err;

        ck_assert_int_eq(ae_spiffe_id_parse(in_td, sizeof(in_td) - 1, &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_TRUST_DOMAIN_CHAR);
        ck_assert_int_eq(ae_spiffe_id_parse(in_path, sizeof(in_path) - 1, &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_PATH_CHAR);
        /* The length, not a NUL, ends the input. */
        ck_assert_int_eq(ae_spiffe_id_parse("spiffe://example.org/a/b", 22, &id, &err), 0);
        ck_assert_str_eq(id.path, "/a");
}
END_TEST

/* "spiffe://" + trust domain of td_len + "/" + 'p' * rest, total bytes. */
static char *make_id(size_t td_len, size_t total)
{
        char *s = malloc(total + 1);
        size_t n = 0;

        ck_assert_ptr_nonnull(s);
        memcpy(s, "spiffe://", 9);
        n = 9;
        memset(s + n, 't', td_len);
        n += td_len;
        if (n < total) {
                s[n++] = '/';
                memset(s + n, 'p', total - n);
        }
        s[total] = '\0';
        return s;
}

START_TEST(length_limits)
{
        struct ae_spiffe_id id;
        enum ae_spiffe_id_error err;
        char text[AE_SPIFFE_ID_SIZE];
        char *s;

        s = make_id(255, AE_SPIFFE_ID_MAX);
        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), 0);
        ck_assert_int_eq(ae_spiffe_id_format(&id, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, s);
        free(s);

        s = make_id(1, AE_SPIFFE_ID_MAX); /* the longest path */
        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), 0);
        ck_assert_uint_eq(strlen(id.path), AE_SPIFFE_PATH_MAX);
        free(s);

        s = make_id(255, AE_SPIFFE_ID_MAX + 1);
        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_TOO_LONG);
        free(s);

        s = make_id(256, 9 + 256 + 5);
        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_TRUST_DOMAIN_TOO_LONG);
        free(s);

        s = make_id(255, 9 + 255);
        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, &err), 0);
        ck_assert_uint_eq(strlen(id.trust_domain), 255);
        ck_assert(ae_spiffe_trust_domain_valid(id.trust_domain));
        free(s);
}
END_TEST

START_TEST(from_parts)
{
        struct ae_spiffe_id id;
        enum ae_spiffe_id_error err;
        char text[AE_SPIFFE_ID_SIZE];

        ck_assert_int_eq(ae_spiffe_id_from_parts("example.org", "/ns/web", &id, &err), 0);
        ck_assert_int_eq(ae_spiffe_id_format(&id, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, "spiffe://example.org/ns/web");
        ck_assert_int_eq(ae_spiffe_id_from_parts("example.org", "", &id, &err), 0);
        ck_assert_str_eq(id.path, "");

        ck_assert_int_eq(ae_spiffe_id_from_parts("example.org", "ns/web", &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_PATH_NO_LEADING_SLASH);
        /* A '/' cannot smuggle a path into the trust domain. */
        ck_assert_int_eq(ae_spiffe_id_from_parts("example.org/ns", "", &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_TRUST_DOMAIN_CHAR);
        ck_assert_int_eq(ae_spiffe_id_from_parts("", "/x", &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_TRUST_DOMAIN_MISSING);
        ck_assert_int_eq(ae_spiffe_id_from_parts("example.org", "/a/", &id, &err), -EINVAL);
        ck_assert_int_eq(err, AE_SPIFFE_ID_PATH_TRAILING_SLASH);
}
END_TEST

START_TEST(format_checks_its_input)
{
        struct ae_spiffe_id id;
        char small[20];

        ck_assert_int_eq(ae_spiffe_id_parse("spiffe://example.org/abc", 24, &id, NULL), 0);
        ck_assert_int_eq(ae_spiffe_id_format(&id, small, 24, NULL), -ENOBUFS);
        ck_assert_int_eq(ae_spiffe_id_format(&id, small, sizeof(small), NULL), -ENOBUFS);
        /* Hand-filled garbage is refused, never emitted. */
        memset(&id, 'A', sizeof(id));
        ck_assert_int_eq(ae_spiffe_id_format(&id, small, sizeof(small), NULL), -EINVAL);
        strcpy(id.trust_domain, "example.org");
        strcpy(id.path, "/a/../b");
        ck_assert_int_eq(ae_spiffe_id_format(&id, small, sizeof(small), NULL), -EINVAL);
}
END_TEST

static struct ae_spiffe_id id_of(const char *s)
{
        struct ae_spiffe_id id;

        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, NULL), 0);
        return id;
}

START_TEST(membership)
{
        struct ae_spiffe_id web = id_of("spiffe://example.org/ns/prod/web");
        struct ae_spiffe_id prod = id_of("spiffe://example.org/ns/prod");
        struct ae_spiffe_id production = id_of("spiffe://example.org/ns/production");
        struct ae_spiffe_id td = id_of("spiffe://example.org");
        struct ae_spiffe_id other = id_of("spiffe://example.com/ns/prod/web");

        ck_assert(ae_spiffe_id_in_trust_domain(&web, "example.org"));
        ck_assert(!ae_spiffe_id_in_trust_domain(&web, "example.com"));
        ck_assert(!ae_spiffe_id_in_trust_domain(&web, "example.or"));
        ck_assert(!ae_spiffe_id_in_trust_domain(&web, "example.org.evil"));

        ck_assert(ae_spiffe_id_is_member_of(&web, &prod));
        ck_assert(ae_spiffe_id_is_member_of(&prod, &prod));
        ck_assert(ae_spiffe_id_is_member_of(&web, &td));
        ck_assert(ae_spiffe_id_is_member_of(&td, &td));
        ck_assert(!ae_spiffe_id_is_member_of(&production, &prod));
        ck_assert(!ae_spiffe_id_is_member_of(&prod, &web));
        ck_assert(!ae_spiffe_id_is_member_of(&other, &prod));
        ck_assert(!ae_spiffe_id_is_member_of(&td, &prod));

        ck_assert(ae_spiffe_id_equal(&prod, &prod));
        ck_assert(!ae_spiffe_id_equal(&prod, &production));
        ck_assert(!ae_spiffe_id_equal(&web, &other));
}
END_TEST

START_TEST(error_texts)
{
        for (int e = 0; e < AE_SPIFFE_ID_ERROR_COUNT; e++) {
                ck_assert_str_ne(ae_spiffe_id_error_str(e), "unknown SPIFFE ID error");
                ck_assert_str_ne(ae_spiffe_id_error_id(e), "unknown");
                for (int f = 0; f < e; f++)
                        ck_assert_str_ne(ae_spiffe_id_error_id(e), ae_spiffe_id_error_id(f));
        }
        ck_assert_str_eq(ae_spiffe_id_error_id(AE_SPIFFE_ID_ERROR_COUNT), "unknown");
}
END_TEST

START_TEST(trust_domain_valid_unchanged)
{
        ck_assert(ae_spiffe_trust_domain_valid("example.org"));
        ck_assert(ae_spiffe_trust_domain_valid("a_b-c.0"));
        ck_assert(!ae_spiffe_trust_domain_valid(""));
        ck_assert(!ae_spiffe_trust_domain_valid(NULL));
        ck_assert(!ae_spiffe_trust_domain_valid("Example.org"));
        ck_assert(!ae_spiffe_trust_domain_valid("example.org:443"));
        ck_assert(!ae_spiffe_trust_domain_valid("spiffe://example.org"));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("spiffe_id");
        TCase *tc = tcase_create("spiffe_id");

        tcase_add_test(tc, standard_valid_examples);
        tcase_add_test(tc, parts);
        tcase_add_test(tc, standard_invalid_examples);
        tcase_add_test(tc, nul_byte_is_a_character);
        tcase_add_test(tc, length_limits);
        tcase_add_test(tc, from_parts);
        tcase_add_test(tc, format_checks_its_input);
        tcase_add_test(tc, membership);
        tcase_add_test(tc, error_texts);
        tcase_add_test(tc, trust_domain_valid_unchanged);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
