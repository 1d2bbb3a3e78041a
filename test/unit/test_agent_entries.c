/* The agent's registration entries: selector sets, entry rules (each
 * refusal with its reason), SPIRE's matching rule (an entry's selectors a
 * subset of the workload's, order kept, the first the default), and the
 * cache's all-or-nothing replacement, and that the cache's packed form
 * gives back every field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/reg_entry.h"
#include "control-plane/agent/selector_set.h"

#define HASH "4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723"

static struct ae_selector_set *workload_set(void)
{
        static const char *const unix_values[] = { "uid:1000", "gid:1000", "sha256:" HASH,
                                                   "path:/usr/bin/demo" };
        static const char *const node_values[] = { "level:pog", "geo_zone:eu-de" };
        struct ae_selector_set *s;

        ck_assert_int_eq(ae_selector_set_new(&s), 0);
        ck_assert_int_eq(ae_selector_set_add(s, "unix", unix_values, 4), 0);
        ck_assert_int_eq(ae_selector_set_add(s, "aegis_tpm", node_values, 2), 0);
        ae_selector_set_seal(s);
        return s;
}

static void entry(struct ae_reg_entry *e, const char *id, const char *spiffe_id,
                  const char *const *selectors, size_t n)
{
        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s", id);
        snprintf(e->spiffe_id, sizeof(e->spiffe_id), "%s", spiffe_id);
        for (size_t i = 0; i < n; i++)
                snprintf(e->selectors[i], sizeof(e->selectors[i]), "%s", selectors[i]);
        e->n_selectors = n;
}

START_TEST(selector_set)
{
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *s = workload_set();
        static const char *const again[] = { "uid:1000" };
        static const char *const bad_ctl[] = { "uid:1\n000" };
        static const char *const empty[] = { "" };
        char longv[AE_SELECTOR_MAX + 1];

        ck_assert_uint_eq(ae_selector_set_count(s), 6);
        ck_assert(ae_selector_set_contains(s, "unix:sha256:" HASH));
        ck_assert(ae_selector_set_contains(s, "aegis_tpm:geo_zone:eu-de"));
        ck_assert(!ae_selector_set_contains(s, "unix:uid:100"));
        ck_assert(!ae_selector_set_contains(s, "aegis_tpm:uid:1000")); /* type matters */
        /* Sorted, and a repeat is not added twice. */
        ck_assert_int_eq(ae_selector_set_add(s, "unix", again, 1), 0);
        ae_selector_set_seal(s);
        ck_assert_uint_eq(ae_selector_set_count(s), 6);
        for (size_t i = 1; i < ae_selector_set_count(s); i++)
                ck_assert_int_lt(strcmp(ae_selector_set_at(s, i - 1), ae_selector_set_at(s, i)), 0);
        /* Refusals add nothing. */
        ck_assert_int_eq(ae_selector_set_add(s, "unix", bad_ctl, 1), -EINVAL);
        ck_assert_int_eq(ae_selector_set_add(s, "unix", empty, 1), -EINVAL);
        ck_assert_int_eq(ae_selector_set_add(s, "un:ix", again, 1), -EINVAL);
        ck_assert_int_eq(ae_selector_set_add(s, "", again, 1), -EINVAL);
        memset(longv, 'a', sizeof(longv) - 1);
        longv[sizeof(longv) - 1] = '\0';
        {
                const char *const v[] = { longv };

                ck_assert_int_eq(ae_selector_set_add(s, "unix", v, 1), -ENAMETOOLONG);
        }
        ck_assert_uint_eq(ae_selector_set_count(s), 6);
        ck_assert(ae_selector_valid("unix:uid:0"));
        ck_assert(!ae_selector_valid("unix:"));
        ck_assert(!ae_selector_valid(":uid"));
        ck_assert(!ae_selector_valid("unix"));
}
END_TEST

START_TEST(entry_rules)
{
        static const char *const good[] = { "unix:uid:1000" };
        struct ae_reg_entry e;

        entry(&e, "e1", "spiffe://example.org/w", good, 1);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_OK);
        entry(&e, "e 1", "spiffe://example.org/w", good, 1);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_ID);
        entry(&e, "", "spiffe://example.org/w", good, 1);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_ID);
        entry(&e, "e1", "spiffe://example.org", good, 1);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_SPIFFE_ID);
        entry(&e, "e1", "spiffe://example.org/a//b", good, 1);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_SPIFFE_ID);
        entry(&e, "e1", "spiffe://example.org/w", good, 0);
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_NO_SELECTORS);
        {
                static const char *const bad[] = { "uid1000" };

                entry(&e, "e1", "spiffe://example.org/w", bad, 1);
                ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_SELECTOR);
        }
        {
                static const char *const dup[] = { "unix:uid:1", "unix:uid:1" };

                entry(&e, "e1", "spiffe://example.org/w", dup, 2);
                ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_DUPLICATE_SELECTOR);
        }
        entry(&e, "e1", "spiffe://example.org/w", good, 1);
        e.x509_svid_ttl = -1;
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_TTL);
        entry(&e, "e1", "spiffe://example.org/w", good, 1);
        e.jwt_svid_ttl = AE_REG_ENTRY_TTL_MAX + 1;
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_TTL);
        entry(&e, "e1", "spiffe://example.org/w", good, 1);
        strcpy(e.hint, "bad\thint");
        ck_assert_int_eq(ae_reg_entry_validate(&e), AE_REG_ENTRY_HINT);
        ck_assert_str_eq(ae_reg_entry_error_id(AE_REG_ENTRY_DUPLICATE_SELECTOR),
                         "duplicate_selector");
        ck_assert_str_eq(ae_reg_entry_error_id(AE_REG_ENTRY_ERROR_COUNT), "unknown");
}
END_TEST

START_TEST(matching)
{
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *s = workload_set();
        _cleanup_(ae_entry_cache_freep) struct ae_entry_cache *c = NULL;
        static const char *const by_hash_in_zone[] = { "unix:sha256:" HASH,
                                                       "aegis_tpm:geo_zone:eu-de" };
        static const char *const by_uid[] = { "unix:uid:1000" };
        static const char *const other_zone[] = { "unix:sha256:" HASH,
                                                  "aegis_tpm:geo_zone:eu-fr" };
        static const char *const other_uid[] = { "unix:uid:0" };
        struct ae_reg_entry entries[4], *got = NULL;
        size_t n = 99;
        uint64_t g;

        entry(&entries[0], "in-zone", "spiffe://example.org/model", by_hash_in_zone, 2);
        entry(&entries[1], "other-zone", "spiffe://example.org/model-fr", other_zone, 2);
        entry(&entries[2], "uid", "spiffe://example.org/user", by_uid, 1);
        entry(&entries[3], "root", "spiffe://example.org/root", other_uid, 1);
        ck_assert_int_eq(ae_entry_cache_new(&c), 0);
        g = ae_entry_cache_generation(c);
        ck_assert_int_eq(ae_entry_cache_set(c, entries, 4, NULL, NULL), 0);
        ck_assert_uint_gt(ae_entry_cache_generation(c), g);
        ck_assert_int_eq(ae_entry_cache_match(c, s, &got, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(got[0].id, "in-zone"); /* the cache's order: the default first */
        ck_assert_str_eq(got[1].id, "uid");
        free(got);
}
END_TEST

START_TEST(cache_all_or_nothing)
{
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *s = workload_set();
        _cleanup_(ae_entry_cache_freep) struct ae_entry_cache *c = NULL;
        static const char *const by_uid[] = { "unix:uid:1000" };
        struct ae_reg_entry entries[3], *got = NULL;
        enum ae_reg_entry_error err;
        size_t n, bad = 99;
        uint64_t g;

        entry(&entries[0], "a", "spiffe://example.org/a", by_uid, 1);
        entry(&entries[1], "b", "spiffe://example.org/b", by_uid, 1);
        entry(&entries[2], "a", "spiffe://example.org/c", by_uid, 1); /* id again */
        ck_assert_int_eq(ae_entry_cache_new(&c), 0);
        ck_assert_int_eq(ae_entry_cache_set(c, entries, 2, NULL, NULL), 0);
        g = ae_entry_cache_generation(c);
        ck_assert_int_eq(ae_entry_cache_set(c, entries, 3, &err, &bad), -EINVAL);
        ck_assert_int_eq(err, AE_REG_ENTRY_ID);
        ck_assert_uint_eq(bad, 2);
        ck_assert_uint_eq(ae_entry_cache_generation(c), g);
        ck_assert_int_eq(ae_entry_cache_match(c, s, &got, &n), 0);
        ck_assert_uint_eq(n, 2); /* the old set is still there */
        free(got);
        /* An empty set: nothing matches. */
        ck_assert_int_eq(ae_entry_cache_set(c, NULL, 0, NULL, NULL), 0);
        ck_assert_int_eq(ae_entry_cache_match(c, s, &got, &n), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(got);
}
END_TEST

/* The cache keeps entries in a packed form: an entry at every limit (the
 * longest id, SPIFFE ID, hint, and 16 selectors of the longest length)
 * comes back from a match field for field, and still matches only when
 * every one of its selectors is the workload's. */
START_TEST(cache_keeps_every_field)
{
        _cleanup_(ae_entry_cache_freep) struct ae_entry_cache *c = NULL;
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *all = NULL, *fewer = NULL;
        static char values[AE_REG_ENTRY_SELECTORS_MAX][AE_SELECTOR_MAX];
        const char *v[AE_REG_ENTRY_SELECTORS_MAX];
        struct ae_reg_entry *e = calloc(1, sizeof(*e)), *got = NULL;
        size_t n = 99, prefix = strlen("spiffe://example.org/");

        ck_assert_ptr_nonnull(e);
        memset(e->id, 'i', AE_REG_ENTRY_ID_MAX);
        memcpy(e->spiffe_id, "spiffe://example.org/", prefix);
        memset(e->spiffe_id + prefix, 'p', AE_SPIFFE_ID_MAX - prefix);
        memset(e->hint, 'h', AE_REG_ENTRY_HINT_MAX);
        for (size_t i = 0; i < AE_REG_ENTRY_SELECTORS_MAX; i++) {
                /* "t:" and 510 characters, the first two the index. */
                snprintf(values[i], sizeof(values[i]), "%02zu", i);
                memset(values[i] + 2, 'a' + (int)i, AE_SELECTOR_MAX - 4);
                values[i][AE_SELECTOR_MAX - 2] = '\0';
                memcpy(e->selectors[i], "t:", 2);
                memcpy(e->selectors[i] + 2, values[i], AE_SELECTOR_MAX - 1);
                ck_assert_uint_eq(strlen(e->selectors[i]), AE_SELECTOR_MAX);
                v[i] = values[i];
        }
        e->n_selectors = AE_REG_ENTRY_SELECTORS_MAX;
        e->x509_svid_ttl = 3600;
        e->jwt_svid_ttl = AE_REG_ENTRY_TTL_MAX;
        ck_assert_int_eq(ae_reg_entry_validate(e), AE_REG_ENTRY_OK);

        ck_assert_int_eq(ae_selector_set_new(&all), 0);
        ck_assert_int_eq(ae_selector_set_add(all, "t", v, AE_REG_ENTRY_SELECTORS_MAX), 0);
        ae_selector_set_seal(all);
        ck_assert_int_eq(ae_selector_set_new(&fewer), 0);
        ck_assert_int_eq(ae_selector_set_add(fewer, "t", v, AE_REG_ENTRY_SELECTORS_MAX - 1), 0);
        ae_selector_set_seal(fewer);

        ck_assert_int_eq(ae_entry_cache_new(&c), 0);
        ck_assert_int_eq(ae_entry_cache_set(c, e, 1, NULL, NULL), 0);
        ck_assert_int_eq(ae_entry_cache_match(c, fewer, &got, &n), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(ae_entry_cache_match(c, all, &got, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(got->id, e->id);
        ck_assert_str_eq(got->spiffe_id, e->spiffe_id);
        ck_assert_str_eq(got->hint, e->hint);
        ck_assert_uint_eq(got->n_selectors, AE_REG_ENTRY_SELECTORS_MAX);
        for (size_t i = 0; i < AE_REG_ENTRY_SELECTORS_MAX; i++)
                ck_assert_str_eq(got->selectors[i], e->selectors[i]);
        ck_assert_int_eq(got->x509_svid_ttl, 3600);
        ck_assert_int_eq(got->jwt_svid_ttl, AE_REG_ENTRY_TTL_MAX);
        free(got);
        free(e);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("agent_entries");
        TCase *tc = tcase_create("entries");

        tcase_add_test(tc, selector_set);
        tcase_add_test(tc, entry_rules);
        tcase_add_test(tc, matching);
        tcase_add_test(tc, cache_all_or_nothing);
        tcase_add_test(tc, cache_keeps_every_field);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
