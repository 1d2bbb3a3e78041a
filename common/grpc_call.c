/* One server call: its metadata and caller, and the way back.
 *
 * Sends may come from any thread; completions come on the loop thread.
 * Everything that changes lives under the call's lock, and gRPC batches
 * are started under it too, so "one send in flight" and "no batch after
 * the call ended" are decided in one place. Handler callbacks run without
 * the lock held (they may send). gRPC's call is released on the loop
 * thread once RECV_CLOSE_ON_SERVER and every batch have completed; the
 * struct lives on while anyone holds a reference. */
#include "common/grpc_internal.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_msg.h"

#define OVERFLOW_MESSAGE "stream send queue full: client not reading"

static void call_free(struct ae_grpc_call *c)
{
        /* The caller's credentials and pidfd stay valid while the call is
         * referenced. */
        ae_grpc_conn_unref(c->conn);
        free(c->path);
        free(c->md);
        free(c->queue);
        free(c->status_msg);
        free(c->peer_cert_pem);
        pthread_mutex_destroy(&c->lock);
        free(c);
}

void ae_grpc_call_ref(struct ae_grpc_call *c)
{
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

void ae_grpc_call_unref(struct ae_grpc_call *c)
{
        if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
                return;
        call_free(c);
}

/* Copies gRPC's metadata (its slices belong to gRPC's call, which we
 * release before the handler is done with ours) into one allocation:
 * the entries, then the bytes of every key and value, NUL-terminated. */
static int copy_metadata(struct ae_grpc_call *c, const grpc_metadata_array *md)
{
        size_t bytes = md->count * sizeof(struct ae_grpc_md_entry);
        char *p;

        for (size_t i = 0; i < md->count; i++)
                bytes += GRPC_SLICE_LENGTH(md->metadata[i].key) +
                         GRPC_SLICE_LENGTH(md->metadata[i].value) + 2;
        if (md->count == 0)
                return 0;
        c->md = malloc(bytes);
        ENSURE_ALLOC(c->md);
        p = (char *)(c->md + md->count);
        for (size_t i = 0; i < md->count; i++) {
                const grpc_slice *k = &md->metadata[i].key, *v = &md->metadata[i].value;
                struct ae_grpc_md_entry *e = &c->md[i];

                e->key_len = GRPC_SLICE_LENGTH(*k);
                e->value_len = GRPC_SLICE_LENGTH(*v);
                memcpy(p, GRPC_SLICE_START_PTR(*k), e->key_len);
                p[e->key_len] = '\0';
                e->key = p;
                p += e->key_len + 1;
                memcpy(p, GRPC_SLICE_START_PTR(*v), e->value_len);
                p[e->value_len] = '\0';
                e->value = p;
                p += e->value_len + 1;
        }
        c->n_md = md->count;
        return 0;
}

/* TLS calls: the client certificate gRPC verified in the handshake (the
 * auth context's x509_pem_cert), copied because the context belongs to
 * gRPC's call. None is no error: the listener may not require one. */
static int copy_peer_cert(struct ae_grpc_call *c, grpc_call *gcall)
{
        grpc_auth_context *ctx = grpc_call_auth_context(gcall);
        grpc_auth_property_iterator it;
        const grpc_auth_property *p;

        if (!ctx)
                return 0;
        it = grpc_auth_context_find_properties_by_name(ctx, GRPC_X509_PEM_CERT_PROPERTY_NAME);
        p = grpc_auth_property_iterator_next(&it);
        if (p && p->value_length > 0) {
                c->peer_cert_pem = strndup(p->value, p->value_length);
                if (!c->peer_cert_pem) {
                        grpc_auth_context_release(ctx);
                        return -ENOMEM;
                }
        }
        grpc_auth_context_release(ctx);
        return 0;
}

int ae_grpc_call_new(struct ae_grpc_server *srv, const struct ae_grpc_slot *slot, grpc_call *gcall,
                     const grpc_metadata_array *md, gpr_timespec deadline,
                     struct ae_grpc_conn *conn, struct ae_grpc_call **ret)
{
        struct ae_grpc_call *c = calloc(1, sizeof(*c));
        int r;

        ENSURE_ALLOC(c);
        atomic_init(&c->refs, 1);
        pthread_mutex_init(&c->lock, NULL);
        c->srv = srv;
        c->m = &slot->m;
        c->kind = slot->m.kind;
        c->max_send = srv->cfg.max_send_message;
        c->queue_max = srv->cfg.stream_queue_max;
        c->path = strdup(slot->path);
        c->queue = calloc(c->queue_max, sizeof(*c->queue));
        if (!c->path || !c->queue) {
                call_free(c);
                return -ENOMEM;
        }
        r = copy_metadata(c, md);
        if (r < 0) {
                call_free(c);
                return r;
        }
        if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) != 0) {
                gpr_timespec mono = gpr_convert_clock_type(deadline, GPR_CLOCK_MONOTONIC);

                c->has_deadline = true;
                c->deadline.tv_sec = (time_t)mono.tv_sec;
                c->deadline.tv_nsec = mono.tv_nsec;
        }
        c->conn = conn;
        if (!conn) {
                r = copy_peer_cert(c, gcall);
                if (r < 0) {
                        call_free(c);
                        return r;
                }
        }
        c->gcall = gcall;
        c->recv_open = c->kind == AE_GRPC_BIDI_STREAMING;
        c->tag_close = (struct ae_grpc_tag){ AE_GRPC_TAG_CLOSE, c };
        c->tag_send = (struct ae_grpc_tag){ AE_GRPC_TAG_SEND, c };
        c->tag_recv = (struct ae_grpc_tag){ AE_GRPC_TAG_RECV, c };
        *ret = c;
        return 0;
}

/* Under lock: one batch on the call. A batch gRPC refuses would be our
 * bug; the call is cancelled and false returned. */
static bool start_batch_locked(struct ae_grpc_call *c, const grpc_op *ops, size_t n,
                               struct ae_grpc_tag *tag)
{
        grpc_call_error e = grpc_call_start_batch(c->gcall, ops, n, tag, NULL);

        if (e == GRPC_CALL_OK) {
                c->batches++;
                return true;
        }
        c->ended = true;
        (void)grpc_call_cancel_with_status(c->gcall, GRPC_STATUS_INTERNAL,
                                           grpc_call_error_to_string(e), NULL);
        return false;
}

static void recv_next_locked(struct ae_grpc_call *c)
{
        grpc_op op = { .op = GRPC_OP_RECV_MESSAGE };

        op.data.recv_message.recv_message = &c->recv_buf;
        (void)start_batch_locked(c, &op, 1, &c->tag_recv);
}

int ae_grpc_call_begin(struct ae_grpc_call *c)
{
        grpc_op op = { .op = GRPC_OP_RECV_CLOSE_ON_SERVER };
        grpc_call_error e;

        /* Completes when the call is over: finished, or cancelled (client
         * gone, deadline, server shutdown). */
        op.data.recv_close_on_server.cancelled = &c->close_cancelled;
        pthread_mutex_lock(&c->lock);
        e = grpc_call_start_batch(c->gcall, &op, 1, &c->tag_close, NULL);
        if (e == GRPC_CALL_OK) {
                c->batches++;
                if (c->recv_open)
                        recv_next_locked(c);
        }
        pthread_mutex_unlock(&c->lock);
        return e == GRPC_CALL_OK ? 0 : -EIO;
}

/* Under lock, nothing in flight: the next message, or the status once the
 * queue is empty. The status rides with the last message when it can. */
static void pump_locked(struct ae_grpc_call *c)
{
        grpc_op ops[3];
        size_t n = 0;
        grpc_slice details;

        if (c->sending || c->ended)
                return;
        if (c->q_len == 0 && !c->finishing)
                return;
        memset(ops, 0, sizeof(ops));
        if (!c->md_sent) {
                ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
                c->md_sent = true;
        }
        if (c->q_len > 0) {
                c->in_flight = c->queue[c->q_head];
                c->queue[c->q_head] = NULL;
                c->q_head = (c->q_head + 1) % c->queue_max;
                c->q_len--;
                ops[n].op = GRPC_OP_SEND_MESSAGE;
                ops[n++].data.send_message.send_message = c->in_flight;
        }
        if (c->q_len == 0 && c->finishing) {
                /* gRPC copies the details at start_batch. */
                details = grpc_slice_from_static_string(c->status_msg ? c->status_msg : "");
                ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
                ops[n].data.send_status_from_server.status = c->status;
                ops[n++].data.send_status_from_server.status_details =
                        c->status_msg ? &details : NULL;
        }
        c->sending = true;
        if (start_batch_locked(c, ops, n, &c->tag_send))
                return;
        c->sending = false;
        if (c->in_flight) {
                grpc_byte_buffer_destroy(c->in_flight);
                c->in_flight = NULL;
        }
}

static void drop_queue_locked(struct ae_grpc_call *c)
{
        while (c->q_len > 0) {
                grpc_byte_buffer_destroy(c->queue[c->q_head]);
                c->queue[c->q_head] = NULL;
                c->q_head = (c->q_head + 1) % c->queue_max;
                c->q_len--;
        }
}

/* Takes bb in every case. With finish_ok, the call is finished OK right
 * behind it, so a unary answer goes out in one batch. */
static int enqueue(struct ae_grpc_call *c, grpc_byte_buffer *bb, bool finish_ok)
{
        int r = 0;

        pthread_mutex_lock(&c->lock);
        if (c->ended) {
                r = -EPIPE;
        } else if (c->finishing || (c->kind == AE_GRPC_UNARY && c->responded)) {
                r = -EINVAL;
        } else if (c->q_len >= c->queue_max) {
                /* The client is not taking what we send: cut its stream
                 * rather than hold messages (or a thread) for it. The
                 * server is alive: the call has not ended. */
                c->overflowed = true;
                c->ended = true;
                drop_queue_locked(c);
                atomic_fetch_add_explicit(&c->srv->refusals[AE_GRPC_STREAM_OVERFLOW], 1,
                                          memory_order_relaxed);
                (void)grpc_call_cancel_with_status(c->gcall, GRPC_STATUS_RESOURCE_EXHAUSTED,
                                                   OVERFLOW_MESSAGE, NULL);
                r = -ENOBUFS;
        } else {
                c->queue[(c->q_head + c->q_len) % c->queue_max] = bb;
                c->q_len++;
                c->responded = true;
                bb = NULL;
                if (finish_ok) {
                        c->finishing = true;
                        c->status = GRPC_STATUS_OK;
                }
                pump_locked(c);
        }
        pthread_mutex_unlock(&c->lock);
        if (bb)
                grpc_byte_buffer_destroy(bb);
        return r;
}

int ae_grpc_call_send(struct ae_grpc_call *c, const ProtobufCMessage *msg)
{
        grpc_byte_buffer *bb;

        ENSURE(c && msg, -EINVAL);
        GUARD(ae_grpc_msg_pack(msg, c->max_send, &bb));
        return enqueue(c, bb, false);
}

int ae_grpc_call_send_packed(struct ae_grpc_call *c, const uint8_t *data, size_t len)
{
        grpc_byte_buffer *bb;

        ENSURE(c, -EINVAL);
        GUARD(ae_grpc_msg_wrap(data, len, c->max_send, &bb));
        return enqueue(c, bb, false);
}

int ae_grpc_call_finish(struct ae_grpc_call *c, grpc_status_code code, const char *message)
{
        char *copy = NULL;
        int r = 0;

        ENSURE(c, -EINVAL);
        ENSURE((unsigned)code <= GRPC_STATUS_UNAUTHENTICATED, -EINVAL);
        if (message && *message) {
                ENSURE(strlen(message) <= AE_GRPC_STATUS_MESSAGE_MAX, -EMSGSIZE);
                copy = strdup(message);
                ENSURE_ALLOC(copy);
        }
        pthread_mutex_lock(&c->lock);
        if (c->ended) {
                r = -EPIPE;
        } else if (c->finishing ||
                   (c->kind == AE_GRPC_UNARY && code == GRPC_STATUS_OK && !c->responded)) {
                r = -EINVAL;
        } else {
                c->finishing = true;
                c->status = code;
                c->status_msg = copy;
                copy = NULL;
                pump_locked(c);
        }
        pthread_mutex_unlock(&c->lock);
        free(copy);
        return r;
}

int ae_grpc_call_reply(struct ae_grpc_call *c, const ProtobufCMessage *msg)
{
        grpc_byte_buffer *bb;

        ENSURE(c && msg, -EINVAL);
        GUARD(ae_grpc_msg_pack(msg, c->max_send, &bb));
        return enqueue(c, bb, true);
}

void ae_grpc_call_cancel(struct ae_grpc_call *c, grpc_status_code code, const char *message)
{
        if (!c)
                return;
        pthread_mutex_lock(&c->lock);
        if (!c->ended) {
                c->ended = true;
                drop_queue_locked(c);
                (void)grpc_call_cancel_with_status(c->gcall, code, message ? message : "",
                                                   NULL);
        }
        pthread_mutex_unlock(&c->lock);
}

bool ae_grpc_call_ended(const struct ae_grpc_call *c)
{
        struct ae_grpc_call *m = (struct ae_grpc_call *)c;
        bool ended;

        pthread_mutex_lock(&m->lock);
        ended = m->ended;
        pthread_mutex_unlock(&m->lock);
        return ended;
}

const char *ae_grpc_call_method(const struct ae_grpc_call *c)
{
        return c->path;
}

int ae_grpc_call_metadata(const struct ae_grpc_call *c, const char *key, const char **ret_value,
                          size_t *ret_len)
{
        const struct ae_grpc_md_entry *found = NULL;
        size_t klen;

        ENSURE(c && key && ret_value && ret_len, -EINVAL);
        klen = strlen(key);
        for (size_t i = 0; i < c->n_md; i++) {
                const struct ae_grpc_md_entry *e = &c->md[i];

                if (e->key_len != klen || memcmp(e->key, key, klen) != 0)
                        continue;
                ENSURE(!found, -ENOTUNIQ);
                found = e;
        }
        ENSURE(found, -ENOENT);
        *ret_value = found->value;
        *ret_len = found->value_len;
        return 0;
}

int ae_grpc_call_deadline(const struct ae_grpc_call *c, struct timespec *ret)
{
        ENSURE(c && ret, -EINVAL);
        ENSURE(c->has_deadline, -ENOENT);
        *ret = c->deadline;
        return 0;
}

int ae_grpc_call_peer(const struct ae_grpc_call *c, struct ae_grpc_peer *ret)
{
        ENSURE(c && ret, -EINVAL);
        ENSURE(c->conn, -ENOTCONN);
        *ret = c->conn->peer;
        return 0;
}

int ae_grpc_call_peer_cert(const struct ae_grpc_call *c, const char **ret_pem)
{
        ENSURE(c && ret_pem, -EINVAL);
        ENSURE(c->peer_cert_pem, -ENOENT);
        *ret_pem = c->peer_cert_pem;
        return 0;
}

int ae_grpc_call_peer_pidfd(const struct ae_grpc_call *c, int *ret_fd)
{
        ENSURE(c && ret_fd, -EINVAL);
        ENSURE(c->conn, -ENOTCONN);
        *ret_fd = c->conn->pidfd;
        return 0;
}

int ae_grpc_call_peer_alive(const struct ae_grpc_call *c)
{
        struct pollfd p;
        int r;

        ENSURE(c, -EINVAL);
        ENSURE(c->conn, -ENOTCONN);
        /* A pidfd polls readable once its process has exited. */
        p = (struct pollfd){ .fd = c->conn->pidfd, .events = POLLIN };
        do
                r = poll(&p, 1, 0);
        while (r < 0 && errno == EINTR);
        ENSURE(r >= 0, -errno);
        ENSURE(!(p.revents & POLLNVAL), -EBADF);
        return r == 0;
}

void ae_grpc_call_set_data(struct ae_grpc_call *c, void *data)
{
        c->data = data;
}

void *ae_grpc_call_get_data(const struct ae_grpc_call *c)
{
        return c->data;
}

/* On the loop thread, once nothing of gRPC's call is left to complete:
 * release it, and the server's hold on this call. */
static void maybe_release(struct ae_grpc_call *c)
{
        struct ae_grpc_server *srv = c->srv;
        grpc_call *gcall = NULL;

        pthread_mutex_lock(&c->lock);
        if (c->closed && c->batches == 0 && c->gcall) {
                gcall = c->gcall;
                c->gcall = NULL;
        }
        pthread_mutex_unlock(&c->lock);
        if (!gcall)
                return;
        grpc_call_unref(gcall);
        atomic_fetch_sub_explicit(&srv->calls_live, 1, memory_order_relaxed);
        ae_grpc_call_unref(c);
}

static void on_close(struct ae_grpc_call *c)
{
        enum ae_grpc_end end;

        pthread_mutex_lock(&c->lock);
        c->closed = true;
        c->ended = true;
        drop_queue_locked(c);
        if (c->overflowed)
                end = AE_GRPC_END_OVERFLOW;
        else if (c->close_cancelled)
                end = AE_GRPC_END_CANCELLED;
        else
                end = AE_GRPC_END_FINISHED;
        pthread_mutex_unlock(&c->lock);
        if (c->m->on_done)
                c->m->on_done(c, end, c->m->userdata);
}

static void on_sent(struct ae_grpc_call *c)
{
        pthread_mutex_lock(&c->lock);
        if (c->in_flight) {
                grpc_byte_buffer_destroy(c->in_flight);
                c->in_flight = NULL;
        }
        c->sending = false;
        pump_locked(c);
        pthread_mutex_unlock(&c->lock);
}

static void on_received(struct ae_grpc_call *c, bool success)
{
        grpc_byte_buffer *bb;
        ProtobufCMessage *req = NULL;
        bool deliver;
        int r = 0;

        pthread_mutex_lock(&c->lock);
        bb = c->recv_buf;
        c->recv_buf = NULL;
        deliver = success && !c->ended && c->recv_open;
        if (!bb)
                c->recv_open = false;
        pthread_mutex_unlock(&c->lock);

        if (deliver && bb)
                r = ae_grpc_msg_unpack(bb, c->m->request, &req);
        if (bb)
                grpc_byte_buffer_destroy(bb);
        if (!deliver)
                return;
        if (r < 0) {
                /* gRPC's status for a request that does not parse. */
                atomic_fetch_add_explicit(&c->srv->refusals[AE_GRPC_CALL_MALFORMED], 1,
                                          memory_order_relaxed);
                ae_grpc_call_cancel(c, GRPC_STATUS_INTERNAL, ae_grpc_reason_str(
                                                                     AE_GRPC_CALL_MALFORMED));
                return;
        }
        if (c->m->on_message)
                c->m->on_message(c, req, c->m->userdata);
        if (!req)
                return; /* half-closed: nothing more to receive */
        protobuf_c_message_free_unpacked(req, NULL);
        pthread_mutex_lock(&c->lock);
        if (!c->ended && c->recv_open)
                recv_next_locked(c);
        pthread_mutex_unlock(&c->lock);
}

void ae_grpc_call_complete(struct ae_grpc_call *c, enum ae_grpc_tag_kind kind, bool success)
{
        switch (kind) {
        case AE_GRPC_TAG_CLOSE:
                on_close(c);
                break;
        case AE_GRPC_TAG_SEND:
                on_sent(c);
                break;
        case AE_GRPC_TAG_RECV:
                on_received(c, success);
                break;
        default:
                return;
        }
        pthread_mutex_lock(&c->lock);
        c->batches--;
        pthread_mutex_unlock(&c->lock);
        maybe_release(c);
}
