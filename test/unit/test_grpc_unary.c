/* gRPC layer (common/grpc_*): unary calls over a real Unix socket, the
 * calls the layer answers itself, and the server's configuration and
 * lifecycle errors. */
#include "common/grpc_server.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <protobuf-c/protobuf-c.h>

#include "check_util.h"
#include "common/grpc_call.h"
#include "common/grpc_client.h"
#include "common/grpc_log.h"
#include "common/log.h"
#include "grpc_test_env.h"

static int calls_zero(void *arg)
{
        return ae_grpc_server_calls(arg) == 0;
}

START_TEST(unary_round_trip)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        Aegis__Test__EchoReply *rep = NULL;
        struct ae_grpc_status st;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(grpc_test_unary(c, "hello", 10000, &rep, &st), 0);
        ck_assert_int_eq(st.code, GRPC_STATUS_OK);
        ck_assert_str_eq(rep->text, "hello");
        /* Same process: the server saw us. */
        ck_assert_int_eq(rep->peer_pid, getpid());
        ck_assert_int_eq(rep->peer_uid, getuid());
        ck_assert_int_eq(rep->peer_gid, getgid());
        protobuf_c_message_free_unpacked(&rep->base, NULL);
        ck_assert(grpc_test_until(calls_zero, e.srv));
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

static int unary_md(struct ae_grpc_client *c, const struct ae_grpc_md *md, size_t n,
                    const char *key, char *echoed, size_t size)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .md = md, .n_md = n, .timeout_ms = 10000 };
        ProtobufCMessage *m = NULL;
        int r;

        req.text = "md";
        req.echo_key = (char *)key;
        r = ae_grpc_client_unary(c, ECHO_UNARY, &opts, &req.base,
                                 &aegis__test__echo_reply__descriptor, &m, NULL);
        if (r == 0) {
                snprintf(echoed, size, "%s", ((Aegis__Test__EchoReply *)m)->echoed);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        return r;
}

START_TEST(metadata_reaches_handler)
{
        const struct ae_grpc_md one[] = { { "workload.spiffe.io", "true" } };
        const struct ae_grpc_md two[] = { { "workload.spiffe.io", "true" },
                                          { "workload.spiffe.io", "true" } };
        const struct ae_grpc_md bad_key[] = { { "Upper Case", "x" } };
        const struct ae_grpc_md bad_value[] = { { "k", "line\nbreak" } };
        const struct ae_grpc_md bin[] = { { "k-bin", "x" } };
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        char echoed[256];

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(unary_md(c, one, 1, "workload.spiffe.io", echoed, sizeof(echoed)), 0);
        ck_assert_str_eq(echoed, "true");
        /* The Workload API's rule needs to tell these apart. */
        ck_assert_int_eq(unary_md(c, NULL, 0, "workload.spiffe.io", echoed, sizeof(echoed)), 0);
        ck_assert_str_eq(echoed, "<absent>");
        ck_assert_int_eq(unary_md(c, two, 2, "workload.spiffe.io", echoed, sizeof(echoed)), 0);
        ck_assert_str_eq(echoed, "<repeated>");
        /* What HTTP/2 cannot carry is refused before anything is sent. */
        ck_assert_int_eq(unary_md(c, bad_key, 1, "k", echoed, sizeof(echoed)), -EINVAL);
        ck_assert_int_eq(unary_md(c, bad_value, 1, "k", echoed, sizeof(echoed)), -EINVAL);
        ck_assert_int_eq(unary_md(c, bin, 1, "k", echoed, sizeof(echoed)), -EINVAL);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(handler_status_reaches_client)
{
        static const grpc_status_code codes[] = {
                GRPC_STATUS_INVALID_ARGUMENT, GRPC_STATUS_PERMISSION_DENIED,
                GRPC_STATUS_UNAVAILABLE, GRPC_STATUS_NOT_FOUND
        };
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        char text[32];

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                snprintf(text, sizeof(text), "fail:%d", (int)codes[i]);
                ck_assert_int_eq(grpc_test_unary(c, text, 10000, NULL, &st), -EREMOTEIO);
                ck_assert_int_eq(st.code, codes[i]);
                ck_assert_str_eq(st.message, "asked to fail");
        }
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(unknown_method_unimplemented)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 10000 };
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(ae_grpc_client_unary(c, "/aegis.test.Echo/Nope", &opts, &req.base,
                                              &aegis__test__echo_reply__descriptor, &m, &st),
                         -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNIMPLEMENTED);
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CALL_UNIMPLEMENTED), 1);
        ck_assert_uint_eq(e.svc.started, 0);
        /* The server still serves. */
        ck_assert_int_eq(grpc_test_unary(c, "after", 10000, NULL, &st), 0);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(oversized_request_resource_exhausted)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 10000 };
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;
        static uint8_t big[4096];

        ae_grpc_server_config_default(&cfg);
        cfg.max_recv_message = 1024;
        grpc_test_env_start(&e, &cfg);
        c = grpc_test_client(&e);
        req.text = "big";
        req.payload.data = big;
        req.payload.len = sizeof(big);
        ck_assert_int_eq(ae_grpc_client_unary(c, ECHO_UNARY, &opts, &req.base,
                                              &aegis__test__echo_reply__descriptor, &m, &st),
                         -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_RESOURCE_EXHAUSTED);
        ck_assert_uint_eq(e.svc.started, 0); /* refused before any handler */
        /* Just under the limit passes. */
        req.payload.len = 1000;
        ck_assert_int_eq(ae_grpc_client_unary(c, ECHO_UNARY, &opts, &req.base,
                                              &aegis__test__echo_reply__descriptor, &m, &st),
                         0);
        ck_assert_uint_eq(((Aegis__Test__EchoReply *)m)->payload.len, 1000);
        protobuf_c_message_free_unpacked(m, NULL);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(oversized_response_refused_call_intact)
{
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        ProtobufCMessage *m;
        struct ae_grpc_call *call;

        ae_grpc_server_config_default(&cfg);
        cfg.max_send_message = 2048;
        grpc_test_env_start(&e, &cfg);
        c = grpc_test_client(&e);
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    NULL),
                         0);
        protobuf_c_message_free_unpacked(m, NULL);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 0);
        ck_assert_int_eq(echo_push(call, "too big", 4096), -EMSGSIZE);
        ck_assert_int_eq(ae_grpc_call_send_packed(call, (const uint8_t *)"x", 0), 0);
        ck_assert_int_eq(echo_push(call, "fits", 1024), 0);
        ck_assert_int_eq(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), 0);
        /* The refused send left nothing behind: an empty message, then
         * "fits", then the end. */
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    NULL),
                         0);
        ck_assert_str_eq(((Aegis__Test__EchoReply *)m)->text, "");
        protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    NULL),
                         0);
        ck_assert_str_eq(((Aegis__Test__EchoReply *)m)->text, "fits");
        protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    NULL),
                         -ENODATA);
        ae_grpc_call_unref(call);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(malformed_request_internal)
{
        /* An EchoReply whose field 3 is a varint: EchoRequest's field 3 is
         * bytes, so the request does not parse. */
        Aegis__Test__EchoReply bogus = AEGIS__TEST__ECHO_REPLY__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 10000 };
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;

        bogus.peer_pid = 5;
        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(ae_grpc_client_unary(c, ECHO_UNARY, &opts, &bogus.base,
                                              &aegis__test__echo_reply__descriptor, &m, &st),
                         -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_INTERNAL);
        ck_assert_str_eq(st.message, ae_grpc_reason_str(AE_GRPC_CALL_MALFORMED));
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CALL_MALFORMED), 1);
        ck_assert_uint_eq(e.svc.started, 0);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(deadline_exceeded)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        /* The handler never answers "hold". */
        ck_assert_int_eq(grpc_test_unary(c, "hold", 200, NULL, &st), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_DEADLINE_EXCEEDED);
        /* The server's side of it ends too, and the handler hears. */
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert_uint_eq(e.svc.n_held, 0);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

static int calls_one(void *arg)
{
        return ae_grpc_server_calls(arg) == 1;
}

START_TEST(answer_later_from_another_thread)
{
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        struct ae_grpc_client_stream *s;
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        Aegis__Test__EchoReply rep = AEGIS__TEST__ECHO_REPLY__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 20000 };
        struct timespec dl;
        struct ae_grpc_call *call;
        ProtobufCMessage *m = NULL;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        req.text = "hold";
        /* A unary call held by the handler, answered from this thread;
         * the client blocks in its own (stream-shaped) call meanwhile. */
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_UNARY, &opts, &req.base, &s), 0);
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 0);
        ck_assert_str_eq(ae_grpc_call_method(call), ECHO_UNARY);
        ck_assert_int_eq(ae_grpc_call_deadline(call, &dl), 0);
        ck_assert_int_gt(dl.tv_sec, 0);
        /* A unary call answered OK needs its response first. */
        ck_assert_int_eq(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), -EINVAL);
        rep.text = "later";
        ck_assert_int_eq(ae_grpc_call_send(call, &rep.base), 0);
        /* One response per unary call; the call stays as it was. */
        ck_assert_int_eq(ae_grpc_call_send(call, &rep.base), -EINVAL);
        ck_assert_int_eq(ae_grpc_call_send_packed(call, (const uint8_t *)"", 0), -EINVAL);
        ck_assert_int_eq(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    &st),
                         0);
        ck_assert_str_eq(((Aegis__Test__EchoReply *)m)->text, "later");
        protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    &st),
                         -ENODATA);
        ck_assert_int_eq(st.code, GRPC_STATUS_OK);
        echo_wait_ended(&e.svc, AE_GRPC_END_FINISHED, 1, GRPC_TEST_WAIT_MS);
        ck_assert(ae_grpc_call_ended(call));
        ck_assert_int_eq(ae_grpc_call_send(call, &rep.base), -EPIPE);
        ck_assert_int_eq(ae_grpc_call_finish(call, GRPC_STATUS_OK, NULL), -EPIPE);
        ck_assert(grpc_test_until(calls_zero, e.srv));
        ae_grpc_call_unref(call);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(call_limit_resource_exhausted)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s[3];
        struct ae_grpc_status st;
        ProtobufCMessage *m = NULL;

        ae_grpc_server_config_default(&cfg);
        cfg.max_calls = 2;
        grpc_test_env_start(&e, &cfg);
        c = grpc_test_client(&e);
        for (int i = 0; i < 2; i++)
                ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s[i]),
                                 0);
        echo_wait_held(&e.svc, 2, GRPC_TEST_WAIT_MS);
        ck_assert_uint_eq(ae_grpc_server_calls(e.srv), 2);
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s[2]), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(s[2], &aegis__test__echo_reply__descriptor,
                                                    &m, &st),
                         -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_RESOURCE_EXHAUSTED);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CALL_LIMIT), 1);
        ck_assert_uint_eq(e.svc.started, 2);
        /* One ends: room for the next. */
        ae_grpc_client_stream_free(s[0]);
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert(grpc_test_until(calls_one, e.srv));
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s[0]), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(s[0], &aegis__test__echo_reply__descriptor,
                                                    &m, &st),
                         0);
        protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CALL_LIMIT), 1);
        for (int i = 0; i < 3; i++)
                ae_grpc_client_stream_free(s[i]);
        ae_grpc_client_free(c);
        grpc_test_env_stop(&e);
}
END_TEST

static void no_start(struct ae_grpc_call *call, const struct ProtobufCMessage *req, void *ud)
{
        (void)call;
        (void)req;
        (void)ud;
}

START_TEST(config_and_method_errors)
{
        struct ae_grpc_server_config cfg;
        struct ae_grpc_server *srv;
        struct ae_grpc_method m = { .path = ECHO_UNARY,
                                    .kind = AE_GRPC_UNARY,
                                    .request = &aegis__test__echo_request__descriptor,
                                    .on_start = no_start };
        const char *bad_paths[] = { "", "/", "Echo/Unary", "/Echo", "/Echo/", "//Unary",
                                    "/a/b/c", "/Echo/Un ary", "/Echo//Unary" };
        char long_path[200];
        int port;

        ae_grpc_server_config_default(&cfg);
        cfg.max_connections = 0;
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), -EINVAL);
        ae_grpc_server_config_default(&cfg);
        cfg.stream_queue_max = AE_GRPC_STREAM_QUEUE_LIMIT + 1;
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), -EINVAL);
        ae_grpc_server_config_default(&cfg);
        cfg.max_recv_message = AE_GRPC_MAX_MESSAGE_LIMIT + 1;
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), -EINVAL);
        ae_grpc_server_config_default(&cfg);
        cfg.first_call_timeout_ms = AE_GRPC_TIMEOUT_LIMIT_MS + 1;
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), -EINVAL);
        ae_grpc_server_config_default(&cfg);
        cfg.idle_timeout_ms = AE_GRPC_TIMEOUT_LIMIT_MS + 1;
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), -EINVAL);

        ae_grpc_server_config_default(&cfg);
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), 0);
        for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
                m.path = bad_paths[i];
                ck_assert_int_eq(ae_grpc_server_add_method(srv, &m), -EINVAL);
        }
        m.path = ECHO_UNARY;
        m.request = NULL;
        ck_assert_int_eq(ae_grpc_server_add_method(srv, &m), -EINVAL);
        m.request = &aegis__test__echo_request__descriptor;
        m.on_start = NULL;
        ck_assert_int_eq(ae_grpc_server_add_method(srv, &m), -EINVAL);
        m.on_start = no_start;
        ck_assert_int_eq(ae_grpc_server_add_method(srv, &m), 0);
        ck_assert_int_eq(ae_grpc_server_add_method(srv, &m), -EEXIST);

        /* Nothing to listen on. */
        ck_assert_int_eq(ae_grpc_server_start(srv), -EINVAL);
        ck_assert_int_eq(ae_grpc_server_listen_unix(srv, "relative.sock"), -EINVAL);
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        ck_assert_int_eq(ae_grpc_server_listen_unix(srv, long_path), -ENAMETOOLONG);
        ck_assert_int_eq(ae_grpc_server_tls_port(srv, &port), -ENOTCONN);
        ae_grpc_server_free(srv);
        ae_grpc_server_free(NULL);
}
END_TEST

START_TEST(socket_path_rules)
{
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_server *other;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd;

        ae_grpc_server_config_default(&cfg);
        cfg.socket_mode = 0660;
        grpc_test_env_dir(&e);

        /* A stale socket (nobody listening) is replaced. */
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", e.sock);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
        grpc_test_env_start(&e, &cfg);
        ck_assert_int_eq(stat(e.sock, &st), 0);
        ck_assert(S_ISSOCK(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 0777, 0660);

        /* A live one is not. */
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &other), 0);
        ck_assert_int_eq(echo_service_register(other, &e.svc), 0);
        ck_assert_int_eq(ae_grpc_server_listen_unix(other, e.sock), 0);
        ck_assert_int_eq(ae_grpc_server_start(other), -EADDRINUSE);
        ck_assert_int_eq(ae_grpc_server_start(other), -EBUSY);
        ae_grpc_server_free(other);
        ck_assert_int_eq(stat(e.sock, &st), 0); /* still the first server's */

        /* stop removes the socket; freeing after stop is fine. */
        ae_grpc_server_stop(e.srv, 0);
        ae_grpc_server_stop(e.srv, 0);
        ck_assert_int_eq(stat(e.sock, &st), -1);
        grpc_test_env_stop(&e);

        /* A path that is not a socket is never removed. */
        grpc_test_env_dir(&e);
        fd = open(e.sock, O_CREAT | O_WRONLY, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &other), 0);
        ck_assert_int_eq(echo_service_register(other, &e.svc), 0);
        ck_assert_int_eq(ae_grpc_server_listen_unix(other, e.sock), 0);
        ck_assert_int_eq(ae_grpc_server_start(other), -EEXIST);
        ae_grpc_server_free(other);
        ck_assert_int_eq(stat(e.sock, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(unlink(e.sock), 0);
        ck_assert_int_eq(rmdir(e.dir), 0);
}
END_TEST

START_TEST(reason_texts)
{
        for (int r = 0; r < AE_GRPC_REASON_COUNT; r++) {
                ck_assert_ptr_nonnull(ae_grpc_reason_str(r));
                ck_assert_ptr_nonnull(ae_grpc_reason_id(r));
                for (int q = 0; q < r; q++)
                        ck_assert_str_ne(ae_grpc_reason_id(r), ae_grpc_reason_id(q));
        }
        ck_assert_str_eq(ae_grpc_reason_id(AE_GRPC_CONN_LIMIT), "conn_limit");
        ck_assert_str_eq(ae_grpc_reason_id(AE_GRPC_REASON_COUNT), "unknown");
}
END_TEST

START_TEST(grpc_logs_through_ae_log)
{
        char buf[1024] = { 0 };
        int p[2];
        ssize_t n;

        ck_assert_int_eq(pipe(p), 0);
        ae_log_configure("grpc-test", AE_LOG_JSON, AE_LOG_INFO, p[1]);
        ae_grpc_log_to_ae_log();
        grpc_init(); /* gRPC logs nothing before */
        gpr_log(GPR_ERROR, "handshake failed: %s", "bad\ncert");
        gpr_log(GPR_DEBUG, "not wanted");
        grpc_shutdown();
        close(p[1]);
        n = read(p[0], buf, sizeof(buf) - 1);
        ck_assert_int_gt(n, 0);
        ck_assert_ptr_nonnull(strstr(buf, "\"level\":\"error\""));
        ck_assert_ptr_nonnull(strstr(buf, "handshake failed: bad\\ncert")); /* escaped */
        ck_assert_ptr_nonnull(strstr(buf, "\"grpc_file\":"));
        ck_assert_ptr_nonnull(strstr(buf, "test_grpc_unary.c"));
        ck_assert_ptr_null(strstr(buf, "not wanted"));
        ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1); /* one line */
        close(p[0]);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("grpc_unary");
        TCase *tc = tcase_create("unary");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, unary_round_trip);
        tcase_add_test(tc, metadata_reaches_handler);
        tcase_add_test(tc, handler_status_reaches_client);
        tcase_add_test(tc, unknown_method_unimplemented);
        tcase_add_test(tc, oversized_request_resource_exhausted);
        tcase_add_test(tc, oversized_response_refused_call_intact);
        tcase_add_test(tc, malformed_request_internal);
        tcase_add_test(tc, deadline_exceeded);
        tcase_add_test(tc, answer_later_from_another_thread);
        tcase_add_test(tc, call_limit_resource_exhausted);
        tcase_add_test(tc, config_and_method_errors);
        tcase_add_test(tc, socket_path_rules);
        tcase_add_test(tc, reason_texts);
        tcase_add_test(tc, grpc_logs_through_ae_log);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
