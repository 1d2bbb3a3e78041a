/* aegis-demo-service: two services that talk SPIFFE mTLS and authorise each
 * other by SPIFFE ID and attestation claims, the way a relying party uses
 * Aegis (svid-issuer/rp_ssl.h). Used by the demo (scripts/demo).
 *
 *   serve --svid DIR --require RULE [--count N] --port-file FILE [--wait S]
 *         wait for its SVID as 'call' does, then accept N connections
 *         on 127.0.0.1 (a free port, written to FILE); for each, print who
 *         the peer is and whether the rule let it in
 *   call  --svid DIR --require RULE --port PORT [--wait SECONDS]
 *         wait until DIR/bundle.pem exists (the workload starts before it has
 *         an identity: it is attested as a running process), then connect,
 *         say hello and print the answer
 *
 * DIR holds svid.pem (leaf and chain), svid.key and bundle.pem, as 'aegis
 * svid mint' writes them. Exit status: 0 the exchange happened, 1 refused
 * or failed, 2 usage error. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/cleanup.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_ssl.h"
#include "svid-issuer/rp_verify.h"

#define IO_TIMEOUT_S 10

AE_DEFINE_CLEANUP(SSL_CTX *, SSL_CTX_free)

struct opts {
        const char *svid_dir, *rule_text, *port_file;
        int port, count, wait_s;
        bool serve;
};

static int usage(void)
{
        fputs("usage: aegis-demo-service serve --svid DIR --require RULE [--count N] "
              "--port-file FILE\n"
              "       aegis-demo-service call --svid DIR --require RULE --port PORT "
              "[--wait SECONDS]\n",
              stderr);
        return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
        static const struct option longopts[] = {
                { "svid", required_argument, NULL, 's' },
                { "require", required_argument, NULL, 'r' },
                { "port-file", required_argument, NULL, 'f' },
                { "port", required_argument, NULL, 'p' },
                { "count", required_argument, NULL, 'n' },
                { "wait", required_argument, NULL, 'w' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        memset(o, 0, sizeof(*o));
        o->count = 1;
        o->wait_s = 30;
        if (argc < 2)
                return usage();
        if (strcmp(argv[1], "serve") == 0)
                o->serve = true;
        else if (strcmp(argv[1], "call") != 0)
                return usage();
        optind = 2;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 's': o->svid_dir = optarg; break;
                case 'r': o->rule_text = optarg; break;
                case 'f': o->port_file = optarg; break;
                case 'p': o->port = atoi(optarg); break;
                case 'n': o->count = atoi(optarg); break;
                case 'w': o->wait_s = atoi(optarg); break;
                default: return usage();
                }
        }
        if (optind != argc || !o->svid_dir || !o->rule_text || o->count < 1 || o->wait_s < 0 ||
            (o->serve ? !o->port_file : (o->port <= 0 || o->port > 65535)))
                return usage();
        return 0;
}

/* DIR/name into buf. */
static const char *in_dir(char *buf, size_t cap, const char *dir, const char *name)
{
        snprintf(buf, cap, "%s/%s", dir, name);
        return buf;
}

/* The TLS context of this service: its SVID, its trust bundle, its rule. */
static SSL_CTX *context(const struct opts *o)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *bundle = NULL;
        struct ae_rp_rule rule;
        struct ae_rp_rule_parse_error err;
        char pem[4096], key[4096], roots[4096], why_rule[256];
        const char *why = NULL;
        SSL_CTX *ctx = NULL;

        if (ae_rp_rule_parse(o->rule_text, strlen(o->rule_text), &rule, &err) < 0) {
                ae_rp_rule_error_format(&err, why_rule, sizeof(why_rule));
                fprintf(stderr, "--require: %s\n", why_rule);
                return NULL;
        }
        if (ae_rp_bundle_new(&bundle) < 0 ||
            ae_rp_bundle_load_file(bundle, NULL, in_dir(roots, sizeof(roots), o->svid_dir,
                                                        "bundle.pem"), &why) < 0) {
                fprintf(stderr, "%s: %s\n", roots, why ? why : "unreadable");
                return NULL;
        }
        if (ae_rp_ssl_ctx_new(o->serve ? AE_RP_SSL_SERVER : AE_RP_SSL_CLIENT,
                              in_dir(pem, sizeof(pem), o->svid_dir, "svid.pem"),
                              in_dir(key, sizeof(key), o->svid_dir, "svid.key"), bundle, &rule,
                              &ctx, &why) < 0) {
                fprintf(stderr, "%s: %s\n", pem, why ? why : "unusable");
                return NULL;
        }
        return ctx;
}

static void set_timeouts(int fd)
{
        struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* "spiffe://... (level pog, zones a b)" for a verified peer. */
static void describe_peer(const struct ae_rp_result *res, char *buf, size_t cap)
{
        char id[AE_SPIFFE_ID_SIZE] = "?";
        size_t n;

        if (res->has_id && ae_spiffe_id_format(&res->id, id, sizeof(id), NULL) < 0)
                snprintf(id, sizeof(id), "?");
        n = (size_t)snprintf(buf, cap, "%s", id);
        if (!res->has_claims || n >= cap)
                return;
        n += (size_t)snprintf(buf + n, cap - n, " (level %s",
                              ae_claims_level_name(res->claims.level));
        for (size_t i = 0; i < res->claims.geo.n_zones && n < cap; i++)
                n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : ", zone ",
                                      res->claims.geo.zones[i]);
        if (n < cap)
                snprintf(buf + n, cap - n, ")");
}

/* Why the handshake failed, from the verifier where it ran. */
static void print_refusal(const char *who, SSL *ssl)
{
        const struct ae_rp_result *res = ae_rp_ssl_result(ssl);
        char line[1024];

        if (res && res->reason != AE_RP_OK) {
                ae_rp_result_describe(res, line, sizeof(line));
                printf("%s: refused the peer: %s\n", who, line);
        } else {
                unsigned long e = ERR_peek_last_error();

                printf("%s: handshake failed: %s\n", who,
                       e ? ERR_reason_error_string(e) : "connection closed by the peer");
        }
        ERR_clear_error();
        fflush(stdout);
}

static void serve_one(SSL_CTX *ctx, int fd)
{
        SSL *ssl = SSL_new(ctx);
        char peer[512], msg[256], reply[1024];
        int n;

        set_timeouts(fd);
        if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
                if (ssl)
                        print_refusal("server", ssl);
                SSL_free(ssl);
                return;
        }
        describe_peer(ae_rp_ssl_result(ssl), peer, sizeof(peer));
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

static int serve(const struct opts *o, SSL_CTX *ctx)
{
        struct sockaddr_in addr = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(addr);
        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FILE *f;

        if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            listen(lfd, 8) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &len) < 0) {
                perror("listen");
                return 1;
        }
        /* Written whole, then renamed: a reader never sees half a port. */
        {
                char tmp[4096];

                snprintf(tmp, sizeof(tmp), "%s.tmp", o->port_file);
                f = fopen(tmp, "w");
                if (!f || fprintf(f, "%u\n", ntohs(addr.sin_port)) < 0 || fclose(f) != 0 ||
                    rename(tmp, o->port_file) < 0) {
                        perror(o->port_file);
                        return 1;
                }
        }
        for (int i = 0; i < o->count; i++) {
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

static int wait_for_svid(const struct opts *o)
{
        char pem[4096];
        struct stat st;

        /* 'aegis svid mint' writes bundle.pem last. */
        in_dir(pem, sizeof(pem), o->svid_dir, "bundle.pem");
        for (int i = 0; i <= o->wait_s * 10; i++) {
                if (stat(pem, &st) == 0)
                        return 0;
                usleep(100 * 1000);
        }
        fprintf(stderr, "no SVID: %s missing after %d s\n", pem, o->wait_s);
        return -1;
}

static int call(const struct opts *o)
{
        struct sockaddr_in addr = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                    .sin_port = htons((uint16_t)o->port) };
        _cleanup_(SSL_CTX_freep) SSL_CTX *ctx = NULL;
        char peer[512], reply[1024];
        SSL *ssl;
        int fd, n, rc = 1;

        if (wait_for_svid(o) < 0 || !(ctx = context(o)))
                return 1;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                perror("connect");
                return 1;
        }
        set_timeouts(fd);
        ssl = SSL_new(ctx);
        if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
                if (ssl)
                        print_refusal("client", ssl);
                goto out;
        }
        describe_peer(ae_rp_ssl_result(ssl), peer, sizeof(peer));
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
        _cleanup_(SSL_CTX_freep) SSL_CTX *ctx = NULL;
        struct opts o;
        int r = parse_opts(argc, argv, &o);

        if (r != 0)
                return r;
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (!o.serve)
                return call(&o);
        if (wait_for_svid(&o) < 0)
                return 1;
        ctx = context(&o);
        return ctx ? serve(&o, ctx) : 1;
}
