/* gRPC layer: server-streaming and bidi calls, pushes from other threads,
 * cancellation, a client that stops reading, per-connection stream limits
 * and graceful shutdown. */
#include "common/grpc_server.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <protobuf-c/protobuf-c.h>

#include "check_util.h"
#include "common/grpc_call.h"
#include "common/grpc_client.h"
#include "grpc_test_env.h"

static const ProtobufCMessageDescriptor *const reply_type = &aegis__test__echo_reply__descriptor;

/* Reads one reply and checks its text; the reply is freed. */
static void expect_reply(struct ae_grpc_client_stream *s, const char *text, int seq)
{
        ProtobufCMessage *m = NULL;
        Aegis__Test__EchoReply *rep;

        ck_assert_int_eq(ae_grpc_client_stream_read(s, reply_type, &m, NULL), 0);
        rep = (Aegis__Test__EchoReply *)m;
        ck_assert_str_eq(rep->text, text);
        if (seq >= 0)
                ck_assert_uint_eq(rep->seq, (unsigned)seq);
        protobuf_c_message_free_unpacked(m, NULL);
}

static void expect_end(struct ae_grpc_client_stream *s, int r, grpc_status_code code)
{
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;

        int got = ae_grpc_client_stream_read(s, reply_type, &m, &st);

        ck_assert_msg(got == r && st.code == code, "stream end %d, status %d \"%s\"", got,
                      st.code, st.message);
        ck_assert_ptr_null(m);
        /* The end is sticky. */
        ck_assert_int_eq(ae_grpc_client_stream_read(s, reply_type, &m, &st), r);
}

static struct ae_grpc_client_stream *open_stream(struct ae_grpc_client *c, const char *text,
                                                 uint32_t count, uint32_t timeout_ms)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = timeout_ms };
        struct ae_grpc_client_stream *s = NULL;

        req.text = (char *)text;
        req.count = count;
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, &opts, &req.base, &s), 0);
        return s;
}

START_TEST(server_stream_to_the_end)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        s = open_stream(c, "five", 5, 10000);
        for (int i = 0; i < 5; i++)
                expect_reply(s, "five", i);
        expect_end(s, -ENODATA, GRPC_STATUS_OK);
        echo_wait_ended(&e.svc, AE_GRPC_END_FINISHED, 1, GRPC_TEST_WAIT_MS);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

struct pusher {
        struct ae_grpc_call *call;
        int n;
        int failed;
};

static void *pusher_main(void *arg)
{
        struct pusher *p = arg;
        char text[32];

        for (int i = 0; i < p->n; i++) {
                snprintf(text, sizeof(text), "push-%d", i);
                if (echo_push(p->call, text, 100) < 0)
                        p->failed++;
        }
        if (ae_grpc_call_finish(p->call, GRPC_STATUS_OK, NULL) < 0)
                p->failed++;
        return NULL;
}

START_TEST(pushes_from_another_thread)
{
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;
        struct pusher p = { .n = 100 };
        pthread_t t;
        char text[32];

        ae_grpc_server_config_default(&cfg);
        cfg.stream_queue_max = 128; /* a burst of 100 fits */
        grpc_test_env_start(&e, &cfg);
        c = grpc_test_client(&e);
        s = open_stream(c, "first", 0, 0);
        expect_reply(s, "first", 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        p.call = echo_held(&e.svc, 0);
        ck_assert_int_eq(pthread_create(&t, NULL, pusher_main, &p), 0);
        for (int i = 0; i < p.n; i++) {
                snprintf(text, sizeof(text), "push-%d", i);
                expect_reply(s, text, -1);
        }
        expect_end(s, -ENODATA, GRPC_STATUS_OK);
        pthread_join(t, NULL);
        ck_assert_int_eq(p.failed, 0);
        /* Nothing more goes on a finished call (finishing, or ended by
         * now). */
        ck_assert(ae_grpc_call_finish(p.call, GRPC_STATUS_OK, NULL) < 0);
        ck_assert(echo_push(p.call, "more", 1) < 0);
        ae_grpc_call_unref(p.call);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(client_leaving_cancels_handler_stream)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;
        struct ae_grpc_call *call;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        s = open_stream(c, "held", 0, 0);
        expect_reply(s, "held", 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 0);
        ck_assert(!ae_grpc_call_ended(call));
        ck_assert_int_eq(echo_push(call, "one", 1), 0);
        ae_grpc_client_stream_free(s); /* cancels */
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert(ae_grpc_call_ended(call));
        ck_assert_int_eq(echo_push(call, "gone", 1), -EPIPE);
        ck_assert_int_eq(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), -EPIPE);
        ck_assert_uint_eq(e.svc.ended[AE_GRPC_END_FINISHED], 0);
        ae_grpc_call_unref(call);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(stream_deadline)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s, *forever;
        struct ae_grpc_call *call;
        struct timespec dl;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        forever = open_stream(c, "forever", 0, 0);
        expect_reply(forever, "forever", 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 0);
        ck_assert_int_eq(ae_grpc_call_deadline(call, &dl), -ENOENT);
        ae_grpc_call_unref(call);

        s = open_stream(c, "brief", 0, 300);
        expect_reply(s, "brief", 0);
        echo_wait_held(&e.svc, 2, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 1);
        ck_assert_int_eq(ae_grpc_call_deadline(call, &dl), 0);
        expect_end(s, -EREMOTEIO, GRPC_STATUS_DEADLINE_EXCEEDED);
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert(ae_grpc_call_ended(call));
        ae_grpc_call_unref(call);
        /* The other stream on the same connection lives on. */
        call = echo_held(&e.svc, 0);
        ck_assert_int_eq(echo_push(call, "still", 1), 0);
        expect_reply(forever, "still", -1);
        ae_grpc_call_unref(call);
        ae_grpc_client_stream_free(forever);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(bidi_echo)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        Aegis__Test__EchoReply bogus = AEGIS__TEST__ECHO_REPLY__INIT;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;
        char text[16];

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_BIDI, NULL, NULL, &s), 0);
        for (int i = 0; i < 3; i++) {
                snprintf(text, sizeof(text), "b%d", i);
                req.text = text;
                ck_assert_int_eq(ae_grpc_client_stream_send(s, &req.base), 0);
                expect_reply(s, text, i);
        }
        ck_assert_int_eq(ae_grpc_client_stream_close_send(s), 0);
        ck_assert_int_eq(ae_grpc_client_stream_close_send(s), 0);
        ck_assert_int_eq(ae_grpc_client_stream_send(s, &req.base), -EPIPE);
        expect_end(s, -ENODATA, GRPC_STATUS_OK);
        ae_grpc_client_stream_free(s);

        /* A request that does not parse ends the call: INTERNAL. */
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_BIDI, NULL, NULL, &s), 0);
        req.text = "fine";
        ck_assert_int_eq(ae_grpc_client_stream_send(s, &req.base), 0);
        expect_reply(s, "fine", 0);
        bogus.peer_pid = 7; /* field 3 as a varint: EchoRequest's is bytes */
        ck_assert_int_eq(ae_grpc_client_stream_send(s, &bogus.base), 0);
        expect_end(s, -EREMOTEIO, GRPC_STATUS_INTERNAL);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CALL_MALFORMED), 1);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

/* Reads a stream on its own thread, counting replies. */
struct reader {
        struct ae_grpc_client_stream *s;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        unsigned got;
        int end;
        pthread_t t;
};

static void *reader_main(void *arg)
{
        struct reader *rd = arg;

        for (;;) {
                ProtobufCMessage *m = NULL;
                int r = ae_grpc_client_stream_read(rd->s, reply_type, &m, NULL);

                pthread_mutex_lock(&rd->lock);
                if (r == 0)
                        rd->got++;
                else
                        rd->end = r;
                pthread_cond_broadcast(&rd->cond);
                pthread_mutex_unlock(&rd->lock);
                if (r < 0)
                        return NULL;
                protobuf_c_message_free_unpacked(m, NULL);
        }
}

static void reader_wait(struct reader *rd, unsigned got)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += GRPC_TEST_WAIT_MS / 1000;
        pthread_mutex_lock(&rd->lock);
        while (rd->got < got && rd->end == 0)
                ck_assert_int_ne(pthread_cond_timedwait(&rd->cond, &rd->lock, &ts), ETIMEDOUT);
        ck_assert_uint_ge(rd->got, got);
        pthread_mutex_unlock(&rd->lock);
}

START_TEST(stuck_client_does_not_stall_others)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *ca, *cb;
        struct ae_grpc_client_stream *stuck;
        struct ae_grpc_call *a, *b;
        struct reader rd = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
        unsigned pushed_b = 0, rounds;
        struct ae_grpc_status st;
        ProtobufCMessage *m;
        bool cut = false;
        int r;

        grpc_test_env_start(&e, NULL);
        ca = grpc_test_client(&e);
        cb = grpc_test_client(&e);
        /* a never reads a thing; b reads everything, on its own thread. */
        stuck = open_stream(ca, "a", 0, 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        rd.s = open_stream(cb, "b", 0, 0);
        echo_wait_held(&e.svc, 2, GRPC_TEST_WAIT_MS);
        ck_assert_int_eq(pthread_create(&rd.t, NULL, reader_main, &rd), 0);
        reader_wait(&rd, 1);
        a = echo_held(&e.svc, 0);
        b = echo_held(&e.svc, 1);
        if (a == b || strcmp(ae_grpc_call_method(a), ECHO_STREAM) != 0)
                ck_abort();

        /* Flood a; b gets one message per round and must have it before
         * the next round, while a's sends sit unsent behind a client that
         * does not read. a's queue overflows: its stream is cut, and only
         * its stream. */
        for (rounds = 0; rounds < 100000 && !cut; rounds++) {
                r = echo_push(a, "flood", 64 * 1024);
                if (r == -ENOBUFS)
                        cut = true;
                else
                        ck_assert_int_eq(r, 0);
                ck_assert_int_eq(echo_push(b, "b", 16), 0);
                reader_wait(&rd, 1 + ++pushed_b);
        }
        ck_assert(cut);
        ck_assert_int_eq(echo_push(a, "after", 1), -EPIPE);
        for (int i = 0; i < 20; i++) {
                ck_assert_int_eq(echo_push(b, "b", 16), 0);
                reader_wait(&rd, 1 + ++pushed_b);
        }
        echo_wait_ended(&e.svc, AE_GRPC_END_OVERFLOW, 1, GRPC_TEST_WAIT_MS);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_STREAM_OVERFLOW), 1);
        ck_assert(!ae_grpc_call_ended(b));

        /* a, reading at last, finds what got through, then the cut. */
        while ((r = ae_grpc_client_stream_read(stuck, reply_type, &m, &st)) == 0)
                protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_int_eq(r, -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_RESOURCE_EXHAUSTED);

        ck_assert_int_eq(ae_grpc_call_finish(b, GRPC_STATUS_OK, NULL), 0);
        pthread_join(rd.t, NULL);
        ck_assert_int_eq(rd.end, -ENODATA);
        ck_assert_uint_eq(rd.got, 1 + pushed_b);
        ae_grpc_call_unref(a);
        ae_grpc_call_unref(b);
        ae_grpc_client_stream_free(stuck);
        ae_grpc_client_stream_free(rd.s);
        ae_grpc_client_free(ca);
        ae_grpc_client_free(cb);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(streams_per_connection_limit)
{
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c, *other;
        struct ae_grpc_client_stream *s[3], *o;

        ae_grpc_server_config_default(&cfg);
        cfg.max_streams_per_connection = 2;
        grpc_test_env_start(&e, &cfg);
        c = grpc_test_client(&e);
        s[0] = open_stream(c, "s0", 0, 0);
        s[1] = open_stream(c, "s1", 0, 0);
        expect_reply(s[0], "s0", 0);
        expect_reply(s[1], "s1", 0);
        /* The third waits for a free stream on this connection; it gets
         * none before its deadline and never reaches a handler. */
        s[2] = open_stream(c, "s2", 0, 300);
        expect_end(s[2], -EREMOTEIO, GRPC_STATUS_DEADLINE_EXCEEDED);
        ck_assert_uint_eq(e.svc.started, 2);
        /* Another connection has its own streams. */
        other = grpc_test_client(&e);
        o = open_stream(other, "o", 0, 0);
        expect_reply(o, "o", 0);
        ck_assert_uint_eq(e.svc.started, 3);
        ae_grpc_client_stream_free(o);
        ae_grpc_client_free(other);
        for (int i = 0; i < 3; i++)
                ae_grpc_client_stream_free(s[i]);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

struct stopper {
        struct ae_grpc_server *srv;
        uint32_t grace_ms;
        pthread_t t;
};

static void *stopper_main(void *arg)
{
        struct stopper *st = arg;

        ae_grpc_server_stop(st->srv, st->grace_ms);
        return NULL;
}

struct unary_thread {
        struct ae_grpc_client *c;
        int r;
        struct ae_grpc_status st;
        pthread_t t;
};

static void *unary_main(void *arg)
{
        struct unary_thread *u = arg;

        u->r = grpc_test_unary(u->c, "hold", 0, NULL, &u->st);
        return NULL;
}

START_TEST(graceful_shutdown_lets_calls_finish)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s, *keeper;
        struct ae_grpc_call *held_unary = NULL, *held_stream = NULL, *held_keeper = NULL, *call;
        struct unary_thread u = { 0 };
        struct stopper stop = { .grace_ms = GRPC_TEST_WAIT_MS };
        Aegis__Test__EchoReply rep = AEGIS__TEST__ECHO_REPLY__INIT;
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;
        struct stat sb;
        int r, tries;

        /* Everything on one connection. gRPC closes a connection it has
         * sent GOAWAY on as soon as its last stream ends, and a client that
         * is writing (a window update, a ping ack) just then may take the
         * broken pipe for the end of that stream (UNAVAILABLE) before it
         * reads the status already sent: the keeper stream stays open so
         * that the calls under test are never that last one. */
        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        s = open_stream(c, "open", 0, 0);
        expect_reply(s, "open", 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        held_stream = echo_held(&e.svc, 0);
        keeper = open_stream(c, "keeper", 0, 0);
        expect_reply(keeper, "keeper", 0);
        u.c = c;
        ck_assert_int_eq(pthread_create(&u.t, NULL, unary_main, &u), 0);
        echo_wait_held(&e.svc, 3, GRPC_TEST_WAIT_MS);
        for (int i = 0; i < 3; i++) {
                call = echo_held(&e.svc, (size_t)i);
                if (call == held_stream)
                        ae_grpc_call_unref(call);
                else if (strcmp(ae_grpc_call_method(call), ECHO_UNARY) == 0)
                        held_unary = call;
                else
                        held_keeper = call;
        }
        ck_assert(held_unary && held_stream && held_keeper);
        ck_assert_int_eq(grpc_test_unary(c, "ping", 10000, NULL, &st), 0);

        stop.srv = e.srv;
        ck_assert_int_eq(pthread_create(&stop.t, NULL, stopper_main, &stop), 0);
        /* Shutdown has begun once new calls are turned away: gRPC
         * cancels those that reach it after shutdown_and_notify, and a
         * client that has had the GOAWAY finds no socket to connect to.
         * A call that reaches the server in the instant shutdown begins
         * may be neither served nor cancelled until its deadline (seen
         * once under ASan in CI): turned away too. */
        for (tries = 0; tries < 10000; tries++) {
                r = grpc_test_unary(c, "ping", 10000, NULL, &st);
                if (r == -EREMOTEIO &&
                    (st.code == GRPC_STATUS_UNAVAILABLE || st.code == GRPC_STATUS_CANCELLED ||
                     st.code == GRPC_STATUS_DEADLINE_EXCEEDED))
                        break;
                ck_assert_msg(r == 0, "ping: %d, status %d \"%s\"", r, st.code, st.message);
        }
        ck_assert_int_lt(tries, 10000);
        ck_assert_int_eq(stat(e.sock, &sb), -1); /* no new connections either */

        /* The calls in progress still finish normally. */
        rep.text = "done";
        ck_assert_int_eq(ae_grpc_call_reply(held_unary, &rep.base), 0);
        ck_assert_int_eq(echo_push(held_stream, "bye", 1), 0);
        ck_assert_int_eq(ae_grpc_call_finish(held_stream, GRPC_STATUS_OK, NULL), 0);
        pthread_join(u.t, NULL);
        ck_assert_int_eq(u.r, 0);
        ck_assert_int_eq(u.st.code, GRPC_STATUS_OK);
        expect_reply(s, "bye", -1);
        expect_end(s, -ENODATA, GRPC_STATUS_OK);
        echo_wait_ended(&e.svc, AE_GRPC_END_FINISHED, 2, GRPC_TEST_WAIT_MS);
        /* The keeper, last on its connection, ends OK or in the race
         * above; either way the server finished it, and stop returns
         * without waiting out the grace period. */
        ck_assert_int_eq(ae_grpc_call_finish(held_keeper, GRPC_STATUS_OK, NULL), 0);
        r = ae_grpc_client_stream_read(keeper, reply_type, &m, &st);
        ck_assert_msg((r == -ENODATA && st.code == GRPC_STATUS_OK) ||
                              (r == -EREMOTEIO && st.code == GRPC_STATUS_UNAVAILABLE),
                      "keeper: %d, status %d", r, st.code);
        pthread_join(stop.t, NULL);
        ck_assert(ae_grpc_call_ended(held_keeper));
        ck_assert_uint_eq(e.svc.ended[AE_GRPC_END_CANCELLED], 0);

        ae_grpc_call_unref(held_unary);
        ae_grpc_call_unref(held_stream);
        ae_grpc_call_unref(held_keeper);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_stream_free(keeper);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(shutdown_cancels_streams_after_grace)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s[3];
        struct ae_grpc_status st;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        for (int i = 0; i < 3; i++) {
                s[i] = open_stream(c, "open", 0, 0);
                expect_reply(s[i], "open", 0);
        }
        echo_wait_held(&e.svc, 3, GRPC_TEST_WAIT_MS);
        ae_grpc_server_stop(e.srv, 200);
        /* Every handler heard before stop returned. */
        ck_assert_uint_eq(e.svc.ended[AE_GRPC_END_CANCELLED], 3);
        ck_assert_uint_eq(e.svc.n_held, 0);
        ck_assert_uint_eq(ae_grpc_server_calls(e.srv), 0);
        for (int i = 0; i < 3; i++) {
                expect_end(s[i], -EREMOTEIO, GRPC_STATUS_UNAVAILABLE);
                ae_grpc_client_stream_free(s[i]);
        }
        /* Nobody answers any more. */
        ck_assert_int_eq(grpc_test_unary(c, "late", 10000, NULL, &st), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("grpc_stream");
        TCase *tc = tcase_create("stream");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, server_stream_to_the_end);
        tcase_add_test(tc, pushes_from_another_thread);
        tcase_add_test(tc, client_leaving_cancels_handler_stream);
        tcase_add_test(tc, stream_deadline);
        tcase_add_test(tc, bidi_echo);
        tcase_add_test(tc, stuck_client_does_not_stall_others);
        tcase_add_test(tc, streams_per_connection_limit);
        tcase_add_test(tc, graceful_shutdown_lets_calls_finish);
        tcase_add_test(tc, shutdown_cancels_streams_after_grace);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
