/* The server's memo of parsed client certificates
 * (control-plane/server/caller_memo.h): what was put comes back for the
 * same text only, the oldest is forgotten first, a result that does not
 * fit is not returned, and many threads may use it at once. */
#include "control-plane/server/caller_memo.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"

static void pem_of(size_t n, char *buf, size_t cap)
{
        snprintf(buf, cap, "-----BEGIN CERTIFICATE-----\nMII%zu\n-----END CERTIFICATE-----\n", n);
}

START_TEST(same_text_only)
{
        struct ae_caller_memo *m = NULL;
        char id[64] = "", serial[16] = "";

        ck_assert_int_eq(ae_caller_memo_new(&m), 0);
        ck_assert(!ae_caller_memo_get(m, "pem-a", id, sizeof(id), serial, sizeof(serial)));
        ae_caller_memo_put(m, "pem-a", "spiffe://td/spire/agent/aegis_tpm/a", "0a");
        ck_assert(ae_caller_memo_get(m, "pem-a", id, sizeof(id), serial, sizeof(serial)));
        ck_assert_str_eq(id, "spiffe://td/spire/agent/aegis_tpm/a");
        ck_assert_str_eq(serial, "0a");
        /* A prefix or an extension of the text is another certificate. */
        id[0] = serial[0] = '\0';
        ck_assert(!ae_caller_memo_get(m, "pem-", id, sizeof(id), serial, sizeof(serial)));
        ck_assert(!ae_caller_memo_get(m, "pem-ab", id, sizeof(id), serial, sizeof(serial)));
        ck_assert_str_eq(id, "");
        /* An ID that does not fit the caller's buffer is not returned. */
        ck_assert(!ae_caller_memo_get(m, "pem-a", id, 8, serial, sizeof(serial)));
        ck_assert(!ae_caller_memo_get(m, "pem-a", id, sizeof(id), serial, 2));
        ck_assert_str_eq(id, "");
        /* Putting the same text again keeps one slot (no eviction below). */
        ae_caller_memo_put(m, "pem-a", "spiffe://td/spire/agent/aegis_tpm/a", "0a");
        ae_caller_memo_free(m);
        ae_caller_memo_free(NULL);
}
END_TEST

START_TEST(oldest_forgotten_first)
{
        struct ae_caller_memo *m = NULL;
        char pem[96], id[64], serial[16];

        ck_assert_int_eq(ae_caller_memo_new(&m), 0);
        for (size_t i = 0; i <= AE_CALLER_MEMO_SLOTS; i++) {
                char want[64];

                pem_of(i, pem, sizeof(pem));
                snprintf(want, sizeof(want), "spiffe://td/spire/agent/aegis_tpm/%zu", i);
                ae_caller_memo_put(m, pem, want, "01");
        }
        pem_of(0, pem, sizeof(pem));
        ck_assert(!ae_caller_memo_get(m, pem, id, sizeof(id), serial, sizeof(serial)));
        for (size_t i = 1; i <= AE_CALLER_MEMO_SLOTS; i++) {
                char want[64];

                pem_of(i, pem, sizeof(pem));
                snprintf(want, sizeof(want), "spiffe://td/spire/agent/aegis_tpm/%zu", i);
                ck_assert_msg(ae_caller_memo_get(m, pem, id, sizeof(id), serial, sizeof(serial)),
                              "certificate %zu forgotten", i);
                ck_assert_str_eq(id, want);
        }
        ae_caller_memo_free(m);
}
END_TEST

#define THREADS 8
#define ROUNDS 2000

/* Each thread puts and gets its own certificates and some shared ones;
 * whatever comes back must be what was put for that text. */
static void *churn(void *arg)
{
        struct ae_caller_memo *m = arg;
        char pem[96], want[64], id[64], serial[16];

        for (size_t i = 0; i < ROUNDS; i++) {
                size_t n = i % (2 * AE_CALLER_MEMO_SLOTS);

                pem_of(n, pem, sizeof(pem));
                snprintf(want, sizeof(want), "spiffe://td/spire/agent/aegis_tpm/%zu", n);
                if (ae_caller_memo_get(m, pem, id, sizeof(id), serial, sizeof(serial))) {
                        if (strcmp(id, want) != 0 || strcmp(serial, "01") != 0)
                                return (void *)1;
                } else {
                        ae_caller_memo_put(m, pem, want, "01");
                }
        }
        return NULL;
}

START_TEST(threads)
{
        struct ae_caller_memo *m = NULL;
        pthread_t t[THREADS];

        ck_assert_int_eq(ae_caller_memo_new(&m), 0);
        for (size_t i = 0; i < THREADS; i++)
                ck_assert_int_eq(pthread_create(&t[i], NULL, churn, m), 0);
        for (size_t i = 0; i < THREADS; i++) {
                void *bad = NULL;

                ck_assert_int_eq(pthread_join(t[i], &bad), 0);
                ck_assert_ptr_null(bad);
        }
        ae_caller_memo_free(m);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("caller_memo");
        TCase *tc = tcase_create("caller_memo");

        tcase_add_test(tc, same_text_only);
        tcase_add_test(tc, oldest_forgotten_first);
        tcase_add_test(tc, threads);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
