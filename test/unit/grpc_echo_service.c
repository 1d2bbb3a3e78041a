#include "grpc_echo_service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grpc_echo.pb-c.h"

/* A handler has nobody to return an error to: a call that ended under it
 * (-EPIPE) is normal, anything else is a test failure to see. */
static void note(int r, const char *what)
{
        if (r < 0 && r != -EPIPE)
                fprintf(stderr, "echo: %s: %s\n", what, strerror(-r));
}

static void fill_reply(struct ae_grpc_call *call, const Aegis__Test__EchoRequest *req,
                       Aegis__Test__EchoReply *rep, char *echoed, size_t echoed_size)
{
        struct ae_grpc_peer peer;
        const char *v, *cert;
        size_t len;
        int r;

        aegis__test__echo_reply__init(rep);
        rep->peer_pid = rep->peer_uid = rep->peer_gid = -1;
        if (ae_grpc_call_peer_cert(call, &cert) == 0)
                rep->peer_cert = (char *)cert; /* borrowed while the call is */
        if (ae_grpc_call_peer(call, &peer) == 0) {
                rep->peer_pid = peer.pid;
                rep->peer_uid = peer.uid;
                rep->peer_gid = peer.gid;
        }
        snprintf(echoed, echoed_size, "<absent>");
        if (req && req->echo_key && *req->echo_key) {
                r = ae_grpc_call_metadata(call, req->echo_key, &v, &len);
                if (r == 0)
                        snprintf(echoed, echoed_size, "%.*s", (int)len, v);
                else if (r == -ENOTUNIQ)
                        snprintf(echoed, echoed_size, "<repeated>");
        }
        rep->echoed = echoed;
        if (req) {
                rep->text = req->text;
                rep->payload = req->payload;
        }
}

static void hold(struct echo_service *svc, struct ae_grpc_call *call)
{
        pthread_mutex_lock(&svc->lock);
        if (svc->n_held < ECHO_HELD_MAX) {
                ae_grpc_call_ref(call);
                svc->held[svc->n_held++] = call;
        }
        pthread_cond_broadcast(&svc->cond);
        pthread_mutex_unlock(&svc->lock);
}

static void on_unary(struct ae_grpc_call *call, const struct ProtobufCMessage *m, void *ud)
{
        const Aegis__Test__EchoRequest *req = (const Aegis__Test__EchoRequest *)m;
        struct echo_service *svc = ud;
        Aegis__Test__EchoReply rep;
        char echoed[256], stats[128];

        pthread_mutex_lock(&svc->lock);
        svc->started++;
        pthread_mutex_unlock(&svc->lock);
        if (strncmp(req->text, "fail:", 5) == 0) {
                note(ae_grpc_call_finish(call, (grpc_status_code)atoi(req->text + 5),
                                         "asked to fail"),
                     "finish");
                return;
        }
        if (strcmp(req->text, "hold") == 0) {
                hold(svc, call);
                return;
        }
        fill_reply(call, req, &rep, echoed, sizeof(echoed));
        if (strcmp(req->text, "stats") == 0) {
                pthread_mutex_lock(&svc->lock);
                snprintf(stats, sizeof(stats), "started=%u finished=%u cancelled=%u overflow=%u",
                         svc->started, svc->ended[AE_GRPC_END_FINISHED],
                         svc->ended[AE_GRPC_END_CANCELLED], svc->ended[AE_GRPC_END_OVERFLOW]);
                pthread_mutex_unlock(&svc->lock);
                rep.text = stats;
        }
        note(ae_grpc_call_reply(call, &rep.base), "reply");
}

static void on_stream(struct ae_grpc_call *call, const struct ProtobufCMessage *m, void *ud)
{
        const Aegis__Test__EchoRequest *req = (const Aegis__Test__EchoRequest *)m;
        struct echo_service *svc = ud;
        Aegis__Test__EchoReply rep;
        char echoed[256];

        pthread_mutex_lock(&svc->lock);
        svc->started++;
        pthread_mutex_unlock(&svc->lock);
        fill_reply(call, req, &rep, echoed, sizeof(echoed));
        if (req->count == 0) {
                note(ae_grpc_call_send(call, &rep.base), "send");
                hold(svc, call);
                return;
        }
        for (uint32_t i = 0; i < req->count; i++) {
                rep.seq = i;
                int r = ae_grpc_call_send(call, &rep.base);

                if (r < 0) {
                        note(r, "send");
                        return;
                }
        }
        note(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), "finish");
}

static void on_bidi_start(struct ae_grpc_call *call, const struct ProtobufCMessage *m, void *ud)
{
        struct echo_service *svc = ud;

        (void)call;
        (void)m;
        pthread_mutex_lock(&svc->lock);
        svc->started++;
        pthread_mutex_unlock(&svc->lock);
}

static void on_bidi_message(struct ae_grpc_call *call, const struct ProtobufCMessage *m, void *ud)
{
        const Aegis__Test__EchoRequest *req = (const Aegis__Test__EchoRequest *)m;
        Aegis__Test__EchoReply rep;
        char echoed[256];
        uintptr_t seq = (uintptr_t)ae_grpc_call_get_data(call);

        (void)ud;
        if (!req) {
                note(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), "finish");
                return;
        }
        fill_reply(call, req, &rep, echoed, sizeof(echoed));
        rep.seq = (uint32_t)seq;
        ae_grpc_call_set_data(call, (void *)(seq + 1));
        note(ae_grpc_call_send(call, &rep.base), "send");
}

static void on_done(struct ae_grpc_call *call, enum ae_grpc_end end, void *ud)
{
        struct echo_service *svc = ud;
        struct ae_grpc_call *drop = NULL;

        pthread_mutex_lock(&svc->lock);
        svc->ended[end]++;
        for (size_t i = 0; i < svc->n_held; i++) {
                if (svc->held[i] == call) {
                        drop = call;
                        svc->held[i] = svc->held[--svc->n_held];
                        break;
                }
        }
        pthread_cond_broadcast(&svc->cond);
        pthread_mutex_unlock(&svc->lock);
        ae_grpc_call_unref(drop);
}

void echo_service_init(struct echo_service *svc)
{
        memset(svc, 0, sizeof(*svc));
        pthread_mutex_init(&svc->lock, NULL);
        pthread_cond_init(&svc->cond, NULL);
}

void echo_service_destroy(struct echo_service *svc)
{
        for (size_t i = 0; i < svc->n_held; i++)
                ae_grpc_call_unref(svc->held[i]);
        svc->n_held = 0;
        pthread_cond_destroy(&svc->cond);
        pthread_mutex_destroy(&svc->lock);
}

int echo_service_register(struct ae_grpc_server *srv, struct echo_service *svc)
{
        const struct ae_grpc_method methods[] = {
                { .path = ECHO_UNARY,
                  .kind = AE_GRPC_UNARY,
                  .request = &aegis__test__echo_request__descriptor,
                  .on_start = on_unary,
                  .on_done = on_done,
                  .userdata = svc },
                { .path = ECHO_STREAM,
                  .kind = AE_GRPC_SERVER_STREAMING,
                  .request = &aegis__test__echo_request__descriptor,
                  .on_start = on_stream,
                  .on_done = on_done,
                  .userdata = svc },
                { .path = ECHO_BIDI,
                  .kind = AE_GRPC_BIDI_STREAMING,
                  .request = &aegis__test__echo_request__descriptor,
                  .on_start = on_bidi_start,
                  .on_message = on_bidi_message,
                  .on_done = on_done,
                  .userdata = svc },
        };

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
                int r = ae_grpc_server_add_method(srv, &methods[i]);

                if (r < 0)
                        return r;
        }
        return 0;
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
        clock_gettime(CLOCK_REALTIME, ts);
        ts->tv_sec += ms / 1000;
        ts->tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

void echo_wait_held(struct echo_service *svc, size_t n, unsigned timeout_ms)
{
        struct timespec ts;

        deadline_in(&ts, timeout_ms);
        pthread_mutex_lock(&svc->lock);
        while (svc->n_held < n) {
                if (pthread_cond_timedwait(&svc->cond, &svc->lock, &ts) == ETIMEDOUT) {
                        fprintf(stderr, "echo: %zu calls held, waited for %zu\n", svc->n_held, n);
                        abort();
                }
        }
        pthread_mutex_unlock(&svc->lock);
}

void echo_wait_ended(struct echo_service *svc, enum ae_grpc_end end, unsigned n,
                     unsigned timeout_ms)
{
        struct timespec ts;

        deadline_in(&ts, timeout_ms);
        pthread_mutex_lock(&svc->lock);
        while (svc->ended[end] < n) {
                if (pthread_cond_timedwait(&svc->cond, &svc->lock, &ts) == ETIMEDOUT) {
                        fprintf(stderr, "echo: %u calls ended %d, waited for %u\n",
                                svc->ended[end], (int)end, n);
                        abort();
                }
        }
        pthread_mutex_unlock(&svc->lock);
}

struct ae_grpc_call *echo_held(struct echo_service *svc, size_t i)
{
        struct ae_grpc_call *c = NULL;

        pthread_mutex_lock(&svc->lock);
        if (i < svc->n_held) {
                c = svc->held[i];
                ae_grpc_call_ref(c);
        }
        pthread_mutex_unlock(&svc->lock);
        return c;
}

int echo_push(struct ae_grpc_call *call, const char *text, size_t payload_len)
{
        Aegis__Test__EchoReply rep;
        uint8_t *buf = calloc(1, payload_len ? payload_len : 1);
        int r;

        if (!buf)
                return -ENOMEM;
        aegis__test__echo_reply__init(&rep);
        rep.text = (char *)text;
        rep.payload.data = buf;
        rep.payload.len = payload_len;
        r = ae_grpc_call_send(call, &rep.base);
        free(buf);
        return r;
}
