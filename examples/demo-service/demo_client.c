/* aegis-demo-client: calls aegis-demo-server over SPIFFE mTLS with the
 * identity the agent gives it, and trusts the server only if its rule
 * admits it.
 *
 *   aegis-demo-client [--socket PATH] --require RULE --port PORT [--wait SECONDS]
 *
 * Takes its X.509-SVID from the Workload API at PATH (default:
 * SPIFFE_ENDPOINT_SOCKET), waiting up to SECONDS (default 30), connects to
 * 127.0.0.1:PORT, says hello and prints the answer. Exit status: 0 the
 * exchange happened, 1 no identity, refused or failed, 2 usage. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "examples/demo-service/demo_tls.h"

static int usage(void)
{
        fputs("usage: aegis-demo-client [--socket PATH] --require RULE --port PORT "
              "[--wait SECONDS]\n",
              stderr);
        return 2;
}

static int call(SSL_CTX *ctx, int port)
{
        struct sockaddr_in addr = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                    .sin_port = htons((uint16_t)port) };
        char peer[512], reply[1024];
        SSL *ssl;
        int fd, n, rc = 1;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                perror("connect");
                if (fd >= 0)
                        close(fd);
                return 1;
        }
        demo_set_timeouts(fd);
        ssl = SSL_new(ctx);
        if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
                if (ssl)
                        demo_print_refusal("client", ssl);
                goto out;
        }
        demo_describe_peer(ssl, peer, sizeof(peer));
        printf("client: talking to %s\n", peer);
        /* With TLS 1.3 the server judges the client's certificate after
         * the client's handshake is done: a refusal shows up here. */
        if (SSL_write(ssl, "hello from the edge\n", 20) <= 0 ||
            (n = SSL_read(ssl, reply, sizeof(reply) - 1)) <= 0) {
                unsigned long e = ERR_peek_last_error();

                printf("client: the server refused this client (%s)\n",
                       e ? ERR_reason_error_string(e) : "connection closed");
                ERR_clear_error();
                goto out;
        }
        reply[n] = '\0';
        printf("client: server says: %s", reply);
        rc = 0;
        (void)SSL_shutdown(ssl);
out:
        SSL_free(ssl);
        close(fd);
        return rc;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "require", required_argument, NULL, 'r' },
                { "port", required_argument, NULL, 'p' },
                { "wait", required_argument, NULL, 'w' },
                { NULL, 0, NULL, 0 },
        };
        struct demo_opts o = { .wait_s = 30 };
        int port = 0, c, rc;
        SSL_CTX *ctx;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 's': o.socket = optarg; break;
                case 'r': o.rule_text = optarg; break;
                case 'p': port = atoi(optarg); break;
                case 'w': o.wait_s = atoi(optarg); break;
                default: return usage();
                }
        }
        if (optind != argc || !o.rule_text || port <= 0 || port > 65535 || o.wait_s < 0)
                return usage();
        setvbuf(stdout, NULL, _IOLBF, 0);
        ctx = demo_context(&o, AE_RP_SSL_CLIENT, "client");
        if (!ctx)
                return 1;
        rc = call(ctx, port);
        SSL_CTX_free(ctx);
        return rc;
}
