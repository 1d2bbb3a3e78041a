/* The gRPC server's insides, shared by grpc_server.c (lifecycle, loop),
 * grpc_dispatch.c (new calls), grpc_call.c (one call's way back) and
 * grpc_unix.c (the Unix listener). Not for use outside common/grpc_*.c. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <grpc/grpc.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"

/* What a completion-queue tag stands for. Tags are embedded in their
 * owner, so the loop finds the owner without a lookup. */
enum ae_grpc_tag_kind {
        AE_GRPC_TAG_REQUEST,  /* a slot's request_call: a new call arrived */
        AE_GRPC_TAG_CLOSE,    /* a call's RECV_CLOSE_ON_SERVER: it is over */
        AE_GRPC_TAG_SEND,     /* a call's send batch (message and/or status) */
        AE_GRPC_TAG_RECV,     /* a bidi call's RECV_MESSAGE */
        AE_GRPC_TAG_REFUSAL,  /* a call answered by the layer itself */
        AE_GRPC_TAG_SHUTDOWN, /* grpc_server_shutdown_and_notify */
};

struct ae_grpc_tag {
        enum ae_grpc_tag_kind kind;
        void *owner;
};

/* One accepted Unix connection: who connected. Shared by the listener's
 * table (until the connection ends) and each call that came on it. */
struct ae_grpc_conn {
        atomic_uint refs;
        int grpc_fd;  /* the fd gRPC owns and names the connection by: "fd:N" */
        int watch_fd; /* our dup of it, polled for the end of the connection */
        int pidfd;
        dev_t dev; /* the socket's identity, checked at lookup */
        ino_t ino;
        struct ae_grpc_peer peer;
        /* For the deadlines (first_call_timeout_ms, idle_timeout_ms), on
         * CLOCK_MONOTONIC in ms. A call holds a reference from lookup to
         * its end, so refs == 1 (the table's) means no call in progress. */
        int64_t accepted_ms;
        atomic_bool called;            /* a whole call came (lookup found it) */
        _Atomic int64_t idle_since_ms; /* accept, or the end of its last call */
        bool cut;                      /* closed by a deadline; the accept thread's */
};

void ae_grpc_conn_ref(struct ae_grpc_conn *c);
void ae_grpc_conn_unref(struct ae_grpc_conn *c);

struct ae_grpc_unix;

/* Creates, binds and listens on the socket (see ae_grpc_server_start for
 * the errors), with cfg's mode, connection limit and deadlines. refusals
 * is the server's counter array. */
AE_MUST_USE int ae_grpc_unix_open(const char *path, const struct ae_grpc_server_config *cfg,
                                  _Atomic uint64_t *refusals, struct ae_grpc_unix **ret);
/* Starts accepting into server (already started). */
AE_MUST_USE int ae_grpc_unix_start(struct ae_grpc_unix *u, grpc_server *server);
/* Stops accepting, closes the listening socket and removes its file.
 * Accepted connections stay (gRPC shuts them down). Idempotent. */
void ae_grpc_unix_stop(struct ae_grpc_unix *u);
/* Stops, forgets every connection, frees. NULL-safe. */
void ae_grpc_unix_free(struct ae_grpc_unix *u);
/* The connection gRPC calls peer ("fd:N", from grpc_call_get_peer), with
 * a reference for the caller; NULL when it is not one of ours or has
 * ended. */
struct ae_grpc_conn *ae_grpc_unix_lookup(struct ae_grpc_unix *u, const char *peer);
size_t ae_grpc_unix_connections(struct ae_grpc_unix *u);

/* A registered method, or (registered == NULL) the catch-all that answers
 * unknown paths. Holds what its outstanding request fills in. */
struct ae_grpc_slot {
        struct ae_grpc_server *srv;
        struct ae_grpc_method m;
        char path[AE_GRPC_METHOD_PATH_MAX + 1];
        void *registered;
        struct ae_grpc_tag tag;
        grpc_call *call;
        gpr_timespec deadline;
        grpc_metadata_array md;
        grpc_byte_buffer *payload;
        grpc_call_details details; /* catch-all only */
};

enum ae_grpc_state {
        AE_GRPC_NEW,
        AE_GRPC_RUNNING,
        AE_GRPC_STOPPING,
        AE_GRPC_STOPPED,
};

struct ae_grpc_server {
        struct ae_grpc_server_config cfg;
        struct ae_grpc_slot *slots; /* AE_GRPC_MAX_METHODS */
        size_t n_slots;
        struct ae_grpc_slot unknown;

        char *unix_path;
        char *tls_addr;
        char *tls_cert, *tls_key, *tls_client_ca;
        bool tls_require_client_cert;
        int tls_port;

        grpc_server *server;
        grpc_completion_queue *cq;
        struct ae_grpc_unix *unix_listener;
        pthread_t loop;

        pthread_mutex_t lock; /* state, shutdown_done */
        pthread_cond_t cond;
        enum ae_grpc_state state;
        bool shutdown_done;
        struct ae_grpc_tag shutdown_tag;

        atomic_size_t calls_live;
        _Atomic uint64_t refusals[AE_GRPC_REASON_COUNT];
};

/* Message bytes: a request's metadata, copied so it outlives gRPC's call. */
struct ae_grpc_md_entry {
        const char *key, *value;
        size_t key_len, value_len;
};

struct ae_grpc_call {
        atomic_uint refs;
        pthread_mutex_t lock;

        /* Fixed at creation. */
        struct ae_grpc_server *srv; /* alive until the call is released */
        const struct ae_grpc_method *m;
        char *path;
        enum ae_grpc_kind kind;
        uint32_t max_send;
        uint32_t queue_max;
        struct ae_grpc_md_entry *md;
        size_t n_md;
        bool has_deadline;
        struct timespec deadline;
        struct ae_grpc_conn *conn; /* NULL for TLS calls */
        char *peer_cert_pem;       /* TLS: the client's verified certificate, or NULL */
        void *data;

        /* Under lock. */
        grpc_call *gcall;               /* NULL once released */
        grpc_byte_buffer **queue;       /* ring of queue_max */
        size_t q_head, q_len;
        grpc_byte_buffer *in_flight;
        unsigned batches;               /* started, not yet completed */
        bool sending;                   /* a send batch is out */
        bool md_sent;                   /* initial metadata went out */
        bool responded;                 /* unary: its response was queued */
        bool finishing;                 /* finish called: status after the queue */
        grpc_status_code status;
        char *status_msg;
        bool ended;                     /* no more sends */
        bool closed;                    /* RECV_CLOSE_ON_SERVER completed */
        bool overflowed;
        bool recv_open;                 /* bidi: the client may send more */

        /* Written by gRPC. */
        int close_cancelled;
        grpc_byte_buffer *recv_buf;

        struct ae_grpc_tag tag_close, tag_send, tag_recv;
};

/* grpc_dispatch.c, for the loop. */
/* Asks gRPC for the slot's next call. */
void ae_grpc_slot_request(struct ae_grpc_slot *slot);
/* The slot's request completed: check the new call, then hand it to its
 * handler or answer it. Asks for the next one. */
void ae_grpc_slot_complete(struct ae_grpc_slot *slot, bool success);
/* A call answered by the layer itself is over. */
void ae_grpc_refusal_complete(void *owner);

/* grpc_call.c, for the loop. */
/* A call for gcall (taken over), its metadata copied from md. The
 * server's reference is the one returned. */
AE_MUST_USE int ae_grpc_call_new(struct ae_grpc_server *srv, const struct ae_grpc_slot *slot,
                                 grpc_call *gcall, const grpc_metadata_array *md,
                                 gpr_timespec deadline, struct ae_grpc_conn *conn,
                                 struct ae_grpc_call **ret);
/* Starts RECV_CLOSE_ON_SERVER (and, bidi, the first RECV_MESSAGE). */
AE_MUST_USE int ae_grpc_call_begin(struct ae_grpc_call *c);
/* Completion of one of the call's tags, on the loop thread. */
void ae_grpc_call_complete(struct ae_grpc_call *c, enum ae_grpc_tag_kind kind, bool success);
