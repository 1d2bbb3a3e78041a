/* Client streams: server-streaming and bidi calls. RECV_STATUS_ON_CLIENT
 * is started at open and collected when a read finds the end (or at free),
 * so the status is never lost whatever the order of events. */
#include "common/grpc_client_internal.h"

#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <protobuf-c/protobuf-c.h>

#include "common/cleanup.h"
#include "common/grpc_msg.h"

struct ae_grpc_client_stream {
        uint32_t max_send;
        grpc_completion_queue *cq;
        grpc_call *call;
        grpc_metadata_array init_md, trailing;
        grpc_status_code code;
        grpc_slice details;
        bool md_received;  /* RECV_INITIAL_METADATA went with a read */
        bool send_closed;  /* SEND_CLOSE_FROM_CLIENT went out */
        bool status_done;  /* the status tag was collected */
        struct ae_grpc_status final;
        int tag_op, tag_status; /* their addresses are the tags */
};

/* One batch, waited for. */
static bool run(struct ae_grpc_client_stream *s, const grpc_op *ops, size_t n)
{
        if (grpc_call_start_batch(s->call, ops, n, &s->tag_op, NULL) != GRPC_CALL_OK)
                return false;
        return ae_grpc_client_wait(s->cq, &s->tag_op);
}

/* The call is over on the client's side: collect the status. */
static void collect_status(struct ae_grpc_client_stream *s)
{
        if (s->status_done)
                return;
        (void)ae_grpc_client_wait(s->cq, &s->tag_status);
        s->status_done = true;
        ae_grpc_client_status_set(&s->final, s->code, s->details);
}

void ae_grpc_client_stream_free(struct ae_grpc_client_stream *s)
{
        if (!s)
                return;
        if (s->call) {
                if (!s->status_done) {
                        /* The server sees the client go away: CANCELLED. */
                        (void)grpc_call_cancel(s->call, NULL);
                        collect_status(s);
                }
                grpc_call_unref(s->call);
        }
        if (s->cq)
                ae_grpc_client_cq_free(s->cq);
        grpc_metadata_array_destroy(&s->init_md);
        grpc_metadata_array_destroy(&s->trailing);
        grpc_slice_unref(s->details);
        free(s);
}

int ae_grpc_client_stream_open(struct ae_grpc_client *c, const char *method,
                               const struct ae_grpc_call_opts *opts, const ProtobufCMessage *req,
                               struct ae_grpc_client_stream **ret)
{
        struct ae_grpc_client_stream *s;
        struct ae_grpc_client_md md;
        grpc_byte_buffer *bb = NULL;
        grpc_op ops[3], st;
        size_t n = 0;
        int r;

        ENSURE(c && ret, -EINVAL);
        if (req)
                GUARD(ae_grpc_msg_pack(req, c->max_send, &bb));
        r = ae_grpc_client_md_build(opts, &md);
        if (r < 0) {
                if (bb)
                        grpc_byte_buffer_destroy(bb);
                return r;
        }
        s = calloc(1, sizeof(*s));
        if (!s) {
                r = -ENOMEM;
                goto out;
        }
        s->max_send = c->max_send;
        s->details = grpc_empty_slice();
        grpc_metadata_array_init(&s->init_md);
        grpc_metadata_array_init(&s->trailing);
        s->cq = grpc_completion_queue_create_for_pluck(NULL);
        if (!s->cq) {
                r = -ENOMEM;
                goto out;
        }
        r = ae_grpc_client_call(c, s->cq, method, opts, &s->call);
        if (r < 0)
                goto out;

        memset(&st, 0, sizeof(st));
        st.op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        st.data.recv_status_on_client.trailing_metadata = &s->trailing;
        st.data.recv_status_on_client.status = &s->code;
        st.data.recv_status_on_client.status_details = &s->details;
        if (grpc_call_start_batch(s->call, &st, 1, &s->tag_status, NULL) != GRPC_CALL_OK) {
                /* Nothing to collect: free must not wait for it. */
                s->status_done = true;
                r = -EIO;
                goto out;
        }

        memset(ops, 0, sizeof(ops));
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[n].data.send_initial_metadata.count = md.n;
        ops[n].data.send_initial_metadata.metadata = md.md;
        if (opts && opts->wait_for_ready)
                ops[n].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY;
        n++;
        if (bb) {
                ops[n].op = GRPC_OP_SEND_MESSAGE;
                ops[n++].data.send_message.send_message = bb;
                ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
                s->send_closed = true;
        }
        /* A failure here (server not there) shows as the status at the
         * first read. */
        (void)run(s, ops, n);
        *ret = TAKE_PTR(s);
        r = 0;
out:
        ae_grpc_client_stream_free(s);
        ae_grpc_client_md_release(&md);
        if (bb)
                grpc_byte_buffer_destroy(bb);
        return r;
}

int ae_grpc_client_stream_send(struct ae_grpc_client_stream *s, const ProtobufCMessage *req)
{
        grpc_byte_buffer *bb;
        grpc_op op;
        bool ok;

        ENSURE(s && req, -EINVAL);
        ENSURE(!s->send_closed && !s->status_done, -EPIPE);
        GUARD(ae_grpc_msg_pack(req, s->max_send, &bb));
        memset(&op, 0, sizeof(op));
        op.op = GRPC_OP_SEND_MESSAGE;
        op.data.send_message.send_message = bb;
        ok = run(s, &op, 1);
        grpc_byte_buffer_destroy(bb);
        return ok ? 0 : -EPIPE;
}

int ae_grpc_client_stream_close_send(struct ae_grpc_client_stream *s)
{
        grpc_op op;

        ENSURE(s, -EINVAL);
        if (s->send_closed || s->status_done)
                return 0;
        memset(&op, 0, sizeof(op));
        op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        s->send_closed = true;
        (void)run(s, &op, 1);
        return 0;
}

static int end_result(struct ae_grpc_client_stream *s, struct ae_grpc_status *ret_status)
{
        if (ret_status)
                *ret_status = s->final;
        return s->final.code == GRPC_STATUS_OK ? -ENODATA : -EREMOTEIO;
}

int ae_grpc_client_stream_read(struct ae_grpc_client_stream *s,
                               const ProtobufCMessageDescriptor *type, ProtobufCMessage **ret,
                               struct ae_grpc_status *ret_status)
{
        grpc_byte_buffer *bb = NULL;
        grpc_op ops[2];
        size_t n = 0;
        int r;

        ENSURE(s && type && ret, -EINVAL);
        if (s->status_done)
                return end_result(s, ret_status);
        memset(ops, 0, sizeof(ops));
        if (!s->md_received) {
                ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
                ops[n++].data.recv_initial_metadata.recv_initial_metadata = &s->init_md;
                s->md_received = true;
        }
        ops[n].op = GRPC_OP_RECV_MESSAGE;
        ops[n++].data.recv_message.recv_message = &bb;
        (void)run(s, ops, n);
        if (!bb) {
                /* End of the stream, or of the call. */
                collect_status(s);
                return end_result(s, ret_status);
        }
        r = ae_grpc_msg_unpack(bb, type, ret);
        grpc_byte_buffer_destroy(bb);
        return r;
}
