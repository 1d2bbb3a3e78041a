/* One call on an ae_grpc_server, as its handler sees it: the request's
 * metadata and caller, and the way back (messages, then a status).
 *
 * Every function here is thread-safe and never blocks (see the threading
 * model in grpc_server.h). The handler borrows the call during its
 * callbacks; to answer later or push more messages from another thread it
 * takes a reference, and drops it in on_done or after its last send. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <grpc/status.h>

#include "common/guard.h"

struct ae_grpc_call;
struct ProtobufCMessage;

/* Longest status message a handler may send (bytes, without the NUL). */
#define AE_GRPC_STATUS_MESSAGE_MAX 511u

void ae_grpc_call_ref(struct ae_grpc_call *c);
/* NULL-safe. */
void ae_grpc_call_unref(struct ae_grpc_call *c);

/* Queues one response. The message is packed now (the caller keeps msg)
 * into a copy wiped when gRPC is done with it. Unary calls take one
 * response; server-streaming and bidi any number until finish.
 *   -EMSGSIZE  larger than max_send_message (the call is left as it was)
 *   -EINVAL    a second response on a unary call, or after finish
 *   -ENOBUFS   the queue was full: the call is cancelled with
 *              RESOURCE_EXHAUSTED (AE_GRPC_STREAM_OVERFLOW)
 *   -EPIPE     the call has ended (on_done ran or is about to) */
AE_MUST_USE int ae_grpc_call_send(struct ae_grpc_call *c, const struct ProtobufCMessage *msg);
/* The same for an already packed message (len bytes at data, copied). */
AE_MUST_USE int ae_grpc_call_send_packed(struct ae_grpc_call *c, const uint8_t *data, size_t len);

/* Ends the call with code and message (NULL or "" for none, at most
 * AE_GRPC_STATUS_MESSAGE_MAX bytes: -EMSGSIZE) once the queued responses
 * are out. A unary call finished OK must have had its response: -EINVAL
 * otherwise. -EINVAL for a second finish, -EPIPE once ended. */
AE_MUST_USE int ae_grpc_call_finish(struct ae_grpc_call *c, grpc_status_code code,
                                    const char *message);
/* Unary: the response, then OK. */
AE_MUST_USE int ae_grpc_call_reply(struct ae_grpc_call *c, const struct ProtobufCMessage *msg);

/* Cancels the call now, dropping queued responses: the client sees code
 * and message (as finish). A no-op once ended. */
void ae_grpc_call_cancel(struct ae_grpc_call *c, grpc_status_code code, const char *message);

/* True once the call has ended (client gone, deadline, finished). */
bool ae_grpc_call_ended(const struct ae_grpc_call *c);

/* The method path, as registered. */
const char *ae_grpc_call_method(const struct ae_grpc_call *c);

/* The request metadata value for key (lowercase ASCII, as HTTP/2 carries
 * it), not NUL-terminated, valid as long as the call is referenced.
 *   -ENOENT    the client did not send key
 *   -ENOTUNIQ  the client sent key more than once (for rules such as the
 *              Workload API's, which want exactly one "true") */
AE_MUST_USE int ae_grpc_call_metadata(const struct ae_grpc_call *c, const char *key,
                                      const char **ret_value, size_t *ret_len);

/* The client's deadline on CLOCK_MONOTONIC; -ENOENT when it set none. */
AE_MUST_USE int ae_grpc_call_deadline(const struct ae_grpc_call *c, struct timespec *ret);

/* The process that opened the Unix socket connection this call came on,
 * from SO_PEERCRED at accept (credentials as of connect(2)). */
struct ae_grpc_peer {
        pid_t pid;
        uid_t uid;
        gid_t gid;
};

/* -ENOTCONN for calls that did not come over the Unix socket (TLS). */
AE_MUST_USE int ae_grpc_call_peer(const struct ae_grpc_call *c, struct ae_grpc_peer *ret);
/* TLS calls: the client's certificate (PEM), which the handshake verified
 * against the listener's client_ca_pem. Borrowed: valid while the call is
 * referenced. -ENOENT when the client sent none (or the call came over the
 * Unix socket). The host still decides who that certificate names. */
AE_MUST_USE int ae_grpc_call_peer_cert(const struct ae_grpc_call *c, const char **ret_pem);

/* The pidfd taken at accept for that process (SO_PEERPIDFD, or
 * pidfd_open(pid) on kernels before 6.5): it names that process and no
 * other, even after its pid is reused. Borrowed: valid while the call is
 * referenced. -ENOTCONN as above. */
AE_MUST_USE int ae_grpc_call_peer_pidfd(const struct ae_grpc_call *c, int *ret_fd);
/* 1 while that process runs, 0 once it has exited (also as a zombie),
 * -ENOTCONN as above. Attestation checks this after reading /proc/<pid>:
 * a pid that now names another process must not be attested as the
 * caller. */
AE_MUST_USE int ae_grpc_call_peer_alive(const struct ae_grpc_call *c);

/* Handler state attached to the call (the layer never touches it). Not
 * synchronised: set it in on_start, before another thread sees the call. */
void ae_grpc_call_set_data(struct ae_grpc_call *c, void *data);
void *ae_grpc_call_get_data(const struct ae_grpc_call *c);
