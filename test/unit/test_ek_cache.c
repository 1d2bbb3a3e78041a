/* The verifier's EK cache (node-attestor/verify/ek_cache.h): keyed by the
 * exact bytes, bounded in time by both its TTL and the chain's validity,
 * off when the TTL is 0. */
#include "node-attestor/verify/ek_cache.h"

#include <string.h>

#include "check_util.h"

static struct ek_verdict verdict(time_t nb, time_t na)
{
        struct ek_verdict v;

        memset(&v, 0, sizeof(v));
        memset(v.ek_id, 0x11, sizeof(v.ek_id));
        memset(v.anchor_id, 0x22, sizeof(v.anchor_id));
        strcpy(v.manufacturer, "53574D20");
        v.have_anchor = true;
        v.not_before = nb;
        v.not_after = na;
        return v;
}

START_TEST(keys_separate_cert_and_ek)
{
        uint8_t a[32], b[32], c[32];

        /* Moving a byte from the certificate to the EK is a different pair. */
        ck_assert_int_eq(ek_cache_key((const uint8_t *)"abc", 3, (const uint8_t *)"d", 1, a), 0);
        ck_assert_int_eq(ek_cache_key((const uint8_t *)"ab", 2, (const uint8_t *)"cd", 2, b), 0);
        ck_assert_int_eq(ek_cache_key((const uint8_t *)"abc", 3, (const uint8_t *)"d", 1, c), 0);
        ck_assert(memcmp(a, b, 32) != 0);
        ck_assert_mem_eq(a, c, 32);
}
END_TEST

START_TEST(hit_within_ttl_and_validity)
{
        struct ek_cache c;
        struct ek_verdict in = verdict(1000, 100000), out;
        uint8_t key[32], other[32];

        memset(key, 7, sizeof(key));
        memcpy(other, key, sizeof(other));
        other[31] ^= 1; /* same slot (first bytes equal), different key */
        ck_assert_int_eq(ek_cache_init(&c, 600), 0);
        ck_assert(!ek_cache_get(&c, key, 2000, &out));
        ek_cache_put(&c, key, 2000, &in);
        ck_assert(ek_cache_get(&c, key, 2000, &out));
        ck_assert_mem_eq(&out, &in, sizeof(in));
        ck_assert(ek_cache_get(&c, key, 2599, &out));
        ck_assert(!ek_cache_get(&c, key, 2600, &out)); /* TTL over */
        ck_assert(!ek_cache_get(&c, other, 2000, &out));
        ek_cache_fini(&c);
}
END_TEST

START_TEST(never_outside_the_chain_validity)
{
        struct ek_cache c;
        struct ek_verdict in = verdict(5000, 5100), out;
        uint8_t key[32];

        memset(key, 9, sizeof(key));
        ck_assert_int_eq(ek_cache_init(&c, 600), 0);
        ek_cache_put(&c, key, 5050, &in);
        ck_assert(ek_cache_get(&c, key, 5100, &out));
        ck_assert(!ek_cache_get(&c, key, 5101, &out)); /* certificate expired */
        ck_assert(!ek_cache_get(&c, key, 4999, &out)); /* clock went back before notBefore */
        ek_cache_fini(&c);
}
END_TEST

START_TEST(ttl_zero_is_off)
{
        struct ek_cache c;
        struct ek_verdict in = verdict(0, 100000), out;
        uint8_t key[32];

        memset(key, 3, sizeof(key));
        ck_assert_int_eq(ek_cache_init(&c, 0), 0);
        ek_cache_put(&c, key, 10, &in);
        ck_assert(!ek_cache_get(&c, key, 10, &out));
        ek_cache_fini(&c);
        ek_cache_fini(NULL);
}
END_TEST

START_TEST(bounded_collisions_replace)
{
        struct ek_cache c;
        struct ek_verdict v1 = verdict(0, 100000), v2 = verdict(0, 100000), out;
        uint8_t k1[32], k2[32];

        memset(k1, 0, sizeof(k1));
        memset(k2, 0, sizeof(k2));
        k2[4] = 1; /* same slot: the slot is chosen by the first four bytes */
        v2.ek_id[0] = 0x99;
        ck_assert_int_eq(ek_cache_init(&c, 600), 0);
        ek_cache_put(&c, k1, 10, &v1);
        ek_cache_put(&c, k2, 10, &v2);
        ck_assert(!ek_cache_get(&c, k1, 10, &out)); /* replaced */
        ck_assert(ek_cache_get(&c, k2, 10, &out));
        ck_assert_uint_eq(out.ek_id[0], 0x99);
        ek_cache_fini(&c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ek_cache");
        TCase *tc = tcase_create("ek_cache");

        tcase_add_test(tc, keys_separate_cert_and_ek);
        tcase_add_test(tc, hit_within_ttl_and_validity);
        tcase_add_test(tc, never_outside_the_chain_validity);
        tcase_add_test(tc, ttl_zero_is_off);
        tcase_add_test(tc, bounded_collisions_replace);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
