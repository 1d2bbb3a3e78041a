/* common/workq: jobs run, a full queue refuses, stop drains what is queued. */
#include "common/workq.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "check_util.h"

static atomic_uint ran;

static void count(void *arg)
{
        (void)arg;
        atomic_fetch_add(&ran, 1);
}

/* A job that holds its thread until released. */
struct gate {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool open;
        unsigned entered;
};

static void wait_gate(void *arg)
{
        struct gate *g = arg;

        pthread_mutex_lock(&g->lock);
        g->entered++;
        pthread_cond_broadcast(&g->cond);
        while (!g->open)
                pthread_cond_wait(&g->cond, &g->lock);
        pthread_mutex_unlock(&g->lock);
}

START_TEST(test_runs_every_job)
{
        struct ae_workq *q;

        atomic_store(&ran, 0);
        ck_assert_int_eq(ae_workq_new(4, 1024, &q), 0);
        for (unsigned i = 0; i < 1000; i++) {
                int r;

                while ((r = ae_workq_submit(q, count, NULL)) == -EAGAIN)
                        ;
                ck_assert_int_eq(r, 0);
        }
        ae_workq_stop(q);
        ck_assert_uint_eq(atomic_load(&ran), 1000);
        ck_assert_int_eq(ae_workq_submit(q, count, NULL), -ESHUTDOWN);
        ae_workq_stop(q); /* idempotent */
        ae_workq_free(q);
}
END_TEST

START_TEST(test_full_queue_refuses_and_stop_drains)
{
        struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 };
        struct ae_workq *q;

        atomic_store(&ran, 0);
        ck_assert_int_eq(ae_workq_new(1, 3, &q), 0);
        ck_assert_int_eq(ae_workq_submit(q, wait_gate, &g), 0);
        /* Once the one thread holds the gate job, three more fit. */
        pthread_mutex_lock(&g.lock);
        while (g.entered == 0)
                pthread_cond_wait(&g.cond, &g.lock);
        pthread_mutex_unlock(&g.lock);
        for (unsigned i = 0; i < 3; i++)
                ck_assert_int_eq(ae_workq_submit(q, count, NULL), 0);
        ck_assert_int_eq(ae_workq_submit(q, count, NULL), -EAGAIN);
        ck_assert_uint_eq(ae_workq_pending(q), 3);
        ck_assert_uint_eq(atomic_load(&ran), 0);
        pthread_mutex_lock(&g.lock);
        g.open = true;
        pthread_cond_broadcast(&g.cond);
        pthread_mutex_unlock(&g.lock);
        ae_workq_free(q); /* stops: the three queued jobs still run */
        ck_assert_uint_eq(atomic_load(&ran), 3);
}
END_TEST

START_TEST(test_bad_arguments)
{
        struct ae_workq *q = NULL;

        ck_assert_int_eq(ae_workq_new(0, 1, &q), -EINVAL);
        ck_assert_int_eq(ae_workq_new(AE_WORKQ_THREADS_MAX + 1, 1, &q), -EINVAL);
        ck_assert_int_eq(ae_workq_new(1, 0, &q), -EINVAL);
        ck_assert_int_eq(ae_workq_new(1, AE_WORKQ_QUEUE_MAX + 1, &q), -EINVAL);
        ck_assert_ptr_null(q);
        ck_assert_int_eq(ae_workq_new(1, 1, &q), 0);
        ck_assert_int_eq(ae_workq_submit(q, NULL, NULL), -EINVAL);
        ae_workq_free(q);
        ae_workq_free(NULL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("workq");
        TCase *tc = tcase_create("workq");

        tcase_add_test(tc, test_runs_every_job);
        tcase_add_test(tc, test_full_queue_refuses_and_stop_drains);
        tcase_add_test(tc, test_bad_arguments);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
