#define _GNU_SOURCE /* mkdtemp */
#include "grpc_test_env.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <protobuf-c/protobuf-c.h>

void grpc_test_env_dir(struct grpc_test_env *e)
{
        memset(e, 0, sizeof(*e));
        snprintf(e->dir, sizeof(e->dir), "/tmp/aegis-grpc-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(e->dir));
        ck_assert_int_eq(chmod(e->dir, 0755), 0);
        snprintf(e->sock, sizeof(e->sock), "%s/api.sock", e->dir);
}

void grpc_test_env_start(struct grpc_test_env *e, const struct ae_grpc_server_config *cfg)
{
        struct ae_grpc_server_config def;

        if (!e->dir[0])
                grpc_test_env_dir(e);
        if (!cfg) {
                ae_grpc_server_config_default(&def);
                cfg = &def;
        }
        echo_service_init(&e->svc);
        ck_assert_int_eq(ae_grpc_server_new(cfg, &e->srv), 0);
        ck_assert_int_eq(echo_service_register(e->srv, &e->svc), 0);
        ck_assert_int_eq(ae_grpc_server_listen_unix(e->srv, e->sock), 0);
        ck_assert_int_eq(ae_grpc_server_start(e->srv), 0);
}

void grpc_test_env_stop(struct grpc_test_env *e)
{
        ae_grpc_server_free(e->srv);
        e->srv = NULL;
        echo_service_destroy(&e->svc);
        (void)unlink(e->sock);
        ck_assert_int_eq(rmdir(e->dir), 0);
}

struct ae_grpc_client *grpc_test_client(const struct grpc_test_env *e)
{
        struct ae_grpc_client *c = NULL;

        ck_assert_int_eq(ae_grpc_client_new_unix(e->sock, NULL, &c), 0);
        return c;
}

int grpc_test_unary(struct ae_grpc_client *c, const char *text, uint32_t timeout_ms,
                    Aegis__Test__EchoReply **ret, struct ae_grpc_status *ret_status)
{
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = timeout_ms };
        ProtobufCMessage *m = NULL;
        int r;

        req.text = (char *)text;
        r = ae_grpc_client_unary(c, ECHO_UNARY, &opts, &req.base,
                                 &aegis__test__echo_reply__descriptor, &m, ret_status);
        if (r == 0 && ret)
                *ret = (Aegis__Test__EchoReply *)m;
        else if (m)
                protobuf_c_message_free_unpacked(m, NULL);
        return r;
}

int grpc_test_until(int (*cond)(void *arg), void *arg)
{
        const struct timespec step = { .tv_nsec = 2 * 1000 * 1000 };

        for (unsigned waited = 0; waited < GRPC_TEST_WAIT_MS; waited += 2) {
                if (cond(arg))
                        return 1;
                nanosleep(&step, NULL);
        }
        return cond(arg);
}

size_t grpc_test_count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        size_t n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory's own fd */
}
