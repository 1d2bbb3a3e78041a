#include "common/grpc_reason.h"

static const struct {
        const char *id;
        const char *str;
} reasons[AE_GRPC_REASON_COUNT] = {
        [AE_GRPC_OK] = { "ok", "ok" },
        [AE_GRPC_CONN_LIMIT] = { "conn_limit", "too many connections" },
        [AE_GRPC_CONN_NO_CREDS] = { "conn_no_creds", "no peer credentials on the connection" },
        [AE_GRPC_CONN_NO_PIDFD] = { "conn_no_pidfd", "caller exited before it could be pinned" },
        [AE_GRPC_CONN_NO_CALL] = { "conn_no_call", "no whole call within the first-call deadline" },
        [AE_GRPC_CONN_IDLE] = { "conn_idle", "connection idle past the idle deadline" },
        [AE_GRPC_CALL_LIMIT] = { "call_limit", "too many calls in progress" },
        [AE_GRPC_CALL_UNIMPLEMENTED] = { "call_unimplemented", "no such method" },
        [AE_GRPC_CALL_NO_REQUEST] = { "call_no_request", "call without its request message" },
        [AE_GRPC_CALL_MALFORMED] = { "call_malformed", "request message did not parse" },
        [AE_GRPC_CALL_NO_PEER] = { "call_no_peer", "call on a connection that has ended" },
        [AE_GRPC_STREAM_OVERFLOW] = { "stream_overflow",
                                      "send queue full: client not reading" },
};

const char *ae_grpc_reason_str(enum ae_grpc_reason reason)
{
        if ((unsigned)reason >= AE_GRPC_REASON_COUNT)
                return "unknown reason";
        return reasons[reason].str;
}

const char *ae_grpc_reason_id(enum ae_grpc_reason reason)
{
        if ((unsigned)reason >= AE_GRPC_REASON_COUNT)
                return "unknown";
        return reasons[reason].id;
}
