/* aegis-demo-server: a service that speaks SPIFFE mTLS with the identity
 * the agent gives it, and lets in only clients its rule admits.
 *
 *   aegis-demo-server [--socket PATH] --require RULE --port-file FILE
 *                     [--count N] [--wait SECONDS]
 *
 * Takes its X.509-SVID from the Workload API at PATH (default:
 * SPIFFE_ENDPOINT_SOCKET), waiting up to SECONDS (default 30) for the agent
 * to have one; then listens on 127.0.0.1 (a free port, written to FILE
 * once it listens) and serves N connections (default 1): for each, who the
 * peer is and whether the rule let it in. Exit status: 0 served, 1 no
 * identity or failure, 2 usage. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "examples/demo-service/demo_tls.h"

static int usage(void)
{
        fputs("usage: aegis-demo-server [--socket PATH] --require RULE --port-file FILE "
              "[--count N] [--wait SECONDS]\n",
              stderr);
        return 2;
}

static void serve_one(SSL_CTX *ctx, int fd)
{
        SSL *ssl = SSL_new(ctx);
        char peer[512], msg[256], reply[1024];
        int n;

        demo_set_timeouts(fd);
        if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
                if (ssl)
                        demo_print_refusal("server", ssl);
                SSL_free(ssl);
                return;
        }
        demo_describe_peer(ssl, peer, sizeof(peer));
        n = SSL_read(ssl, msg, sizeof(msg) - 1);
        msg[n > 0 ? n : 0] = '\0';
        msg[strcspn(msg, "\r\n")] = '\0';
        printf("server: accepted %s, who says \"%s\"\n", peer, msg);
        fflush(stdout);
        n = snprintf(reply, sizeof(reply), "welcome, %s\n", peer);
        (void)SSL_write(ssl, reply, n);
        (void)SSL_shutdown(ssl);
        SSL_free(ssl);
}

/* The port, written whole and renamed: a reader never sees half of it. */
static int write_port(const char *path, unsigned port)
{
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
                perror(path);
                return -1;
        }
        return 0;
}

static int serve(SSL_CTX *ctx, const char *port_file, int count)
{
        struct sockaddr_in addr = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(addr);
        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            listen(lfd, 8) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &len) < 0) {
                perror("listen");
                return 1;
        }
        if (write_port(port_file, ntohs(addr.sin_port)) < 0)
                return 1;
        printf("server: listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));
        for (int i = 0; i < count; i++) {
                int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

                if (fd < 0) {
                        perror("accept");
                        return 1;
                }
                serve_one(ctx, fd);
                close(fd);
        }
        close(lfd);
        return 0;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "require", required_argument, NULL, 'r' },
                { "port-file", required_argument, NULL, 'f' },
                { "count", required_argument, NULL, 'n' },
                { "wait", required_argument, NULL, 'w' },
                { NULL, 0, NULL, 0 },
        };
        struct demo_opts o = { .wait_s = 30 };
        const char *port_file = NULL;
        int count = 1, c, rc;
        SSL_CTX *ctx;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 's': o.socket = optarg; break;
                case 'r': o.rule_text = optarg; break;
                case 'f': port_file = optarg; break;
                case 'n': count = atoi(optarg); break;
                case 'w': o.wait_s = atoi(optarg); break;
                default: return usage();
                }
        }
        if (optind != argc || !o.rule_text || !port_file || count < 1 || o.wait_s < 0)
                return usage();
        setvbuf(stdout, NULL, _IOLBF, 0);
        ctx = demo_context(&o, AE_RP_SSL_SERVER, "server");
        if (!ctx)
                return 1;
        rc = serve(ctx, port_file, count);
        SSL_CTX_free(ctx);
        return rc;
}
