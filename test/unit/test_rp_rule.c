/* The relying party's rule: its text form (every error with the key it
 * names), the canonical text back, and the verdict on a peer's ID and
 * claims (every rule reason, and the edges of max_age and clock skew). */
#include "svid-issuer/rp_rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "svid_forge.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HA_UPPER "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define NOW 1800000000LL
#define WID "spiffe://example.org/web"

static int parse(const char *text, struct ae_rp_rule *r, struct ae_rp_rule_parse_error *e)
{
        return ae_rp_rule_parse(text, strlen(text), r, e);
}

START_TEST(parse_full)
{
        struct ae_rp_rule r;
        struct ae_rp_rule_parse_error e;

        ck_assert_int_eq(parse("level=pog,zone=eu-de|eu-fr,code_hash=" H1 "|" HA_UPPER
                               ",ek_hash=" H2 ",max_age=600,id=" WID "|spiffe://example.org/db,"
                               "trust_domain=example.org",
                               &r, &e), 0);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_OK);
        ck_assert(r.has_level);
        ck_assert_int_eq(r.level, AE_CLAIMS_POG);
        ck_assert_uint_eq(r.n_zones, 2);
        ck_assert_str_eq(r.zones[0], "eu-de");
        ck_assert_str_eq(r.zones[1], "eu-fr");
        ck_assert_uint_eq(r.n_code_hashes, 2);
        ck_assert_str_eq(r.code_hashes[0], H1);
        ck_assert_str_eq(r.code_hashes[1], HA); /* kept lowercase */
        ck_assert_uint_eq(r.n_ek_hashes, 1);
        ck_assert_str_eq(r.ek_hashes[0], H2);
        ck_assert_int_eq(r.max_age, 600);
        ck_assert_uint_eq(r.n_ids, 2);
        ck_assert_str_eq(r.ids[0], WID);
        ck_assert_str_eq(r.ids[1], "spiffe://example.org/db");
        ck_assert_uint_eq(r.n_trust_domains, 1);
        ck_assert_str_eq(r.trust_domains[0], "example.org");
        ck_assert(ae_rp_rule_needs_claims(&r));
}
END_TEST

START_TEST(parse_empty_and_id_only)
{
        struct ae_rp_rule r;
        struct ae_rp_rule_parse_error e;

        ck_assert_int_eq(ae_rp_rule_parse("", 0, &r, &e), 0);
        ck_assert(!ae_rp_rule_needs_claims(&r));
        ck_assert_uint_eq(r.n_ids + r.n_trust_domains + r.n_zones, 0);
        ck_assert_int_eq(parse("id=" WID, &r, NULL), 0);
        ck_assert(!ae_rp_rule_needs_claims(&r));
        ck_assert_int_eq(parse("max_age=1", &r, NULL), 0);
        ck_assert(ae_rp_rule_needs_claims(&r));
        ck_assert_int_eq(parse("max_age=31622400", &r, NULL), 0); /* 366 days */
}
END_TEST

static const struct {
        const char *text;
        enum ae_rp_rule_error code;
        const char *key;
        size_t offset;
} bad_rules[] = {
        { ",level=pog", AE_RP_RULE_ERR_EMPTY_CLAUSE, "", 0 },
        { "level=pog,", AE_RP_RULE_ERR_EMPTY_CLAUSE, "", 10 },
        { "level=pog,,zone=a", AE_RP_RULE_ERR_EMPTY_CLAUSE, "", 10 },
        { "level", AE_RP_RULE_ERR_NO_EQUALS, "level", 0 },
        { "zone=a,pog", AE_RP_RULE_ERR_NO_EQUALS, "pog", 7 },
        { "colour=blue", AE_RP_RULE_ERR_UNKNOWN_KEY, "colour", 0 },
        { "Level=pog", AE_RP_RULE_ERR_UNKNOWN_KEY, "Level", 0 },
        { "level =pog", AE_RP_RULE_ERR_UNKNOWN_KEY, "level?", 0 },
        { "=pog", AE_RP_RULE_ERR_UNKNOWN_KEY, "", 0 },
        { "zone=a,zone=b", AE_RP_RULE_ERR_DUPLICATE_KEY, "zone", 7 },
        { "zone=", AE_RP_RULE_ERR_EMPTY_VALUE, "zone", 5 },
        { "zone=a||b", AE_RP_RULE_ERR_EMPTY_VALUE, "zone", 7 },
        { "zone=a|", AE_RP_RULE_ERR_EMPTY_VALUE, "zone", 7 },
        { "level=por|pog", AE_RP_RULE_ERR_SINGLE_VALUE, "level", 10 },
        { "max_age=1|2", AE_RP_RULE_ERR_SINGLE_VALUE, "max_age", 10 },
        { "zone=a|a", AE_RP_RULE_ERR_DUPLICATE_VALUE, "zone", 7 },
        { "code_hash=" H1 "|" H1, AE_RP_RULE_ERR_DUPLICATE_VALUE, "code_hash", 75 },
        { "ek_hash=" HA "|" HA_UPPER, AE_RP_RULE_ERR_DUPLICATE_VALUE, "ek_hash", 73 },
        { "id=" WID "|" WID, AE_RP_RULE_ERR_DUPLICATE_VALUE, "id", 28 },
        { "trust_domain=a|a", AE_RP_RULE_ERR_DUPLICATE_VALUE, "trust_domain", 15 },
        { "trust_domain=Example.org", AE_RP_RULE_ERR_TRUST_DOMAIN, "trust_domain", 13 },
        { "trust_domain=spiffe://example.org", AE_RP_RULE_ERR_TRUST_DOMAIN, "trust_domain", 13 },
        { "id=spiffe://example.org/a/", AE_RP_RULE_ERR_ID, "id", 3 },
        { "id=example.org/a", AE_RP_RULE_ERR_ID, "id", 3 },
        { "id=spiffe://example.org", AE_RP_RULE_ERR_ID_NO_PATH, "id", 3 },
        { "level=PoG", AE_RP_RULE_ERR_LEVEL, "level", 6 },
        { "level=gold", AE_RP_RULE_ERR_LEVEL, "level", 6 },
        { "zone=eu de", AE_RP_RULE_ERR_ZONE, "zone", 5 },
        { "zone=eu/de", AE_RP_RULE_ERR_ZONE, "zone", 5 },
        { "code_hash=" H1 "1", AE_RP_RULE_ERR_HASH, "code_hash", 10 },
        { "code_hash=abc", AE_RP_RULE_ERR_HASH, "code_hash", 10 },
        { "ek_hash=zz22222222222222222222222222222222222222222222222222222222222222",
          AE_RP_RULE_ERR_HASH, "ek_hash", 8 },
        { "max_age=0", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "max_age=0600", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "max_age=-5", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "max_age=10m", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "max_age=31622401", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "max_age=99999999999999999999", AE_RP_RULE_ERR_MAX_AGE, "max_age", 8 },
        { "level=pog, zone=a", AE_RP_RULE_ERR_UNKNOWN_KEY, "?zone", 10 },
};

START_TEST(parse_errors_name_the_key)
{
        for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
                struct ae_rp_rule r;
                struct ae_rp_rule_parse_error e;

                memset(&r, 0x5a, sizeof(r));
                ck_assert_msg(parse(bad_rules[i].text, &r, &e) == -EINVAL, "%s", bad_rules[i].text);
                ck_assert_msg(e.code == bad_rules[i].code, "%s: got %s", bad_rules[i].text,
                              ae_rp_rule_error_id(e.code));
                ck_assert_msg(strcmp(e.key, bad_rules[i].key) == 0, "%s: key '%s'",
                              bad_rules[i].text, e.key);
                ck_assert_msg(e.offset == bad_rules[i].offset, "%s: offset %zu", bad_rules[i].text,
                              e.offset);
                /* Bad input changes nothing. */
                ck_assert_uint_eq(((unsigned char *)&r)[0], 0x5a);
                ck_assert_uint_eq(r.n_zones, r.n_ids);
        }
}
END_TEST

START_TEST(parse_error_details)
{
        struct ae_rp_rule r;
        struct ae_rp_rule_parse_error e;
        char line[256];

        ck_assert_int_eq(parse("zone=eu-de,id=spiffe://Example.org/x", &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_ID);
        ck_assert_int_eq(e.id_error, AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE);
        ae_rp_rule_error_format(&e, line, sizeof(line));
        ck_assert_str_eq(line, "id: not a SPIFFE ID: trust domain is not lowercase (offset 14)");

        ck_assert_int_eq(parse("zone=eu-de,colour=blue", &r, &e), -EINVAL);
        ae_rp_rule_error_format(&e, line, sizeof(line));
        ck_assert_str_eq(line, "colour: unknown key (offset 11)");

        /* An unknown key is cut and made printable before it reaches a log. */
        ck_assert_int_eq(parse("a\nb\x01" "cdefghijklmnopqrstuvwxyz0123456789=1", &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_UNKNOWN_KEY);
        ck_assert_uint_eq(strlen(e.key), AE_RP_RULE_KEY_MAX);
        ck_assert(strncmp(e.key, "a?b?cdef", 8) == 0);
}
END_TEST

START_TEST(parse_too_long_and_limits)
{
        struct ae_rp_rule r;
        struct ae_rp_rule_parse_error e;
        char *text = malloc(AE_RP_RULE_TEXT_MAX + 2);
        size_t n = 0;

        ck_assert_ptr_nonnull(text);
        /* Exactly AE_RP_RULE_VALUES_MAX zones parse; one more does not. */
        n = (size_t)sprintf(text, "zone=z0");
        for (int i = 1; i < AE_RP_RULE_VALUES_MAX; i++)
                n += (size_t)sprintf(text + n, "|z%d", i);
        ck_assert_int_eq(ae_rp_rule_parse(text, n, &r, &e), 0);
        ck_assert_uint_eq(r.n_zones, AE_RP_RULE_VALUES_MAX);
        n += (size_t)sprintf(text + n, "|zz");
        ck_assert_int_eq(ae_rp_rule_parse(text, n, &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_TOO_MANY_VALUES);
        ck_assert_str_eq(e.key, "zone");

        n = (size_t)sprintf(text, "trust_domain=t0");
        for (int i = 1; i <= AE_RP_RULE_IDS_MAX; i++)
                n += (size_t)sprintf(text + n, "|t%d", i);
        ck_assert_int_eq(ae_rp_rule_parse(text, n, &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_TOO_MANY_VALUES);

        memset(text, 'a', AE_RP_RULE_TEXT_MAX + 1);
        ck_assert_int_eq(ae_rp_rule_parse(text, AE_RP_RULE_TEXT_MAX + 1, &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_TOO_LONG);
        /* At the limit the text is parsed (and refused for what it says). */
        ck_assert_int_eq(ae_rp_rule_parse(text, AE_RP_RULE_TEXT_MAX, &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_NO_EQUALS);
        /* A NUL is just another invalid byte. */
        ck_assert_int_eq(ae_rp_rule_parse("zone=a\0b", 8, &r, &e), -EINVAL);
        ck_assert_int_eq(e.code, AE_RP_RULE_ERR_ZONE);
        free(text);
}
END_TEST

START_TEST(error_names)
{
        for (int i = 0; i < AE_RP_RULE_ERR_COUNT; i++) {
                ck_assert_str_ne(ae_rp_rule_error_id(i), "unknown");
                ck_assert_str_ne(ae_rp_rule_error_str(i), "unknown error");
                for (int j = 0; j < i; j++)
                        ck_assert_str_ne(ae_rp_rule_error_id(i), ae_rp_rule_error_id(j));
        }
        ck_assert_str_eq(ae_rp_rule_error_id(AE_RP_RULE_ERR_COUNT), "unknown");
}
END_TEST

START_TEST(format_canonical_round_trip)
{
        static const char *const texts[] = {
                "",
                "level=por",
                "max_age=600,zone=eu-de,level=pog",
                "trust_domain=b.org|a.org,id=spiffe://a.org/x|spiffe://b.org/y,level=pog,"
                "zone=eu-de|eu-fr,code_hash=" H1 "|" HA_UPPER ",ek_hash=" H2 ",max_age=31622400",
        };
        static const char *const canonical[] = {
                "",
                "level=por",
                "level=pog,zone=eu-de,max_age=600",
                "trust_domain=b.org|a.org,id=spiffe://a.org/x|spiffe://b.org/y,level=pog,"
                "zone=eu-de|eu-fr,code_hash=" H1 "|" HA ",ek_hash=" H2 ",max_age=31622400",
        };

        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                struct ae_rp_rule r, again;
                char out[AE_RP_RULE_TEXT_MAX + 1];
                size_t n = 99;

                ck_assert_int_eq(parse(texts[i], &r, NULL), 0);
                ck_assert_int_eq(ae_rp_rule_format(&r, out, sizeof(out), &n), 0);
                ck_assert_str_eq(out, canonical[i]);
                ck_assert_uint_eq(n, strlen(canonical[i]));
                ck_assert_int_eq(ae_rp_rule_parse(out, n, &again, NULL), 0);
                ck_assert_int_eq(memcmp(&r, &again, sizeof(r)), 0);
        }
}
END_TEST

START_TEST(format_refusals)
{
        struct ae_rp_rule r;
        char out[32];

        ck_assert_int_eq(parse("level=pog,zone=eu-de", &r, NULL), 0);
        ck_assert_int_eq(ae_rp_rule_format(&r, out, 20, NULL), -ENOBUFS);
        ck_assert_int_eq(ae_rp_rule_format(&r, out, 21, NULL), 0);
        ck_assert_str_eq(out, "level=pog,zone=eu-de");

        /* Rules that parsing could not have produced. */
        strcpy(r.zones[0], "eu de");
        ck_assert_int_eq(ae_rp_rule_format(&r, out, sizeof(out), NULL), -EINVAL);
        ck_assert_int_eq(parse("code_hash=" H1, &r, NULL), 0);
        memcpy(r.code_hashes[0], HA_UPPER, 64);
        ck_assert_int_eq(ae_rp_rule_format(&r, out, sizeof(out), NULL), -EINVAL);
        ck_assert_int_eq(parse("", &r, NULL), 0);
        r.max_age = -1;
        ck_assert_int_eq(ae_rp_rule_format(&r, out, sizeof(out), NULL), -EINVAL);
        r.max_age = 0;
        r.n_zones = AE_RP_RULE_VALUES_MAX + 1;
        ck_assert_int_eq(ae_rp_rule_format(&r, out, sizeof(out), NULL), -EINVAL);
}
END_TEST

/* ---- checking a peer ---- */

static struct ae_spiffe_id id_of(const char *s)
{
        struct ae_spiffe_id id;

        ck_assert_int_eq(ae_spiffe_id_parse(s, strlen(s), &id, NULL), 0);
        return id;
}

static enum ae_rp_reason check(const char *rule_text, const struct ae_claims *c, int64_t now)
{
        struct ae_rp_rule r;
        struct ae_spiffe_id id = id_of(WID);

        ck_assert_msg(parse(rule_text, &r, NULL) == 0, "%s", rule_text);
        return ae_rp_rule_check(&r, &id, c, now);
}

START_TEST(check_every_reason)
{
        struct ae_claims c, por, other;
        const char *full = "trust_domain=example.org,id=" WID ",level=pog,zone=eu-de,"
                           "code_hash=" H1 ",ek_hash=" H2 ",max_age=600";

        ae_forge_claims(&c, WID, NOW - 10);
        ck_assert_int_eq(ae_claims_validate(&c, NULL), 0);
        por = c;
        por.level = AE_CLAIMS_POR;
        memset(&por.geo, 0, sizeof(por.geo));
        ck_assert_int_eq(ae_claims_validate(&por, NULL), 0);
        ae_forge_claims(&other, "spiffe://example.org/other", NOW - 10);

        ck_assert_int_eq(check(full, &c, NOW), AE_RP_OK);
        ck_assert_int_eq(check("", NULL, NOW), AE_RP_OK);
        ck_assert_int_eq(check("trust_domain=other.org|example.org", NULL, NOW), AE_RP_OK);
        ck_assert_int_eq(check("trust_domain=other.org", &c, NOW), AE_RP_RULE_TRUST_DOMAIN);
        ck_assert_int_eq(check("id=spiffe://example.org/db", &c, NOW), AE_RP_RULE_ID);
        /* Segment-wise prefixes are not the ID. */
        ck_assert_int_eq(check("id=spiffe://example.org/we", &c, NOW), AE_RP_RULE_ID);
        ck_assert_int_eq(check("level=por", NULL, NOW), AE_RP_CLAIMS_ABSENT);
        ck_assert_int_eq(check("max_age=600", NULL, NOW), AE_RP_CLAIMS_ABSENT);
        ck_assert_int_eq(check("level=por", &other, NOW), AE_RP_CLAIMS_ID_MISMATCH);
        ck_assert_int_eq(check("level=pog", &por, NOW), AE_RP_RULE_LEVEL);
        ck_assert_int_eq(check("zone=eu-fr", &c, NOW), AE_RP_RULE_ZONE);
        ck_assert_int_eq(check("zone=eu-de", &por, NOW), AE_RP_RULE_ZONE);
        ck_assert_int_eq(check("code_hash=" H3, &c, NOW), AE_RP_RULE_CODE_HASH);
        ck_assert_int_eq(check("ek_hash=" H3 "|" H1, &c, NOW), AE_RP_RULE_EK_HASH);
        ck_assert_int_eq(check("max_age=9", &c, NOW), AE_RP_ATTESTATION_STALE);
        c.tpm.attested_at = NOW + AE_RP_RULE_CLOCK_SKEW + 1;
        ck_assert_int_eq(check("max_age=600", &c, NOW), AE_RP_ATTESTATION_FUTURE);
}
END_TEST

START_TEST(check_order_and_edges)
{
        struct ae_claims c, por;

        ae_forge_claims(&c, WID, NOW - 600);
        por = c;
        por.level = AE_CLAIMS_POR;
        memset(&por.geo, 0, sizeof(por.geo));

        /* max_age: exactly max_age ago passes, one second more does not. */
        ck_assert_int_eq(check("max_age=600", &c, NOW), AE_RP_OK);
        ck_assert_int_eq(check("max_age=600", &c, NOW + 1), AE_RP_ATTESTATION_STALE);
        /* Ahead of the clock by the skew passes, one second more does not. */
        c.tpm.attested_at = NOW + AE_RP_RULE_CLOCK_SKEW;
        ck_assert_int_eq(check("max_age=1", &c, NOW), AE_RP_OK);
        c.tpm.attested_at = NOW + AE_RP_RULE_CLOCK_SKEW + 1;
        ck_assert_int_eq(check("max_age=1", &c, NOW), AE_RP_ATTESTATION_FUTURE);
        /* Time is only judged when the rule has max_age. */
        ck_assert_int_eq(check("level=pog", &c, NOW), AE_RP_OK);
        /* Extreme clocks do not overflow. */
        c.tpm.attested_at = 0;
        ck_assert_int_eq(check("max_age=1", &c, INT64_MAX), AE_RP_ATTESTATION_STALE);
        ck_assert_int_eq(check("max_age=1", &c, INT64_MIN), AE_RP_ATTESTATION_FUTURE);
        c.tpm.attested_at = INT64_MAX;
        ck_assert_int_eq(check("max_age=1", &c, INT64_MIN), AE_RP_ATTESTATION_FUTURE);
        ck_assert_int_eq(check("max_age=1", &c, INT64_MAX), AE_RP_OK);
        c.tpm.attested_at = -1; /* not from valid claims */
        ck_assert_int_eq(check("max_age=1", &c, NOW), AE_RP_ATTESTATION_STALE);
        c.tpm.attested_at = NOW;

        /* level is a minimum: a por rule takes pog too. */
        ck_assert_int_eq(check("level=por", &c, NOW), AE_RP_OK);
        ck_assert_int_eq(check("level=por", &por, NOW), AE_RP_OK);
        /* One claimed zone in the set is enough. */
        c.geo.n_zones = 3;
        strcpy(c.geo.zones[0], "eu");
        strcpy(c.geo.zones[1], "eu-de");
        strcpy(c.geo.zones[2], "de-berlin");
        ck_assert_int_eq(check("zone=eu-fr|de-berlin", &c, NOW), AE_RP_OK);
        ck_assert_int_eq(check("zone=eu-fr|de", &c, NOW), AE_RP_RULE_ZONE);
        /* The first clause to fail is reported, in the documented order. */
        ck_assert_int_eq(check("trust_domain=x.org,id=spiffe://x.org/y", &c, NOW),
                         AE_RP_RULE_TRUST_DOMAIN);
        ck_assert_int_eq(check("level=pog,zone=x", &por, NOW), AE_RP_RULE_LEVEL);
        ck_assert_int_eq(check("code_hash=" H3 ",ek_hash=" H3, &c, NOW), AE_RP_RULE_CODE_HASH);
        c.tpm.attested_at = NOW - 10000;
        ck_assert_int_eq(check("ek_hash=" H3 ",max_age=1", &c, NOW), AE_RP_RULE_EK_HASH);
        /* NULL arguments are the caller's mistake. */
        ck_assert_int_eq(ae_rp_rule_check(NULL, NULL, NULL, NOW), AE_RP_INTERNAL);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_rule");
        TCase *tc = tcase_create("rule");

        tcase_add_test(tc, parse_full);
        tcase_add_test(tc, parse_empty_and_id_only);
        tcase_add_test(tc, parse_errors_name_the_key);
        tcase_add_test(tc, parse_error_details);
        tcase_add_test(tc, parse_too_long_and_limits);
        tcase_add_test(tc, error_names);
        tcase_add_test(tc, format_canonical_round_trip);
        tcase_add_test(tc, format_refusals);
        tcase_add_test(tc, check_every_reason);
        tcase_add_test(tc, check_order_and_edges);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
