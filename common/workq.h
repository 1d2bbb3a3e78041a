/* A fixed pool of threads running submitted jobs in order of arrival, for
 * hosts whose gRPC handlers must not block the server's loop thread
 * (grpc_server.h): verifying a node, writing the datastore, signing.
 *
 * The queue is bounded: a submit that finds it full is refused (-EAGAIN)
 * and the host answers RESOURCE_EXHAUSTED instead of piling up work it
 * cannot do. Stopping runs every job already queued, then joins the
 * threads; jobs submitted after that are refused (-ESHUTDOWN). */
#pragma once

#include <stddef.h>

#include "common/cleanup.h"
#include "common/guard.h"

#define AE_WORKQ_THREADS_MAX 64u
#define AE_WORKQ_QUEUE_MAX 65536u

struct ae_workq;

typedef void (*ae_workq_fn)(void *arg);

/* threads 1..AE_WORKQ_THREADS_MAX, queue_max 1..AE_WORKQ_QUEUE_MAX
 * (-EINVAL otherwise). Threads start at once. */
AE_MUST_USE int ae_workq_new(unsigned threads, unsigned queue_max, struct ae_workq **ret);

/* Runs fn(arg) on a pool thread. -EAGAIN when queue_max jobs wait,
 * -ESHUTDOWN once stopping; fn is not called then and arg stays the
 * caller's. Thread-safe, never blocks on the jobs. */
AE_MUST_USE int ae_workq_submit(struct ae_workq *q, ae_workq_fn fn, void *arg);

/* Jobs waiting (not yet running). */
size_t ae_workq_pending(struct ae_workq *q);

/* Runs what is queued, joins the threads. Idempotent; not from a job. */
void ae_workq_stop(struct ae_workq *q);

/* Stops if needed and frees. NULL-safe. */
void ae_workq_free(struct ae_workq *q);
AE_DEFINE_CLEANUP(struct ae_workq *, ae_workq_free)
