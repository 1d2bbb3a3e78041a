#include "common/workq.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
        ae_workq_fn fn;
        void *arg;
};

struct ae_workq {
        pthread_mutex_t lock;
        pthread_cond_t more;
        struct job *ring; /* queue_max slots */
        size_t head, len, cap;
        bool stopping, stopped;
        size_t n_threads;
        pthread_t threads[AE_WORKQ_THREADS_MAX];
};

static void *worker(void *arg)
{
        struct ae_workq *q = arg;

        for (;;) {
                struct job j;

                pthread_mutex_lock(&q->lock);
                while (q->len == 0 && !q->stopping)
                        pthread_cond_wait(&q->more, &q->lock);
                if (q->len == 0) { /* stopping, and drained */
                        pthread_mutex_unlock(&q->lock);
                        return NULL;
                }
                j = q->ring[q->head];
                q->head = (q->head + 1) % q->cap;
                q->len--;
                pthread_mutex_unlock(&q->lock);
                j.fn(j.arg);
        }
}

int ae_workq_new(unsigned threads, unsigned queue_max, struct ae_workq **ret)
{
        struct ae_workq *q;

        ENSURE(ret, -EINVAL);
        ENSURE(threads >= 1 && threads <= AE_WORKQ_THREADS_MAX, -EINVAL);
        ENSURE(queue_max >= 1 && queue_max <= AE_WORKQ_QUEUE_MAX, -EINVAL);
        q = calloc(1, sizeof(*q));
        ENSURE_ALLOC(q);
        q->ring = calloc(queue_max, sizeof(*q->ring));
        if (!q->ring) {
                free(q);
                return -ENOMEM;
        }
        q->cap = queue_max;
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->more, NULL);
        for (unsigned i = 0; i < threads; i++) {
                if (pthread_create(&q->threads[i], NULL, worker, q) != 0) {
                        ae_workq_free(q); /* joins the ones started */
                        return -EAGAIN;
                }
                q->n_threads++;
        }
        *ret = q;
        return 0;
}

int ae_workq_submit(struct ae_workq *q, ae_workq_fn fn, void *arg)
{
        int r = 0;

        ENSURE(q && fn, -EINVAL);
        pthread_mutex_lock(&q->lock);
        if (q->stopping)
                r = -ESHUTDOWN;
        else if (q->len == q->cap)
                r = -EAGAIN;
        else {
                q->ring[(q->head + q->len) % q->cap] = (struct job){ fn, arg };
                q->len++;
                pthread_cond_signal(&q->more);
        }
        pthread_mutex_unlock(&q->lock);
        return r;
}

size_t ae_workq_pending(struct ae_workq *q)
{
        size_t n;

        pthread_mutex_lock(&q->lock);
        n = q->len;
        pthread_mutex_unlock(&q->lock);
        return n;
}

void ae_workq_stop(struct ae_workq *q)
{
        bool join;

        if (!q)
                return;
        pthread_mutex_lock(&q->lock);
        q->stopping = true;
        join = !q->stopped;
        q->stopped = true;
        pthread_cond_broadcast(&q->more);
        pthread_mutex_unlock(&q->lock);
        if (!join)
                return;
        for (size_t i = 0; i < q->n_threads; i++)
                pthread_join(q->threads[i], NULL);
}

void ae_workq_free(struct ae_workq *q)
{
        if (!q)
                return;
        ae_workq_stop(q);
        pthread_cond_destroy(&q->more);
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q);
}
