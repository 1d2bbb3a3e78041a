/* A blocking gRPC client on gRPC core: unary calls and streams with
 * protobuf-c messages, over a Unix socket or TCP with TLS, with deadlines.
 *
 * Threading: a client (one channel, one connection of its own: channels
 * never share a connection) may be used by many threads at once; each call
 * and each stream has its own completion queue, and a stream is used by one
 * thread at a time. Every function blocks only on its own call, never
 * longer than the call's deadline (timeout_ms), except stream reads and
 * sends without a deadline.
 *
 * Results: 0 when the server answered OK; -EREMOTEIO when the call ended
 * with another status (the server's, or gRPC's own: DEADLINE_EXCEEDED,
 * UNAVAILABLE, RESOURCE_EXHAUSTED, ...), which is in *ret_status;
 * -EBADMSG when a response did not parse as the expected type; other
 * negative errno for local failures. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/status.h>

#include "common/guard.h"

struct ae_grpc_client;
struct ae_grpc_client_stream;
struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* Status message kept from the server (longer ones are cut). */
#define AE_GRPC_CLIENT_STATUS_MAX 512u
/* Most request metadata entries per call, largest message size. */
#define AE_GRPC_CLIENT_MD_MAX 32u
#define AE_GRPC_CLIENT_MESSAGE_LIMIT (64u * 1024 * 1024)

struct ae_grpc_status {
        grpc_status_code code;
        char message[AE_GRPC_CLIENT_STATUS_MAX];
};

struct ae_grpc_client_config {
        uint32_t max_recv_message; /* largest response accepted; default 4 MiB */
        uint32_t max_send_message; /* largest request sent; default 4 MiB */
};

void ae_grpc_client_config_default(struct ae_grpc_client_config *ret);

/* TLS to a TCP server (PEM text, copied). */
struct ae_grpc_tls_client {
        const char *ca_pem;         /* roots the server's certificate must chain to */
        const char *cert_chain_pem; /* NULL: no client certificate */
        const char *key_pem;        /* with cert_chain_pem */
        /* Name the server's certificate must carry (SAN DNS/IP); NULL: the
         * host part of the target. */
        const char *server_name;
        /* Optional, after gRPC verified the chain and the name: the
         * server's certificate (PEM); nonzero refuses the handshake (the
         * call fails UNAVAILABLE). For checks gRPC cannot make, such as
         * the server's SPIFFE ID. Runs on a gRPC thread, during the
         * handshake, so it must be quick; verify_userdata must outlive the
         * client. */
        int (*verify_peer)(const char *peer_pem, void *userdata);
        void *verify_userdata;
};

/* Request metadata: key lowercase ASCII, value printable ASCII. */
struct ae_grpc_md {
        const char *key;
        const char *value;
};

struct ae_grpc_call_opts {
        const struct ae_grpc_md *md;
        size_t n_md;
        /* Deadline from now; 0: none (streams that live as long as the
         * client wants). */
        uint32_t timeout_ms;
        /* Wait for the server to come up (until the deadline) instead of
         * failing UNAVAILABLE at once. */
        bool wait_for_ready;
};

/* cfg NULL: the defaults. Nothing connects until the first call. Calls
 * grpc_init; ae_grpc_client_free balances it. -ENAMETOOLONG for a path
 * past 107 bytes, -EINVAL for a relative one. */
AE_MUST_USE int ae_grpc_client_new_unix(const char *path, const struct ae_grpc_client_config *cfg,
                                        struct ae_grpc_client **ret);
/* target "host:port". -EINVAL without a CA, or with half a key pair. */
AE_MUST_USE int ae_grpc_client_new_tls(const char *target, const struct ae_grpc_tls_client *tls,
                                       const struct ae_grpc_client_config *cfg,
                                       struct ae_grpc_client **ret);
/* NULL-safe. Every stream of the client must be freed first. */
void ae_grpc_client_free(struct ae_grpc_client *c);

/* One unary call. On 0, *ret_resp is the response (free it with
 * protobuf_c_message_free_unpacked(m, NULL)). ret_status may be NULL. */
AE_MUST_USE int ae_grpc_client_unary(struct ae_grpc_client *c, const char *method,
                                     const struct ae_grpc_call_opts *opts,
                                     const struct ProtobufCMessage *req,
                                     const struct ProtobufCMessageDescriptor *resp_type,
                                     struct ProtobufCMessage **ret_resp,
                                     struct ae_grpc_status *ret_status);

/* Opens a streaming call. With req (server-streaming) the request is sent
 * and the sending side closed; with NULL (bidi) requests follow through
 * ae_grpc_client_stream_send. A server that is not there shows at the
 * first read (-EREMOTEIO, UNAVAILABLE). */
AE_MUST_USE int ae_grpc_client_stream_open(struct ae_grpc_client *c, const char *method,
                                           const struct ae_grpc_call_opts *opts,
                                           const struct ProtobufCMessage *req,
                                           struct ae_grpc_client_stream **ret);
/* Bidi: one request; -EPIPE once the call has ended or the sending side
 * is closed. */
AE_MUST_USE int ae_grpc_client_stream_send(struct ae_grpc_client_stream *s,
                                           const struct ProtobufCMessage *req);
/* Bidi: no more requests (half-close). Idempotent. */
AE_MUST_USE int ae_grpc_client_stream_close_send(struct ae_grpc_client_stream *s);
/* Waits for the next response: 0 with *ret (free as above). At the end of
 * the stream: -ENODATA when the server finished OK, -EREMOTEIO when the
 * call ended otherwise; either way the status is in *ret_status (may be
 * NULL), and every later read says the same. */
AE_MUST_USE int ae_grpc_client_stream_read(struct ae_grpc_client_stream *s,
                                           const struct ProtobufCMessageDescriptor *type,
                                           struct ProtobufCMessage **ret,
                                           struct ae_grpc_status *ret_status);
/* Cancels the call if it is still open (the server sees the client go:
 * CANCELLED), then frees. NULL-safe. */
void ae_grpc_client_stream_free(struct ae_grpc_client_stream *s);

static inline void ae_grpc_client_freep(struct ae_grpc_client **c)
{
        ae_grpc_client_free(*c);
}
static inline void ae_grpc_client_stream_freep(struct ae_grpc_client_stream **s)
{
        ae_grpc_client_stream_free(*s);
}
