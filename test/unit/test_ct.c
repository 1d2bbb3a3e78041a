#include "common/ct.h"

#include <stdlib.h>
#include <string.h>

#include "check_util.h"

START_TEST(equal_and_unequal)
{
        const unsigned char a[] = { 1, 2, 3, 4 };
        const unsigned char b[] = { 1, 2, 3, 4 };
        const unsigned char c[] = { 1, 2, 3, 5 };

        ck_assert(ae_ct_equal(a, b, sizeof(a)));
        ck_assert(!ae_ct_equal(a, c, sizeof(a)));
        /* Only the first byte differs. */
        ck_assert(!ae_ct_equal((const unsigned char[]){ 9, 2, 3, 4 }, a, 4));
        ck_assert(ae_ct_equal(a, c, 0));
}
END_TEST

START_TEST(lengths_are_public)
{
        const unsigned char a[] = { 1, 2, 3 };

        ck_assert(ae_ct_equal_len(a, 3, a, 3));
        ck_assert(!ae_ct_equal_len(a, 3, a, 2));
        ck_assert(ae_ct_equal_len(NULL, 0, a, 0));
}
END_TEST

START_TEST(wipe_zeroes)
{
        unsigned char secret[32];

        memset(secret, 0xA5, sizeof(secret));
        ae_wipe(secret, sizeof(secret));
        for (size_t i = 0; i < sizeof(secret); i++)
                ck_assert_uint_eq(secret[i], 0);
        ae_wipe(NULL, 10); /* accepted, no crash */
        ae_secret_free(NULL, 10);
        ae_secret_free(malloc(16), 16);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ct");
        TCase *tc = tcase_create("ct");

        tcase_add_test(tc, equal_and_unequal);
        tcase_add_test(tc, lengths_are_public);
        tcase_add_test(tc, wipe_zeroes);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
