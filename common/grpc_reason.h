/* Why the gRPC layer turned a connection or a call away, or cut a stream:
 * one stable code per rule, with a short static text for the log. The
 * server counts each (ae_grpc_server_refusals) so a host can report them
 * and a test can assert the exact one. */
#pragma once

enum ae_grpc_reason {
        AE_GRPC_OK = 0,
        /* Unix socket connections, closed at accept (the client sees the
         * connection drop: UNAVAILABLE) */
        AE_GRPC_CONN_LIMIT,    /* max_connections were alive */
        AE_GRPC_CONN_NO_CREDS, /* SO_PEERCRED gave no credentials */
        AE_GRPC_CONN_NO_PIDFD, /* the caller was gone before a pidfd was taken */
        /* Unix socket connections, closed later (first_call_timeout_ms,
         * idle_timeout_ms) */
        AE_GRPC_CONN_NO_CALL, /* no whole call came within the first-call deadline */
        AE_GRPC_CONN_IDLE,    /* no call in progress for the idle deadline */
        /* calls, answered without a handler */
        AE_GRPC_CALL_LIMIT,         /* max_calls were running: RESOURCE_EXHAUSTED */
        AE_GRPC_CALL_UNIMPLEMENTED, /* no method at that path: UNIMPLEMENTED */
        AE_GRPC_CALL_NO_REQUEST,    /* unary/server-streaming call without its request: INTERNAL */
        AE_GRPC_CALL_MALFORMED,     /* request did not parse as the method's type: INTERNAL */
        AE_GRPC_CALL_NO_PEER,       /* its Unix connection had already ended: UNAVAILABLE */
        /* streams cut short */
        AE_GRPC_STREAM_OVERFLOW, /* send queue full (a client not reading): RESOURCE_EXHAUSTED */
        AE_GRPC_REASON_COUNT
};

/* Short, stable, log-friendly text ("too many connections"). */
const char *ae_grpc_reason_str(enum ae_grpc_reason reason);
/* Stable identifier for machines ("conn_limit"). */
const char *ae_grpc_reason_id(enum ae_grpc_reason reason);
