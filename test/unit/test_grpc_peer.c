/* gRPC layer: who is calling. A client in another process, with other
 * credentials, is seen by the handler as itself; its pidfd notices when it
 * is gone; its going away ends its stream and its connection; and the
 * connection limit turns the next one away. */
#define _GNU_SOURCE /* setgroups */
#include "common/grpc_server.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "check_util.h"
#include "common/grpc_call.h"
#include "common/grpc_client.h"
#include "grpc_test_env.h"

#define NOBODY 65534

struct child {
        pid_t pid;
        int go;     /* parent -> child: the server is up */
        int result; /* child -> parent: one byte, 'y' when it saw itself */
};

/* What the child does once the server is up: open a held stream, check
 * the first reply names this process, say so, then wait to be killed. */
static void child_main(const char *sock, bool drop, int go, int result)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_client *c;
        struct ae_grpc_client_stream *s;
        ProtobufCMessage *m;
        Aegis__Test__EchoReply *rep;
        char b;
        char ok = 'n';

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (read(go, &b, 1) != 1)
                _exit(2);
        if (drop && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0))
                _exit(3);
        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                _exit(4);
        if (ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s) < 0)
                _exit(5);
        if (ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m, NULL) == 0) {
                rep = (Aegis__Test__EchoReply *)m;
                if (rep->peer_pid == getpid() && rep->peer_uid == getuid() &&
                    rep->peer_gid == getgid())
                        ok = 'y';
                protobuf_c_message_free_unpacked(m, NULL);
        }
        if (write(result, &ok, 1) != 1)
                _exit(6);
        for (;;)
                pause();
}

/* Forks before this process touches gRPC (gRPC does not survive fork). */
static void child_spawn(struct child *ch, const char *sock, bool drop)
{
        int go[2], result[2];

        ck_assert_int_eq(pipe(go), 0);
        ck_assert_int_eq(pipe(result), 0);
        ch->pid = fork();
        ck_assert_int_ge(ch->pid, 0);
        if (ch->pid == 0) {
                close(go[1]);
                close(result[0]);
                child_main(sock, drop, go[0], result[1]);
        }
        close(go[0]);
        close(result[1]);
        ch->go = go[1];
        ch->result = result[0];
}

static char child_run(struct child *ch)
{
        char b = 'x', r = '?';

        ck_assert_int_eq(write(ch->go, &b, 1), 1);
        ck_assert_int_eq(read(ch->result, &r, 1), 1);
        return r;
}

static void child_kill(struct child *ch)
{
        int status;

        kill(ch->pid, SIGKILL);
        ck_assert_int_eq(waitpid(ch->pid, &status, 0), ch->pid);
        close(ch->go);
        close(ch->result);
}

/* The pid a pidfd names, from /proc/self/fdinfo. */
static long pidfd_pid(int pidfd)
{
        char path[64], line[256];
        long pid = -2;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %ld", &pid) == 1)
                        break;
        fclose(f);
        return pid;
}

static int no_connections(void *arg)
{
        return ae_grpc_server_connections(arg) == 0;
}

static int one_connection(void *arg)
{
        return ae_grpc_server_connections(arg) == 1;
}

static int two_connections(void *arg)
{
        return ae_grpc_server_connections(arg) == 2;
}

START_TEST(peer_is_the_calling_process)
{
        bool root = geteuid() == 0;
        struct grpc_test_env e = { 0 };
        struct child ch;
        struct ae_grpc_call *call;
        struct ae_grpc_peer peer;
        int pidfd;

        grpc_test_env_dir(&e);
        child_spawn(&ch, e.sock, root);
        grpc_test_env_start(&e, NULL);
        ck_assert_int_eq(child_run(&ch), 'y');
        echo_wait_held(&e.svc, 1, GRPC_TEST_WAIT_MS);
        call = echo_held(&e.svc, 0);

        ck_assert_int_eq(ae_grpc_call_peer(call, &peer), 0);
        ck_assert_int_eq(peer.pid, ch.pid);
        ck_assert_int_ne(peer.pid, getpid());
        ck_assert_uint_eq(peer.uid, root ? NOBODY : getuid());
        ck_assert_uint_eq(peer.gid, root ? NOBODY : getgid());
        ck_assert_int_eq(ae_grpc_call_peer_pidfd(call, &pidfd), 0);
        ck_assert_int_eq(pidfd_pid(pidfd), ch.pid);
        ck_assert_int_eq(ae_grpc_call_peer_alive(call), 1);
        ck_assert_uint_eq(ae_grpc_server_connections(e.srv), 1);

        /* The caller dies: its pidfd says so (whatever may get its pid
         * next), its stream ends, its connection is forgotten. */
        child_kill(&ch);
        ck_assert_int_eq(ae_grpc_call_peer_alive(call), 0);
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert(grpc_test_until(no_connections, e.srv));
        /* The credentials stay readable on a call still referenced. */
        ck_assert_int_eq(ae_grpc_call_peer(call, &peer), 0);
        ck_assert_int_eq(peer.pid, ch.pid);
        ck_assert_int_eq(echo_push(call, "late", 1), -EPIPE);
        ae_grpc_call_unref(call);
        grpc_test_env_stop(&e);
}
END_TEST

START_TEST(two_callers_told_apart)
{
        struct grpc_test_env e = { 0 };
        struct child a, b;
        struct ae_grpc_call *c0, *c1;
        struct ae_grpc_peer p0, p1;

        grpc_test_env_dir(&e);
        child_spawn(&a, e.sock, false);
        child_spawn(&b, e.sock, false);
        grpc_test_env_start(&e, NULL);
        ck_assert_int_eq(child_run(&a), 'y');
        ck_assert_int_eq(child_run(&b), 'y');
        echo_wait_held(&e.svc, 2, GRPC_TEST_WAIT_MS);
        c0 = echo_held(&e.svc, 0);
        c1 = echo_held(&e.svc, 1);
        ck_assert_int_eq(ae_grpc_call_peer(c0, &p0), 0);
        ck_assert_int_eq(ae_grpc_call_peer(c1, &p1), 0);
        ck_assert((p0.pid == a.pid && p1.pid == b.pid) || (p0.pid == b.pid && p1.pid == a.pid));
        ck_assert_uint_eq(ae_grpc_server_connections(e.srv), 2);
        child_kill(&a);
        /* Only a's call ends. */
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        ck_assert_int_eq(ae_grpc_call_peer_alive(p0.pid == a.pid ? c0 : c1), 0);
        ck_assert_int_eq(ae_grpc_call_peer_alive(p0.pid == a.pid ? c1 : c0), 1);
        ck_assert(!ae_grpc_call_ended(p0.pid == a.pid ? c1 : c0));
        child_kill(&b);
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 2, GRPC_TEST_WAIT_MS);
        ae_grpc_call_unref(c0);
        ae_grpc_call_unref(c1);
        grpc_test_env_stop(&e);
}
END_TEST


START_TEST(connection_limit)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_server_config cfg;
        struct grpc_test_env e = { 0 };
        struct ae_grpc_client *x, *y, *z;
        struct ae_grpc_client_stream *sx, *sy;
        struct ae_grpc_status st;
        ProtobufCMessage *m;

        ae_grpc_server_config_default(&cfg);
        cfg.max_connections = 2;
        grpc_test_env_start(&e, &cfg);
        x = grpc_test_client(&e);
        y = grpc_test_client(&e);
        ck_assert_int_eq(ae_grpc_client_stream_open(x, ECHO_STREAM, NULL, &req.base, &sx), 0);
        ck_assert_int_eq(ae_grpc_client_stream_open(y, ECHO_STREAM, NULL, &req.base, &sy), 0);
        echo_wait_held(&e.svc, 2, GRPC_TEST_WAIT_MS);
        ck_assert_uint_eq(ae_grpc_server_connections(e.srv), 2);

        z = grpc_test_client(&e);
        ck_assert_int_eq(grpc_test_unary(z, "third", 10000, NULL, &st), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        ck_assert_uint_ge(ae_grpc_server_refusals(e.srv, AE_GRPC_CONN_LIMIT), 1);
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CONN_NO_CREDS), 0);
        ck_assert_uint_eq(ae_grpc_server_connections(e.srv), 2);
        ae_grpc_client_free(z);
        /* The two in place were not disturbed. */
        ck_assert_uint_eq(ae_grpc_server_calls(e.srv), 2);

        /* One leaves: room again. */
        ae_grpc_client_stream_free(sx);
        ae_grpc_client_free(x);
        ck_assert(grpc_test_until(one_connection, e.srv));
        z = grpc_test_client(&e);
        ck_assert_int_eq(grpc_test_unary(z, "now", 10000, NULL, &st), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(sy, &aegis__test__echo_reply__descriptor, &m,
                                                    NULL),
                         0);
        protobuf_c_message_free_unpacked(m, NULL);
        ae_grpc_client_free(z);
        ae_grpc_client_stream_free(sy);
        ae_grpc_client_free(y);
        ck_assert(grpc_test_until(no_connections, e.srv));
        grpc_test_env_stop(&e);
}
END_TEST

/* The lowest fd number free now. */
static int lowest_free_fd(void)
{
        int fd = dup(0);

        ck_assert_int_ge(fd, 0);
        close(fd);
        return fd;
}

START_TEST(accept_survives_running_out_of_fds)
{
        struct grpc_test_env e = { 0 };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        struct rlimit old, low;
        int fd;

        grpc_test_env_start(&e, NULL);
        c = grpc_test_client(&e);
        ck_assert_int_eq(grpc_test_unary(c, "warm", 10000, NULL, &st), 0);
        ck_assert(grpc_test_until(one_connection, e.srv));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", e.sock);

        /* No fd left for the server to accept into: the caller waits in
         * the backlog while the accept thread pauses... */
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
        low = old;
        low.rlim_cur = (rlim_t)lowest_free_fd();
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(dup(0), -1);
        ck_assert_int_eq(errno, EMFILE);
        /* ... and takes it once fds are back. */
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
        ck_assert(grpc_test_until(two_connections, e.srv));
        ck_assert_uint_eq(ae_grpc_server_refusals(e.srv, AE_GRPC_CONN_LIMIT), 0);
        ck_assert_int_eq(grpc_test_unary(c, "after", 10000, NULL, &st), 0);
        close(fd);
        ae_grpc_client_free(c);
        ck_assert(grpc_test_until(no_connections, e.srv));
        grpc_test_env_stop(&e);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("grpc_peer");
        TCase *tc = tcase_create("peer");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, peer_is_the_calling_process);
        tcase_add_test(tc, two_callers_told_apart);
        tcase_add_test(tc, connection_limit);
        tcase_add_test(tc, accept_survives_running_out_of_fds);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
