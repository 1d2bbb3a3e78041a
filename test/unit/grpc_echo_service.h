/* The Echo test service (grpc_echo.proto) on an ae_grpc_server, for the
 * gRPC layer's tests and the Python interop server.
 *
 *   Unary         replies with what it saw (text, caller, echo_key's
 *                 value, payload). text "fail:<n>" finishes with status n
 *                 and message "asked to fail"; "hold" never answers (the
 *                 call is kept until its deadline or the client leaves);
 *                 "stats" replies "started=.. finished=.. cancelled=..
 *                 overflow=.." (calls so far, and how they ended).
 *   ServerStream  count replies, seq 0..count-1, then OK; count 0 sends
 *                 one reply and holds the stream open for the test to push
 *                 to (echo_push), cancel, or watch end.
 *   Bidi          one reply per request, then OK when the client
 *                 half-closes.
 * Every reply carries the caller's credentials as the handler saw them. */
#pragma once

#include <pthread.h>
#include <stddef.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"

#define ECHO_UNARY "/aegis.test.Echo/Unary"
#define ECHO_STREAM "/aegis.test.Echo/ServerStream"
#define ECHO_BIDI "/aegis.test.Echo/Bidi"
#define ECHO_HELD_MAX 256

struct echo_service {
        pthread_mutex_t lock;
        pthread_cond_t cond; /* broadcast on every change below */
        struct ae_grpc_call *held[ECHO_HELD_MAX];
        size_t n_held;
        unsigned started;
        unsigned ended[3]; /* by enum ae_grpc_end */
};

void echo_service_init(struct echo_service *svc);
/* Drops every held call. */
void echo_service_destroy(struct echo_service *svc);
/* Adds the three methods. */
int echo_service_register(struct ae_grpc_server *srv, struct echo_service *svc);

/* Waits (up to timeout_ms, then fails the test) until at least n calls
 * are held / have ended with end. */
void echo_wait_held(struct echo_service *svc, size_t n, unsigned timeout_ms);
void echo_wait_ended(struct echo_service *svc, enum ae_grpc_end end, unsigned n,
                     unsigned timeout_ms);
/* Held call i with a reference for the caller (NULL past the end). */
struct ae_grpc_call *echo_held(struct echo_service *svc, size_t i);
/* One reply with text and a payload of payload_len bytes on call. */
int echo_push(struct ae_grpc_call *call, const char *text, size_t payload_len);
