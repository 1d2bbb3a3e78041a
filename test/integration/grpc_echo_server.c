/* The Echo test service (test/unit/grpc_echo.proto) on a Unix socket, for
 * clients we did not write (grpc_python_interop.py).
 *
 *   grpc_echo_server <socket path> [tick_ms]
 *
 * Prints "READY" once it serves, pushes "tick" to every held stream every
 * tick_ms (default 20) from a thread of its own, and stops gracefully
 * when its stdin closes; exit status 0 only after a clean stop. */
#include "grpc_echo_service.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"

struct ticker {
        struct echo_service *svc;
        unsigned tick_ms;
        atomic_bool stop;
};

/* Rotation's shape: another thread pushes to open streams. */
static void *ticker_main(void *arg)
{
        struct ticker *t = arg;
        struct timespec ts = { .tv_sec = t->tick_ms / 1000,
                               .tv_nsec = (long)(t->tick_ms % 1000) * 1000000L };

        while (!atomic_load(&t->stop)) {
                struct ae_grpc_call *c;

                nanosleep(&ts, NULL);
                for (size_t i = 0; (c = echo_held(t->svc, i)); i++) {
                        /* Held unary calls take no pushes. */
                        if (strcmp(ae_grpc_call_method(c), ECHO_UNARY) != 0) {
                                int r = echo_push(c, "tick", 0);

                                if (r < 0 && r != -EPIPE && r != -ENOBUFS)
                                        fprintf(stderr, "tick: %d\n", r);
                        }
                        ae_grpc_call_unref(c);
                }
        }
        return NULL;
}

int main(int argc, char **argv)
{
        struct ae_grpc_server_config cfg;
        struct ae_grpc_server *srv = NULL;
        struct echo_service svc;
        struct ticker t = { .svc = &svc, .tick_ms = 20 };
        pthread_t th;
        char buf[64];
        int r;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: %s <socket path> [tick_ms]\n", argv[0]);
                return 2;
        }
        if (argc == 3)
                t.tick_ms = (unsigned)atoi(argv[2]);
        echo_service_init(&svc);
        ae_grpc_server_config_default(&cfg);
        r = ae_grpc_server_new(&cfg, &srv);
        if (r == 0)
                r = echo_service_register(srv, &svc);
        if (r == 0)
                r = ae_grpc_server_listen_unix(srv, argv[1]);
        if (r == 0)
                r = ae_grpc_server_start(srv);
        if (r < 0) {
                fprintf(stderr, "grpc_echo_server: %d\n", r);
                ae_grpc_server_free(srv);
                return 1;
        }
        if (pthread_create(&th, NULL, ticker_main, &t) != 0)
                return 1;
        printf("READY\n");
        fflush(stdout);
        /* Until the test closes our stdin. */
        while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
                ;
        atomic_store(&t.stop, true);
        pthread_join(th, NULL);
        ae_grpc_server_stop(srv, 2000);
        ae_grpc_server_free(srv);
        echo_service_destroy(&svc);
        return 0;
}
