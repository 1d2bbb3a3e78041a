/* gRPC layer latency on a Unix socket: a unary Echo call on a warm
 * connection, and a fresh connection's first answer (connect, call, close:
 * what a workload fetching its identity does), each p50/p99, against the
 * floor of any IPC on the same machine in the same run: the same request
 * bytes echoed over a bare Unix stream socket (a socketpair for the warm
 * case, connect + echo + close on a plain listener for the fresh one).
 * ratio = reference / value: the share of the time that is the socket's,
 * higher is better. Prints BENCH lines; asserts nothing about time. */
#define _GNU_SOURCE /* mkdtemp */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "common/grpc_client.h"
#include "common/grpc_server.h"
#include "grpc_echo.pb-c.h"
#include "grpc_echo_service.h"

#define WARM_CALLS 20000
#define FRESH_CALLS 2000
#define MSG 64

int main(void);

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
        qsort(v, n, sizeof(*v), cmp);
        return v[(size_t)(p * (double)(n - 1))];
}

static void die(const char *what)
{
        fprintf(stderr, "bench_grpc_unary: %s failed\n", what);
        exit(1);
}

/* Echoes every MSG bytes back, until EOF. */
static void echo_fd(int fd)
{
        char buf[MSG];

        for (;;) {
                size_t got = 0;

                while (got < MSG) {
                        ssize_t n = read(fd, buf + got, MSG - got);

                        if (n <= 0)
                                return;
                        got += (size_t)n;
                }
                if (write(fd, buf, MSG) != MSG)
                        return;
        }
}

static void *pair_echo(void *arg)
{
        echo_fd(*(int *)arg);
        return NULL;
}

static void *listener_echo(void *arg)
{
        int lfd = *(int *)arg, fd;

        while ((fd = accept(lfd, NULL, NULL)) >= 0) {
                echo_fd(fd);
                close(fd);
        }
        return NULL;
}

static double raw_round_trip(int fd)
{
        char buf[MSG] = { 1 };
        double t0 = now_us();
        size_t got = 0;

        if (write(fd, buf, MSG) != MSG)
                die("write");
        while (got < MSG) {
                ssize_t n = read(fd, buf + got, MSG - got);

                if (n <= 0)
                        die("read");
                got += (size_t)n;
        }
        return now_us() - t0;
}

static double grpc_call(struct ae_grpc_client *c)
{
        static uint8_t payload[MSG];
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 10000 };
        ProtobufCMessage *m = NULL;
        double t0 = now_us();

        req.text = "bench";
        req.payload.data = payload;
        req.payload.len = sizeof(payload);
        if (ae_grpc_client_unary(c, ECHO_UNARY, &opts, &req.base,
                                 &aegis__test__echo_reply__descriptor, &m, NULL) < 0)
                die("unary call");
        protobuf_c_message_free_unpacked(m, NULL);
        return now_us() - t0;
}

static void report(const char *name, double *v, double *ref, size_t n)
{
        double p50 = pct(v, n, 0.50), p99 = pct(v, n, 0.99);
        double r50 = pct(ref, n, 0.50), r99 = pct(ref, n, 0.99);

        printf("BENCH %s_p50 value=%.1f unit=us ref=%.1f ratio=%.3f\n", name, p50, r50, r50 / p50);
        printf("BENCH %s_p99 value=%.1f unit=us ref=%.1f ratio=%.3f\n", name, p99, r99, r99 / p99);
}

int main(void)
{
        char dir[] = "/tmp/aegis-bench-grpc-XXXXXX", sock[64], raw[64];
        static double v[WARM_CALLS], ref[WARM_CALLS];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct ae_grpc_server_config cfg;
        struct ae_grpc_server *srv = NULL;
        struct ae_grpc_client *c = NULL;
        struct echo_service svc;
        pthread_t th;
        int sp[2], lfd, fd;

        if (!mkdtemp(dir))
                die("mkdtemp");
        snprintf(sock, sizeof(sock), "%s/grpc.sock", dir);
        snprintf(raw, sizeof(raw), "%s/raw.sock", dir);
        echo_service_init(&svc);
        ae_grpc_server_config_default(&cfg);
        if (ae_grpc_server_new(&cfg, &srv) < 0 || echo_service_register(srv, &svc) < 0 ||
            ae_grpc_server_listen_unix(srv, sock) < 0 || ae_grpc_server_start(srv) < 0)
                die("server");

        /* Warm: one connection, many calls. */
        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                die("client");
        for (size_t i = 0; i < 1000; i++)
                (void)grpc_call(c);
        for (size_t i = 0; i < WARM_CALLS; i++)
                v[i] = grpc_call(c);
        ae_grpc_client_free(c);
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 ||
            pthread_create(&th, NULL, pair_echo, &sp[1]) != 0)
                die("socketpair");
        for (size_t i = 0; i < WARM_CALLS; i++)
                ref[i] = raw_round_trip(sp[0]);
        close(sp[0]);
        pthread_join(th, NULL);
        close(sp[1]);
        report("grpc_unary_warm", v, ref, WARM_CALLS);

        /* Fresh: a new connection for each call. */
        for (size_t i = 0; i < FRESH_CALLS; i++) {
                double t0 = now_us();

                if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                        die("client");
                (void)grpc_call(c);
                ae_grpc_client_free(c);
                v[i] = now_us() - t0;
        }
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", raw);
        if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0 ||
            pthread_create(&th, NULL, listener_echo, &lfd) != 0)
                die("listener");
        for (size_t i = 0; i < FRESH_CALLS; i++) {
                double t0 = now_us();

                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                        die("connect");
                (void)raw_round_trip(fd);
                close(fd);
                ref[i] = now_us() - t0;
        }
        shutdown(lfd, SHUT_RDWR);
        pthread_join(th, NULL);
        close(lfd);
        report("grpc_unary_fresh_connection", v, ref, FRESH_CALLS);

        ae_grpc_server_free(srv);
        echo_service_destroy(&svc);
        unlink(raw);
        rmdir(dir);
        return 0;
}
