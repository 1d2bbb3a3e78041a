/* A gRPC server on gRPC core (grpc/grpc.h): methods registered by path, with
 * protobuf-c messages, on a Unix socket that knows each caller's process,
 * and on TCP with TLS.
 *
 * Threading model
 *   - One loop thread per server drives gRPC's completion queue: new calls,
 *     finished sends, received messages, ends of calls. Every handler
 *     callback (on_start, on_message, on_done) runs on it, one at a time, so
 *     handlers need no locks among themselves, and must not block: a slow
 *     handler delays every other call. Work that may take time (attesting
 *     a process, signing) goes to another thread, which keeps a reference
 *     to the call (ae_grpc_call_ref) and answers from there.
 *   - A Unix socket server has one accept thread: accept4, the peer's
 *     credentials and pidfd, handing the fd to gRPC, and noticing when a
 *     connection ends (to keep the connection limit and drop the pidfd).
 *   - Every ae_grpc_call_* function (grpc_call.h) is thread-safe and never
 *     blocks. A send packs the message on the caller's thread and queues it;
 *     one send is in flight per call (as gRPC requires), the next is started
 *     when it completes. The queue is bounded (stream_queue_max): a send
 *     that finds it full cancels the call with RESOURCE_EXHAUSTED, so a
 *     client that stops reading loses its own stream and nobody waits on it.
 *   - gRPC's own threads (timers, executor, resolver) are gRPC's business.
 *
 * Lifecycle: new -> add_method / listen_* -> start -> stop -> free. Methods
 * and listeners are fixed at start. stop is graceful: no new connections or
 * calls, calls in progress get grace_ms to finish, then the rest are
 * cancelled (clients see UNAVAILABLE) and every handler's on_done has run
 * when stop returns. Calls still referenced by other threads stay valid
 * objects after that; their sends fail -EPIPE.
 *
 * Errors are negative errno. Calls the layer answers itself (unknown
 * method, limits, malformed requests) are counted by reason
 * (grpc_reason.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "common/grpc_reason.h"

struct ae_grpc_server;
struct ae_grpc_call;
struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* Hard ceilings on the configuration: what one agent could ever need. */
#define AE_GRPC_MAX_CONNECTIONS_LIMIT 65536u
#define AE_GRPC_MAX_CALLS_LIMIT 262144u
#define AE_GRPC_MAX_MESSAGE_LIMIT (64u * 1024 * 1024)
#define AE_GRPC_STREAM_QUEUE_LIMIT 4096u
#define AE_GRPC_MAX_METHODS 64u
#define AE_GRPC_METHOD_PATH_MAX 256u
#define AE_GRPC_TIMEOUT_LIMIT_MS (24u * 3600 * 1000)

struct ae_grpc_server_config {
        /* Unix socket connections alive at once; one more is closed at
         * accept (AE_GRPC_CONN_LIMIT). Default 1024. */
        uint32_t max_connections;
        /* Calls in progress over all connections; one more is answered
         * RESOURCE_EXHAUSTED (AE_GRPC_CALL_LIMIT). Default 4096. */
        uint32_t max_calls;
        /* HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may
         * have open; a client queues its next call until one ends.
         * Default 128. */
        uint32_t max_streams_per_connection;
        /* Largest request gRPC accepts (bytes); larger: RESOURCE_EXHAUSTED,
         * before any handler runs. Default 64 KiB. */
        uint32_t max_recv_message;
        /* Largest response a handler may send (bytes); larger sends fail
         * -EMSGSIZE and leave the call as it was. Default 4 MiB. */
        uint32_t max_send_message;
        /* Messages a call may have waiting behind the one in flight.
         * Default 16. */
        uint32_t stream_queue_max;
        /* File mode of the Unix socket (connect needs write). Default 0666:
         * who may connect is decided by attesting the caller, not by file
         * permissions; a host that wants fewer callers narrows it. */
        uint32_t socket_mode;
        /* A Unix connection that has not brought one whole call (its
         * request too) within this is closed (AE_GRPC_CONN_NO_CALL): a
         * client stuck in the HTTP/2 preface or inside its first request
         * must not hold one of max_connections for ever. Default 10 s; 0:
         * never. At most AE_GRPC_TIMEOUT_LIMIT_MS. */
        uint32_t first_call_timeout_ms;
        /* A Unix connection with no call in progress for this long is
         * closed (AE_GRPC_CONN_IDLE); its client connects again for its
         * next call. Default 5 min; 0: never. At most
         * AE_GRPC_TIMEOUT_LIMIT_MS. Connections are checked once a
         * second, so either may run up to a second longer. */
        uint32_t idle_timeout_ms;
};

/* The defaults above. */
void ae_grpc_server_config_default(struct ae_grpc_server_config *ret);

enum ae_grpc_kind {
        AE_GRPC_UNARY,            /* one request, one response */
        AE_GRPC_SERVER_STREAMING, /* one request, responses until the handler finishes */
        AE_GRPC_BIDI_STREAMING,   /* requests and responses, each side until it closes */
};

/* How a call ended (on_done). */
enum ae_grpc_end {
        AE_GRPC_END_FINISHED,  /* the handler's status went out */
        AE_GRPC_END_CANCELLED, /* the client cancelled or went away, its deadline
                                * passed, or the server stopped */
        AE_GRPC_END_OVERFLOW,  /* the send queue overflowed (AE_GRPC_STREAM_OVERFLOW) */
};

/* One method. The layer copies the struct and path at add_method. */
struct ae_grpc_method {
        const char *path;                                 /* "/SpiffeWorkloadAPI/FetchX509SVID" */
        enum ae_grpc_kind kind;
        const struct ProtobufCMessageDescriptor *request; /* type of every request message */
        /* A new call. req is its request (unary, server-streaming) or NULL
         * (bidi: requests come to on_message); it is freed when this
         * returns. The handler answers now, or takes a reference and
         * answers later from any thread. If it never finishes the call, the
         * call lasts until the client's deadline, the client leaves, or the
         * server stops. Required. */
        void (*on_start)(struct ae_grpc_call *call, const struct ProtobufCMessage *req,
                         void *userdata);
        /* Bidi: each further request, freed when this returns; NULL once
         * no more will come (the client half-closed, or the call is
         * ending: on_done follows). The next request is read only after
         * this returns. Optional. */
        void (*on_message)(struct ae_grpc_call *call, const struct ProtobufCMessage *req,
                           void *userdata);
        /* The call is over: sends now fail -EPIPE; drop references kept
         * for it. Exactly once per call that reached on_start. Optional. */
        void (*on_done)(struct ae_grpc_call *call, enum ae_grpc_end end, void *userdata);
        void *userdata;
};

/* TLS for a TCP listener (PEM text, copied). */
struct ae_grpc_tls_server {
        const char *cert_chain_pem; /* the server's certificate, then intermediates */
        const char *key_pem;
        /* NULL: clients are not asked for a certificate. Else the roots a
         * client certificate must chain to. */
        const char *client_ca_pem;
        /* With client_ca_pem: a client without a verified certificate is
         * refused in the handshake. false: asked for, verified if sent. */
        bool require_client_cert;
};

/* -EINVAL for a configuration outside the limits above. Calls grpc_init;
 * ae_grpc_server_free balances it. */
AE_MUST_USE int ae_grpc_server_new(const struct ae_grpc_server_config *cfg,
                                   struct ae_grpc_server **ret);

/* Before start. -EEXIST for a path already added, -EINVAL for a path that
 * is not "/<service>/<method>" or a method without on_start or request
 * type, -E2BIG past AE_GRPC_MAX_METHODS, -EBUSY once started. */
AE_MUST_USE int ae_grpc_server_add_method(struct ae_grpc_server *s,
                                          const struct ae_grpc_method *m);

/* Before start; one per server: a Unix socket at path (absolute, at most
 * 107 bytes: -ENAMETOOLONG; -EINVAL when relative). Created at start. */
AE_MUST_USE int ae_grpc_server_listen_unix(struct ae_grpc_server *s, const char *path);

/* Before start; one per server: TCP with TLS on addr, "host:port" (port
 * 0: any free port, see ae_grpc_server_tls_port). -EINVAL for incomplete
 * TLS material. Bound at start. No peer credentials for these calls. */
AE_MUST_USE int ae_grpc_server_listen_tls(struct ae_grpc_server *s, const char *addr,
                                          const struct ae_grpc_tls_server *tls);

/* Binds the listeners and starts the threads. -EINVAL without a listener
 * or a method. The Unix socket replaces a stale socket file nobody
 * listens on; -EADDRINUSE when a server answers there, -EEXIST when the
 * path is something other than a socket (the file is removed at stop).
 * -EADDRNOTAVAIL when gRPC cannot bind the TLS address (or the TLS
 * material is not usable). On failure nothing is left bound; the server
 * can only be freed. */
AE_MUST_USE int ae_grpc_server_start(struct ae_grpc_server *s);

/* The TCP port the TLS listener got; -ENOTCONN before start or without
 * one. */
AE_MUST_USE int ae_grpc_server_tls_port(const struct ae_grpc_server *s, int *ret_port);

/* Graceful shutdown, see above; blocks up to grace_ms plus the time to
 * cancel what is left. Idempotent; a never-started server just closes.
 * Must not be called from a handler. */
void ae_grpc_server_stop(struct ae_grpc_server *s, uint32_t grace_ms);

/* Stops (grace 0) if needed and frees. NULL-safe. */
void ae_grpc_server_free(struct ae_grpc_server *s);

/* Unix connections alive now / calls in progress now. */
size_t ae_grpc_server_connections(const struct ae_grpc_server *s);
size_t ae_grpc_server_calls(const struct ae_grpc_server *s);
/* How many times the server refused for reason since it was created. */
uint64_t ae_grpc_server_refusals(const struct ae_grpc_server *s, enum ae_grpc_reason reason);

static inline void ae_grpc_server_freep(struct ae_grpc_server **s)
{
        ae_grpc_server_free(*s);
}
