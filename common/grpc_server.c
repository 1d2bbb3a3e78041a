/* The gRPC server: configuration, lifecycle, and the loop thread that
 * takes every completion from gRPC and hands it to its owner (tags are
 * embedded in what they complete, grpc_internal.h). New calls are checked
 * in grpc_dispatch.c. */
#include "common/grpc_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <openssl/crypto.h>

#include "common/cleanup.h"

void ae_grpc_server_config_default(struct ae_grpc_server_config *ret)
{
        *ret = (struct ae_grpc_server_config){
                .max_connections = 1024,
                .max_calls = 4096,
                .max_streams_per_connection = 128,
                .max_recv_message = 64 * 1024,
                .max_send_message = 4 * 1024 * 1024,
                .stream_queue_max = 16,
                .socket_mode = 0666,
                .first_call_timeout_ms = 10 * 1000,
                .idle_timeout_ms = 5 * 60 * 1000,
        };
}

static bool config_valid(const struct ae_grpc_server_config *c)
{
        return c->max_connections >= 1 && c->max_connections <= AE_GRPC_MAX_CONNECTIONS_LIMIT &&
               c->max_calls >= 1 && c->max_calls <= AE_GRPC_MAX_CALLS_LIMIT &&
               c->max_streams_per_connection >= 1 &&
               c->max_streams_per_connection <= AE_GRPC_MAX_CALLS_LIMIT &&
               c->max_recv_message >= 1 && c->max_recv_message <= AE_GRPC_MAX_MESSAGE_LIMIT &&
               c->max_send_message >= 1 && c->max_send_message <= AE_GRPC_MAX_MESSAGE_LIMIT &&
               c->stream_queue_max >= 1 && c->stream_queue_max <= AE_GRPC_STREAM_QUEUE_LIMIT &&
               c->socket_mode <= 0777 && c->first_call_timeout_ms <= AE_GRPC_TIMEOUT_LIMIT_MS &&
               c->idle_timeout_ms <= AE_GRPC_TIMEOUT_LIMIT_MS;
}

int ae_grpc_server_new(const struct ae_grpc_server_config *cfg, struct ae_grpc_server **ret)
{
        struct ae_grpc_server *s;
        pthread_condattr_t ca;

        ENSURE(cfg && ret, -EINVAL);
        ENSURE(config_valid(cfg), -EINVAL);
        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        s->slots = calloc(AE_GRPC_MAX_METHODS, sizeof(*s->slots));
        if (!s->slots) {
                free(s);
                return -ENOMEM;
        }
        s->cfg = *cfg;
        s->tls_port = -1;
        pthread_mutex_init(&s->lock, NULL);
        /* stop's grace period is measured on the monotonic clock. */
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->cond, &ca);
        pthread_condattr_destroy(&ca);
        s->state = AE_GRPC_NEW;
        s->shutdown_tag = (struct ae_grpc_tag){ AE_GRPC_TAG_SHUTDOWN, s };
        grpc_init();
        *ret = s;
        return 0;
}

/* "/<service>/<method>", printable ASCII, no spaces. */
static bool path_valid(const char *p)
{
        size_t len, slashes = 0;

        if (!p || p[0] != '/')
                return false;
        len = strlen(p);
        if (len < 4 || len > AE_GRPC_METHOD_PATH_MAX || p[len - 1] == '/')
                return false;
        for (size_t i = 0; i < len; i++) {
                if (p[i] <= ' ' || p[i] > '~')
                        return false;
                if (p[i] == '/') {
                        if (i > 0 && p[i - 1] == '/')
                                return false;
                        slashes++;
                }
        }
        return slashes == 2;
}

int ae_grpc_server_add_method(struct ae_grpc_server *s, const struct ae_grpc_method *m)
{
        struct ae_grpc_slot *slot;

        ENSURE(s && m, -EINVAL);
        ENSURE(s->state == AE_GRPC_NEW, -EBUSY);
        ENSURE(path_valid(m->path) && m->on_start && m->request, -EINVAL);
        ENSURE((unsigned)m->kind <= AE_GRPC_BIDI_STREAMING, -EINVAL);
        for (size_t i = 0; i < s->n_slots; i++)
                ENSURE(strcmp(s->slots[i].path, m->path) != 0, -EEXIST);
        ENSURE(s->n_slots < AE_GRPC_MAX_METHODS, -E2BIG);
        slot = &s->slots[s->n_slots++];
        slot->srv = s;
        slot->m = *m;
        strcpy(slot->path, m->path); /* length checked by path_valid */
        slot->m.path = slot->path;
        return 0;
}

int ae_grpc_server_listen_unix(struct ae_grpc_server *s, const char *path)
{
        ENSURE(s && path, -EINVAL);
        ENSURE(s->state == AE_GRPC_NEW, -EBUSY);
        ENSURE(!s->unix_path, -EEXIST);
        ENSURE(path[0] == '/', -EINVAL);
        ENSURE(strlen(path) <= 107, -ENAMETOOLONG);
        s->unix_path = strdup(path);
        ENSURE_ALLOC(s->unix_path);
        return 0;
}

static void free_secret(char **p)
{
        if (*p) {
                OPENSSL_cleanse(*p, strlen(*p));
                free(*p);
                *p = NULL;
        }
}

static void tls_forget(struct ae_grpc_server *s)
{
        free(s->tls_addr);
        free(s->tls_cert);
        free(s->tls_client_ca);
        s->tls_addr = s->tls_cert = s->tls_client_ca = NULL;
        free_secret(&s->tls_key);
}

int ae_grpc_server_listen_tls(struct ae_grpc_server *s, const char *addr,
                              const struct ae_grpc_tls_server *tls)
{
        ENSURE(s && addr && *addr && tls, -EINVAL);
        ENSURE(s->state == AE_GRPC_NEW, -EBUSY);
        ENSURE(!s->tls_addr, -EEXIST);
        ENSURE(tls->cert_chain_pem && *tls->cert_chain_pem, -EINVAL);
        ENSURE(tls->key_pem && *tls->key_pem, -EINVAL);
        ENSURE(!tls->require_client_cert || tls->client_ca_pem, -EINVAL);
        s->tls_addr = strdup(addr);
        s->tls_cert = strdup(tls->cert_chain_pem);
        s->tls_key = strdup(tls->key_pem);
        s->tls_client_ca = tls->client_ca_pem ? strdup(tls->client_ca_pem) : NULL;
        if (!s->tls_addr || !s->tls_cert || !s->tls_key ||
            (tls->client_ca_pem && !s->tls_client_ca)) {
                tls_forget(s);
                return -ENOMEM;
        }
        s->tls_require_client_cert = tls->require_client_cert;
        return 0;
}

static void *loop_main(void *arg)
{
        struct ae_grpc_server *s = arg;

        for (;;) {
                grpc_event ev = grpc_completion_queue_next(
                        s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
                struct ae_grpc_tag *t;

                if (ev.type == GRPC_QUEUE_SHUTDOWN)
                        return NULL;
                if (ev.type != GRPC_OP_COMPLETE)
                        continue;
                t = ev.tag;
                switch (t->kind) {
                case AE_GRPC_TAG_REQUEST:
                        ae_grpc_slot_complete(t->owner, ev.success);
                        break;
                case AE_GRPC_TAG_CLOSE:
                case AE_GRPC_TAG_SEND:
                case AE_GRPC_TAG_RECV:
                        ae_grpc_call_complete(t->owner, t->kind, ev.success);
                        break;
                case AE_GRPC_TAG_REFUSAL:
                        ae_grpc_refusal_complete(t->owner);
                        break;
                case AE_GRPC_TAG_SHUTDOWN:
                        pthread_mutex_lock(&s->lock);
                        s->shutdown_done = true;
                        pthread_cond_broadcast(&s->cond);
                        pthread_mutex_unlock(&s->lock);
                        break;
                }
        }
}

static void slot_init(struct ae_grpc_slot *slot, struct ae_grpc_server *s)
{
        slot->srv = s;
        slot->tag = (struct ae_grpc_tag){ AE_GRPC_TAG_REQUEST, slot };
        grpc_metadata_array_init(&slot->md);
        grpc_call_details_init(&slot->details);
}

static void slot_destroy(struct ae_grpc_slot *slot)
{
        grpc_metadata_array_destroy(&slot->md);
        grpc_call_details_destroy(&slot->details);
        if (slot->payload)
                grpc_byte_buffer_destroy(slot->payload);
        slot->payload = NULL;
}

static int add_tls_port(struct ae_grpc_server *s)
{
        grpc_ssl_pem_key_cert_pair pair = { .private_key = s->tls_key,
                                            .cert_chain = s->tls_cert };
        grpc_ssl_client_certificate_request_type req =
                !s->tls_client_ca        ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                : s->tls_require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                             : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
        grpc_server_credentials *creds =
                grpc_ssl_server_credentials_create_ex(s->tls_client_ca, &pair, 1, req, NULL);
        int port;

        ENSURE(creds, -EADDRNOTAVAIL);
        port = grpc_server_add_http2_port(s->server, s->tls_addr, creds);
        grpc_server_credentials_release(creds);
        ENSURE(port > 0, -EADDRNOTAVAIL);
        s->tls_port = port;
        return 0;
}

/* Builds gRPC's server: nothing accepted yet. On failure the caller
 * destroys what was made (a server never started has no listener). */
static int build(struct ae_grpc_server *s)
{
        grpc_arg args[] = {
                { .type = GRPC_ARG_INTEGER,
                  .key = GRPC_ARG_MAX_CONCURRENT_STREAMS,
                  .value.integer = (int)s->cfg.max_streams_per_connection },
                { .type = GRPC_ARG_INTEGER,
                  .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                  .value.integer = (int)s->cfg.max_recv_message },
                { .type = GRPC_ARG_INTEGER,
                  .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
                  .value.integer = (int)s->cfg.max_send_message },
                /* Two servers on one TCP port would split the callers. */
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0 },
        };
        grpc_channel_args ca = { .num_args = sizeof(args) / sizeof(args[0]), .args = args };

        s->server = grpc_server_create(&ca, NULL);
        ENSURE_ALLOC(s->server);
        s->cq = grpc_completion_queue_create_for_next(NULL);
        ENSURE_ALLOC(s->cq);
        grpc_server_register_completion_queue(s->server, s->cq, NULL);
        for (size_t i = 0; i < s->n_slots; i++) {
                struct ae_grpc_slot *slot = &s->slots[i];
                grpc_server_register_method_payload_handling ph =
                        slot->m.kind == AE_GRPC_BIDI_STREAMING
                                ? GRPC_SRM_PAYLOAD_NONE
                                : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER;

                slot_init(slot, s);
                slot->registered =
                        grpc_server_register_method(s->server, slot->path, NULL, ph, 0);
                ENSURE(slot->registered, -EINVAL);
        }
        slot_init(&s->unknown, s);
        if (s->tls_addr)
                GUARD(add_tls_port(s));
        return 0;
}

int ae_grpc_server_start(struct ae_grpc_server *s)
{
        int r;

        ENSURE(s, -EINVAL);
        ENSURE(s->state == AE_GRPC_NEW, -EBUSY);
        ENSURE(s->n_slots > 0 && (s->unix_path || s->tls_addr), -EINVAL);
        r = 0;
        if (s->unix_path)
                r = ae_grpc_unix_open(s->unix_path, &s->cfg, s->refusals, &s->unix_listener);
        if (r == 0)
                r = build(s);
        if (r == 0)
                r = -pthread_create(&s->loop, NULL, loop_main, s);
        if (r < 0) {
                /* Never started: gRPC's server has no listener to drain. */
                ae_grpc_unix_free(TAKE_PTR(s->unix_listener));
                pthread_mutex_lock(&s->lock);
                s->state = AE_GRPC_STOPPED;
                pthread_mutex_unlock(&s->lock);
                return r;
        }
        grpc_server_start(s->server);
        pthread_mutex_lock(&s->lock);
        s->state = AE_GRPC_RUNNING;
        pthread_mutex_unlock(&s->lock);
        for (size_t i = 0; i < s->n_slots; i++)
                ae_grpc_slot_request(&s->slots[i]);
        ae_grpc_slot_request(&s->unknown);
        if (s->unix_listener) {
                r = ae_grpc_unix_start(s->unix_listener, s->server);
                if (r < 0) {
                        ae_grpc_server_stop(s, 0);
                        return r;
                }
        }
        return 0;
}

int ae_grpc_server_tls_port(const struct ae_grpc_server *s, int *ret_port)
{
        ENSURE(s && ret_port, -EINVAL);
        ENSURE(s->tls_port > 0, -ENOTCONN);
        *ret_port = s->tls_port;
        return 0;
}

/* Waits for the shutdown tag until deadline (NULL: for good). */
static bool wait_shutdown(struct ae_grpc_server *s, const struct timespec *deadline)
{
        bool done;

        pthread_mutex_lock(&s->lock);
        while (!s->shutdown_done) {
                if (!deadline) {
                        pthread_cond_wait(&s->cond, &s->lock);
                } else if (pthread_cond_timedwait(&s->cond, &s->lock, deadline) == ETIMEDOUT) {
                        break;
                }
        }
        done = s->shutdown_done;
        pthread_mutex_unlock(&s->lock);
        return done;
}

void ae_grpc_server_stop(struct ae_grpc_server *s, uint32_t grace_ms)
{
        struct timespec deadline;

        if (!s)
                return;
        pthread_mutex_lock(&s->lock);
        if (s->state == AE_GRPC_NEW)
                s->state = AE_GRPC_STOPPED;
        if (s->state != AE_GRPC_RUNNING) {
                /* Stopped, or being stopped by another thread. */
                while (s->state == AE_GRPC_STOPPING)
                        pthread_cond_wait(&s->cond, &s->lock);
                pthread_mutex_unlock(&s->lock);
                return;
        }
        s->state = AE_GRPC_STOPPING;
        pthread_mutex_unlock(&s->lock);

        /* No new connections; then no new calls, and the calls in progress
         * get the grace period. */
        ae_grpc_unix_stop(s->unix_listener);
        grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += grace_ms / 1000;
        deadline.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
        }
        if (!wait_shutdown(s, &deadline)) {
                grpc_server_cancel_all_calls(s->server);
                (void)wait_shutdown(s, NULL);
        }
        /* Every call has been released (gRPC's shutdown waits for that), so
         * nothing more will be queued. */
        grpc_completion_queue_shutdown(s->cq);
        pthread_join(s->loop, NULL);

        pthread_mutex_lock(&s->lock);
        s->state = AE_GRPC_STOPPED;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
}

void ae_grpc_server_free(struct ae_grpc_server *s)
{
        if (!s)
                return;
        ae_grpc_server_stop(s, 0);
        if (s->server)
                grpc_server_destroy(s->server);
        if (s->cq)
                grpc_completion_queue_destroy(s->cq);
        for (size_t i = 0; i < s->n_slots; i++)
                slot_destroy(&s->slots[i]);
        slot_destroy(&s->unknown);
        ae_grpc_unix_free(s->unix_listener);
        free(s->slots);
        free(s->unix_path);
        tls_forget(s);
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        free(s);
        grpc_shutdown();
}

size_t ae_grpc_server_connections(const struct ae_grpc_server *s)
{
        return s ? ae_grpc_unix_connections(s->unix_listener) : 0;
}

size_t ae_grpc_server_calls(const struct ae_grpc_server *s)
{
        return s ? atomic_load_explicit(&s->calls_live, memory_order_relaxed) : 0;
}

uint64_t ae_grpc_server_refusals(const struct ae_grpc_server *s, enum ae_grpc_reason reason)
{
        if (!s || (unsigned)reason >= AE_GRPC_REASON_COUNT)
                return 0;
        return atomic_load_explicit(&s->refusals[reason], memory_order_relaxed);
}
