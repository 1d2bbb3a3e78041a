/* New calls, before any handler: ask gRPC for them per method, check each
 * (method known, call limit, caller still connected, request parses),
 * and answer those turned away here, with the status of their reason
 * (grpc_reason.h). */
#include "common/grpc_internal.h"

#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/support/alloc.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_msg.h"

static void count(struct ae_grpc_server *s, enum ae_grpc_reason r)
{
        atomic_fetch_add_explicit(&s->refusals[r], 1, memory_order_relaxed);
}

/* A call the layer answers itself: the status, and it is over. */
struct refusal {
        struct ae_grpc_tag tag;
        grpc_call *gcall;
        int cancelled;
};

static void refuse_call(struct ae_grpc_server *s, grpc_call *gcall, enum ae_grpc_reason r,
                        grpc_status_code code)
{
        struct refusal *f = calloc(1, sizeof(*f));
        grpc_slice details = grpc_slice_from_static_string(ae_grpc_reason_str(r));
        grpc_op ops[3];

        count(s, r);
        if (!f) {
                (void)grpc_call_cancel_with_status(gcall, code, ae_grpc_reason_str(r), NULL);
                grpc_call_unref(gcall);
                return;
        }
        memset(ops, 0, sizeof(ops));
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[1].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[1].data.send_status_from_server.status = code;
        ops[1].data.send_status_from_server.status_details = &details;
        ops[2].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        ops[2].data.recv_close_on_server.cancelled = &f->cancelled;
        f->tag = (struct ae_grpc_tag){ AE_GRPC_TAG_REFUSAL, f };
        f->gcall = gcall;
        if (grpc_call_start_batch(gcall, ops, 3, &f->tag, NULL) != GRPC_CALL_OK) {
                grpc_call_unref(gcall);
                free(f);
        }
}

void ae_grpc_refusal_complete(void *owner)
{
        struct refusal *f = owner;

        grpc_call_unref(f->gcall);
        free(f);
}

/* Asks gRPC for the slot's next call. */
void ae_grpc_slot_request(struct ae_grpc_slot *slot)
{
        struct ae_grpc_server *s = slot->srv;
        grpc_call_error e;

        if (slot->registered) {
                bool with_request = slot->m.kind != AE_GRPC_BIDI_STREAMING;

                e = grpc_server_request_registered_call(
                        s->server, slot->registered, &slot->call, &slot->deadline, &slot->md,
                        with_request ? &slot->payload : NULL, s->cq, s->cq, &slot->tag);
        } else {
                e = grpc_server_request_call(s->server, &slot->call, &slot->details, &slot->md,
                                             s->cq, s->cq, &slot->tag);
        }
        /* Only a shut-down server refuses; then no more calls are wanted. */
        (void)e;
}

/* The caller of a call on the Unix socket: -ENOTCONN for one that came
 * some other way (TLS), -ENOENT for a connection that has ended. */
static int call_conn(struct ae_grpc_server *s, grpc_call *gcall, struct ae_grpc_conn **ret)
{
        char *peer;

        *ret = NULL;
        if (!s->unix_listener)
                return -ENOTCONN;
        peer = grpc_call_get_peer(gcall);
        if (!peer || strncmp(peer, "fd:", 3) != 0) {
                gpr_free(peer);
                return -ENOTCONN;
        }
        *ret = ae_grpc_unix_lookup(s->unix_listener, peer);
        gpr_free(peer);
        return *ret ? 0 : -ENOENT;
}

/* A new call from slot: check it, then give it to its handler. */
static void dispatch(struct ae_grpc_slot *slot, grpc_call *gcall, grpc_metadata_array *md,
                     grpc_byte_buffer *payload, gpr_timespec deadline)
{
        struct ae_grpc_server *s = slot->srv;
        struct ae_grpc_conn *conn = NULL;
        ProtobufCMessage *req = NULL;
        struct ae_grpc_call *c;

        if (!slot->registered) {
                refuse_call(s, gcall, AE_GRPC_CALL_UNIMPLEMENTED, GRPC_STATUS_UNIMPLEMENTED);
                return;
        }
        if (atomic_load_explicit(&s->calls_live, memory_order_relaxed) >= s->cfg.max_calls) {
                refuse_call(s, gcall, AE_GRPC_CALL_LIMIT, GRPC_STATUS_RESOURCE_EXHAUSTED);
                return;
        }
        if (call_conn(s, gcall, &conn) == -ENOENT) {
                refuse_call(s, gcall, AE_GRPC_CALL_NO_PEER, GRPC_STATUS_UNAVAILABLE);
                return;
        }
        if (slot->m.kind != AE_GRPC_BIDI_STREAMING) {
                if (!payload) {
                        ae_grpc_conn_unref(conn);
                        refuse_call(s, gcall, AE_GRPC_CALL_NO_REQUEST, GRPC_STATUS_INTERNAL);
                        return;
                }
                /* gRPC's status for a request that does not parse. */
                if (ae_grpc_msg_unpack(payload, slot->m.request, &req) < 0) {
                        ae_grpc_conn_unref(conn);
                        refuse_call(s, gcall, AE_GRPC_CALL_MALFORMED, GRPC_STATUS_INTERNAL);
                        return;
                }
        }
        if (ae_grpc_call_new(s, slot, gcall, md, deadline, conn, &c) < 0) {
                ae_grpc_conn_unref(conn);
                (void)grpc_call_cancel_with_status(gcall, GRPC_STATUS_RESOURCE_EXHAUSTED,
                                                   "out of memory", NULL);
                grpc_call_unref(gcall);
                if (req)
                        protobuf_c_message_free_unpacked(req, NULL);
                return;
        }
        atomic_fetch_add_explicit(&s->calls_live, 1, memory_order_relaxed);
        if (ae_grpc_call_begin(c) < 0) {
                /* Nothing started on it: release it here. */
                (void)grpc_call_cancel(gcall, NULL);
                grpc_call_unref(gcall);
                atomic_fetch_sub_explicit(&s->calls_live, 1, memory_order_relaxed);
                ae_grpc_call_unref(c);
        } else {
                slot->m.on_start(c, req, slot->m.userdata);
        }
        if (req)
                protobuf_c_message_free_unpacked(req, NULL);
}

void ae_grpc_slot_complete(struct ae_grpc_slot *slot, bool success)
{
        grpc_call *gcall = slot->call;
        grpc_byte_buffer *payload = slot->payload;
        grpc_metadata_array md = slot->md;
        gpr_timespec deadline = slot->deadline;

        slot->call = NULL;
        slot->payload = NULL;
        grpc_metadata_array_init(&slot->md);
        if (!slot->registered) {
                grpc_call_details_destroy(&slot->details);
                grpc_call_details_init(&slot->details);
        }
        /* Ask for the next call first: gRPC queues calls meanwhile. Also
         * while stopping: until shutdown_and_notify, a call must find a
         * request (or it waits unanswered); after it, gRPC fails the
         * request at once. */
        if (success)
                ae_grpc_slot_request(slot);
        if (success && gcall)
                dispatch(slot, gcall, &md, payload, deadline);
        else if (gcall)
                grpc_call_unref(gcall);
        grpc_metadata_array_destroy(&md);
        if (payload)
                grpc_byte_buffer_destroy(payload);
}

