/* One Echo server on a Unix socket in a fresh temporary directory, for a
 * gRPC layer test; and small client helpers. Failures abort the test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/grpc_client.h"
#include "common/grpc_server.h"
#include "grpc_echo.pb-c.h"
#include "grpc_echo_service.h"

/* Waits in the tests are bounded by this; passing it fails the test. */
#define GRPC_TEST_WAIT_MS 20000

struct grpc_test_env {
        char dir[64];
        char sock[100];
        struct ae_grpc_server *srv;
        struct echo_service svc;
};

/* The directory and socket path only (mode 0755, so a child that dropped
 * privileges can reach the socket). */
void grpc_test_env_dir(struct grpc_test_env *e);
/* cfg NULL: the defaults. Started on e->sock. */
void grpc_test_env_start(struct grpc_test_env *e, const struct ae_grpc_server_config *cfg);
/* Stops (grace 0), frees, removes the directory. */
void grpc_test_env_stop(struct grpc_test_env *e);

/* A client on e's socket. */
struct ae_grpc_client *grpc_test_client(const struct grpc_test_env *e);

/* One unary Echo call; 0 or the client's error, reply in *ret (may be
 * NULL), status in *ret_status (may be NULL). */
int grpc_test_unary(struct ae_grpc_client *c, const char *text, uint32_t timeout_ms,
                    Aegis__Test__EchoReply **ret, struct ae_grpc_status *ret_status);

/* Polls cond(arg) until true, up to GRPC_TEST_WAIT_MS; false on timeout. */
int grpc_test_until(int (*cond)(void *arg), void *arg);

/* Open fds of this process (/proc/self/fd). */
size_t grpc_test_count_fds(void);
