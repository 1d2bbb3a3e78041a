/* SPIFFE mTLS against a TLS implementation we did not write: the openssl
 * CLI. Our server context (rp_ssl.h) accepts `openssl s_client -cert -key
 * -CAfile` presenting an SVID with the right claims and refuses one
 * without, with the exact reason; our client context talks to `openssl
 * s_server -Verify 1 -verify_return_error` (which must accept our client
 * SVID) and refuses servers whose SVID breaks the rule. One certificate is
 * made by the openssl CLI itself, so our verifier is checked against a
 * leaf it did not build either.
 *
 * Ports: our listener binds port 0; s_server binds port 0 and we read the
 * port from its "ACCEPT" line. Every wait has a timeout, and children are
 * killed if they outlive it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check_util.h"
#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_ssl.h"
#include "svid-issuer/rp_verify.h"
#include "svid_forge.h"

#define TD "example.org"
#define SERVER_ID "spiffe://example.org/server"
#define CLIENT_ID "spiffe://example.org/client"
#define CLI_ID "spiffe://example.org/made-by-openssl"
#define TIMEOUT_S 20
#define HELLO "hello from aegis"

static char dir[64];

static void path_of(char *buf, size_t size, const char *name)
{
        snprintf(buf, size, "%s/%s", dir, name);
}

/* ---- child processes ---- */

/* Start argv with stdin from /dev/null and stdout/stderr into out_fd. */
static pid_t spawn(char *const argv[], int out_fd)
{
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY);
                if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
                        _exit(126);
                execvp(argv[0], argv);
                _exit(127);
        }
        return pid;
}

/* The child's exit status, or -1 when it had to be killed after seconds. */
static int reap(pid_t pid, int seconds)
{
        int status;

        for (int i = 0; i < seconds * 10; i++) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
                usleep(100 * 1000);
        }
        kill(pid, SIGKILL);
        (void)waitpid(pid, &status, 0);
        return -1;
}

/* Run a tool to completion; its output goes to dir/tool.log. */
static void run_tool(char *const argv[])
{
        char log[128];
        int fd, rc;

        path_of(log, sizeof(log), "tool.log");
        fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert_int_ge(fd, 0);
        rc = reap(spawn(argv, fd), TIMEOUT_S);
        close(fd);
        ck_assert_msg(rc == 0, "%s %s failed (%d), see %s", argv[0], argv[1], rc, log);
}

static char *slurp(const char *path)
{
        static char buf[65536];
        FILE *f = fopen(path, "r");
        size_t n;

        ck_assert_ptr_nonnull(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* ---- the certificates ---- */

static void write_leaf(const char *name, const char *id, bool pog, X509 *ca, EVP_PKEY *ca_key)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_claims c;
        char pem[128], keyp[128], file[64];

        ae_forge_claims(&c, id, (int64_t)time(NULL) - 5);
        if (!pog) {
                c.level = AE_CLAIMS_POR;
                memset(&c.geo, 0, sizeof(c.geo));
        }
        ae_forge_leaf(id, (int64_t)time(NULL), &c, ca, ca_key, &key, &leaf);
        snprintf(file, sizeof(file), "%s.pem", name);
        path_of(pem, sizeof(pem), file);
        snprintf(file, sizeof(file), "%s.key", name);
        path_of(keyp, sizeof(keyp), file);
        ae_forge_write_pem(pem, &leaf, 1);
        ae_forge_write_key(keyp, key);
}

/* A leaf made and signed by the openssl CLI with our root's key. */
static void openssl_cli_leaf(void)
{
        char key[128], csr[128], ext[128], pem[128], ca[128], ca_key[128];
        FILE *f;

        path_of(key, sizeof(key), "cli.key");
        path_of(csr, sizeof(csr), "cli.csr");
        path_of(ext, sizeof(ext), "cli.ext");
        path_of(pem, sizeof(pem), "cli.pem");
        path_of(ca, sizeof(ca), "ca.pem");
        path_of(ca_key, sizeof(ca_key), "ca.key");
        f = fopen(ext, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "subjectAltName=URI:" CLI_ID "\nbasicConstraints=critical,CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
        ck_assert_int_eq(fclose(f), 0);
        run_tool((char *const[]){ "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-subj",
                                  "/O=made by openssl", "-out", csr, NULL });
        run_tool((char *const[]){ "openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey",
                                  ca_key, "-set_serial", "7", "-days", "1", "-extfile", ext,
                                  "-out", pem, NULL });
}

static const char *const files[] = {
        "ca.pem",      "ca.key",     "bundle.pem", "server.pem", "server.key",  "client.pem",
        "client.key",  "por.pem",    "por.key",    "spor.pem",   "spor.key",    "foreign.pem",
        "foreign.key", "int.pem",    "deep.pem",   "deep.key",   "cli.key",     "cli.csr",
        "cli.ext",     "cli.pem",    "tool.log",   "peer.log",
};

static void setup(void)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *a_key = NULL, *b_key = NULL, *i_key = ae_forge_key();
        _cleanup_(X509_freep) X509 *a = NULL, *b = NULL, *inter = NULL;
        struct ae_forge_opts o;
        char path[128];
        int64_t now = (int64_t)time(NULL);

        snprintf(dir, sizeof(dir), "/tmp/aegis-rp-peer-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ae_forge_root(TD, now, &a_key, &a);
        ae_forge_root("other.org", now, &b_key, &b);
        path_of(path, sizeof(path), "ca.pem");
        ae_forge_write_pem(path, &a, 1);
        path_of(path, sizeof(path), "ca.key");
        ae_forge_write_key(path, a_key);
        path_of(path, sizeof(path), "bundle.pem");
        ae_forge_write_pem(path, &a, 1);

        write_leaf("server", SERVER_ID, true, a, a_key);
        write_leaf("spor", SERVER_ID, false, a, a_key);
        write_leaf("client", CLIENT_ID, true, a, a_key);
        write_leaf("por", CLIENT_ID, false, a, a_key);
        write_leaf("foreign", "spiffe://other.org/server", true, b, b_key);
        /* A leaf under an intermediate CA, which the peer sends along. */
        ae_forge_ca_opts(&o, "spiffe://" TD, now);
        inter = ae_forge_cert(&o, i_key, a, a_key);
        path_of(path, sizeof(path), "int.pem");
        ae_forge_write_pem(path, &inter, 1);
        write_leaf("deep", CLIENT_ID, true, inter, i_key);
        openssl_cli_leaf();
}

static void teardown(void)
{
        char path[128];

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                path_of(path, sizeof(path), files[i]);
                (void)unlink(path);
        }
        (void)rmdir(dir);
}

static SSL_CTX *our_ctx(enum ae_rp_ssl_role role, const char *svid, const char *rule_text)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        struct ae_rp_rule rule;
        char pem[128], key[128], bundle[128], file[64];
        const char *why = NULL;
        SSL_CTX *ctx = NULL;

        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        path_of(bundle, sizeof(bundle), "bundle.pem");
        ck_assert_int_eq(ae_rp_bundle_load_file(b, NULL, bundle, &why), 0);
        ck_assert_int_eq(ae_rp_rule_parse(rule_text, strlen(rule_text), &rule, NULL), 0);
        snprintf(file, sizeof(file), "%s.pem", svid);
        path_of(pem, sizeof(pem), file);
        snprintf(file, sizeof(file), "%s.key", svid);
        path_of(key, sizeof(key), file);
        ck_assert_msg(ae_rp_ssl_ctx_new(role, pem, key, b, &rule, &ctx, &why) == 0, "%s", why);
        return ctx;
}

static void set_timeouts(int fd)
{
        struct timeval tv = { .tv_sec = TIMEOUT_S };

        ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
}

static void id_is(const struct ae_rp_result *r, const char *want)
{
        char text[AE_SPIFFE_ID_SIZE];

        ck_assert(r->has_id);
        ck_assert_int_eq(ae_spiffe_id_format(&r->id, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, want);
}

/* ---- openssl s_client against our server ---- */

struct served {
        bool accepted;  /* SSL_accept and our hello went through */
        bool verified;  /* our verifier ran */
        struct ae_rp_result result;
        int client_rc;  /* s_client's exit status */
        char *client_out;
};

/* Serve one s_client connection. svid: the client's cert stem (NULL: no
 * client certificate); chain: an extra chain file for -cert_chain. */
static void serve_s_client(const char *svid, const char *chain, const char *rule, struct served *s)
{
        SSL_CTX *ctx = our_ctx(AE_RP_SSL_SERVER, "server", rule);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        char connect_to[64], cert[128], key[128], chainp[128], bundle[128], log[128], file[64];
        char *argv[24];
        struct pollfd pfd;
        const struct ae_rp_result *r;
        int lfd, cfd, out, n = 0;
        pid_t pid;
        SSL *ssl;

        memset(s, 0, sizeof(*s));
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(lfd, 0);
        ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(lfd, 1), 0);
        ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
        snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%u", ntohs(sa.sin_port));
        path_of(bundle, sizeof(bundle), "bundle.pem");
        path_of(log, sizeof(log), "peer.log");

        argv[n++] = "openssl", argv[n++] = "s_client", argv[n++] = "-connect";
        argv[n++] = connect_to;
        argv[n++] = "-CAfile", argv[n++] = bundle, argv[n++] = "-verify_return_error";
        argv[n++] = "-ign_eof"; /* read until we close, though stdin is empty */
        if (svid) {
                snprintf(file, sizeof(file), "%s.pem", svid);
                path_of(cert, sizeof(cert), file);
                snprintf(file, sizeof(file), "%s.key", svid);
                path_of(key, sizeof(key), file);
                argv[n++] = "-cert", argv[n++] = cert, argv[n++] = "-key", argv[n++] = key;
        }
        if (chain) {
                path_of(chainp, sizeof(chainp), chain);
                argv[n++] = "-cert_chain", argv[n++] = chainp;
        }
        argv[n] = NULL;
        out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert_int_ge(out, 0);
        pid = spawn(argv, out);
        close(out);

        pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
        ck_assert_msg(poll(&pfd, 1, TIMEOUT_S * 1000) == 1, "s_client never connected");
        cfd = accept(lfd, NULL, NULL);
        ck_assert_int_ge(cfd, 0);
        set_timeouts(cfd);
        ssl = SSL_new(ctx);
        ck_assert_ptr_nonnull(ssl);
        SSL_set_fd(ssl, cfd);
        s->accepted = SSL_accept(ssl) == 1 && SSL_write(ssl, HELLO "\n", sizeof(HELLO)) > 0;
        if (s->accepted)
                (void)SSL_shutdown(ssl);
        r = ae_rp_ssl_result(ssl);
        s->verified = r != NULL;
        if (r)
                s->result = *r;
        SSL_free(ssl);
        close(cfd);
        close(lfd);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        s->client_rc = reap(pid, TIMEOUT_S);
        s->client_out = slurp(log);
}

START_TEST(s_client_with_pog_svid_accepted)
{
        struct served s;

        serve_s_client("client", NULL, "level=pog,zone=eu-de,max_age=600", &s);
        ck_assert_msg(s.accepted, "%s", s.client_out);
        ck_assert_int_eq(s.result.reason, AE_RP_OK);
        id_is(&s.result, CLIENT_ID);
        ck_assert(s.result.has_claims);
        /* s_client verified our server SVID against the same bundle, and
         * got our hello over TLS 1.3. */
        ck_assert_int_eq(s.client_rc, 0);
        ck_assert_ptr_nonnull(strstr(s.client_out, "Verify return code: 0 (ok)"));
        ck_assert_ptr_nonnull(strstr(s.client_out, "TLSv1.3"));
        ck_assert_ptr_nonnull(strstr(s.client_out, HELLO));
}
END_TEST

START_TEST(s_client_with_chain_accepted)
{
        struct served s;

        serve_s_client("deep", "int.pem", "level=pog", &s);
        ck_assert_msg(s.accepted, "%s", s.client_out);
        id_is(&s.result, CLIENT_ID);
        ck_assert_ptr_nonnull(strstr(s.client_out, HELLO));
}
END_TEST

START_TEST(s_client_chain_missing_refused)
{
        struct served s;

        serve_s_client("deep", NULL, "", &s);
        ck_assert(!s.accepted);
        ck_assert_int_eq(s.result.reason, AE_RP_CHAIN_UNTRUSTED);
        ck_assert_ptr_null(strstr(s.client_out, HELLO));
}
END_TEST

START_TEST(s_client_with_por_svid_refused)
{
        struct served s;

        serve_s_client("por", NULL, "level=pog,zone=eu-de", &s);
        ck_assert(!s.accepted);
        ck_assert(s.verified);
        ck_assert_int_eq(s.result.reason, AE_RP_RULE_LEVEL);
        id_is(&s.result, CLIENT_ID);
        ck_assert_ptr_null(strstr(s.client_out, HELLO));
        ck_assert_int_ne(s.client_rc, 0);
}
END_TEST

START_TEST(s_client_zone_and_id_refused)
{
        struct served s;

        serve_s_client("client", NULL, "zone=eu-fr", &s);
        ck_assert(!s.accepted);
        ck_assert_int_eq(s.result.reason, AE_RP_RULE_ZONE);
        serve_s_client("client", NULL, "id=spiffe://example.org/billing", &s);
        ck_assert(!s.accepted);
        ck_assert_int_eq(s.result.reason, AE_RP_RULE_ID);
}
END_TEST

START_TEST(s_client_without_certificate_refused)
{
        struct served s;

        serve_s_client(NULL, NULL, "", &s);
        ck_assert(!s.accepted);
        ck_assert(!s.verified); /* nothing to verify: OpenSSL refused first */
        ck_assert_ptr_null(strstr(s.client_out, HELLO));
}
END_TEST

START_TEST(openssl_made_leaf)
{
        struct served s;

        /* A plain SPIFFE identity made by another tool: fine by itself... */
        serve_s_client("cli", NULL, "trust_domain=example.org", &s);
        ck_assert_msg(s.accepted, "%s", s.client_out);
        id_is(&s.result, CLI_ID);
        ck_assert(!s.result.has_claims);
        /* ...but it carries no attestation claims. */
        serve_s_client("cli", NULL, "level=por", &s);
        ck_assert(!s.accepted);
        ck_assert_int_eq(s.result.reason, AE_RP_CLAIMS_ABSENT);
}
END_TEST

/* ---- our client against openssl s_server ---- */

struct dialled {
        bool ok;        /* handshake done and the reversed echo came back */
        bool verified;
        struct ae_rp_result result;
        char *server_out;
};

/* Read s_server's "ACCEPT <host>:<port>" line from fd. */
static int read_port(int fd)
{
        static char buf[4096];
        size_t n = 0;

        while (n < sizeof(buf) - 1) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char *line, *colon;
                ssize_t got;

                ck_assert_msg(poll(&pfd, 1, TIMEOUT_S * 1000) == 1, "s_server never listened");
                got = read(fd, buf + n, sizeof(buf) - 1 - n);
                ck_assert_msg(got > 0, "s_server exited: %.*s", (int)n, buf);
                n += (size_t)got;
                buf[n] = '\0';
                line = strstr(buf, "ACCEPT ");
                if (line && strchr(line, '\n')) {
                        colon = strrchr(strtok(line, "\n"), ':');
                        ck_assert_ptr_nonnull(colon);
                        return atoi(colon + 1);
                }
        }
        ck_abort_msg("no ACCEPT line from s_server");
        return -1;
}

static void dial_s_server(const char *server_svid, const char *rule, struct dialled *d)
{
        SSL_CTX *ctx = our_ctx(AE_RP_SSL_CLIENT, "client", rule);
        char cert[128], key[128], bundle[128], log[128], file[64], echo[64] = "";
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int pipefd[2], fd, port, n, logfd;
        const struct ae_rp_result *r;
        char buf[4096];
        ssize_t got;
        pid_t pid;
        SSL *ssl;

        memset(d, 0, sizeof(*d));
        snprintf(file, sizeof(file), "%s.pem", server_svid);
        path_of(cert, sizeof(cert), file);
        snprintf(file, sizeof(file), "%s.key", server_svid);
        path_of(key, sizeof(key), file);
        path_of(bundle, sizeof(bundle), "bundle.pem");
        path_of(log, sizeof(log), "peer.log");
        ck_assert_int_eq(pipe(pipefd), 0);
        ck_assert_int_eq(fcntl(pipefd[0], F_SETFD, FD_CLOEXEC), 0);
        pid = spawn((char *const[]){ "openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept",
                                     "1", "-cert", cert, "-key", key, "-CAfile", bundle,
                                     "-Verify", "1", "-verify_return_error", "-rev", NULL },
                    pipefd[1]);
        close(pipefd[1]);
        port = read_port(pipefd[0]);

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        set_timeouts(fd);
        sa.sin_port = htons((uint16_t)port);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ssl = SSL_new(ctx);
        ck_assert_ptr_nonnull(ssl);
        SSL_set_fd(ssl, fd);
        if (SSL_connect(ssl) == 1 && SSL_write(ssl, "aegis\n", 6) == 6) {
                /* -rev answers each line reversed, once the client is verified. */
                n = SSL_read(ssl, echo, sizeof(echo) - 1);
                if (n > 0)
                        echo[n] = '\0';
                d->ok = strstr(echo, "sigea") != NULL;
        }
        r = ae_rp_ssl_result(ssl);
        d->verified = r != NULL;
        if (r)
                d->result = *r;
        SSL_free(ssl);
        close(fd);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        (void)reap(pid, 2); /* -naccept 1: it exits after one connection */
        /* Keep what s_server said for failure messages. */
        logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert_int_ge(logfd, 0);
        while ((got = read(pipefd[0], buf, sizeof(buf))) > 0)
                ck_assert_int_eq(write(logfd, buf, (size_t)got), got);
        close(logfd);
        close(pipefd[0]);
        d->server_out = slurp(log);
}

START_TEST(s_server_accepts_us_and_we_accept_it)
{
        struct dialled d;

        dial_s_server("server", "id=" SERVER_ID ",level=pog,zone=eu-de", &d);
        ck_assert_msg(d.ok, "%s", d.server_out);
        ck_assert_int_eq(d.result.reason, AE_RP_OK);
        id_is(&d.result, SERVER_ID);
}
END_TEST

START_TEST(we_refuse_por_s_server)
{
        struct dialled d;

        dial_s_server("spor", "level=pog", &d);
        ck_assert(!d.ok);
        ck_assert(d.verified);
        ck_assert_int_eq(d.result.reason, AE_RP_RULE_LEVEL);
        id_is(&d.result, SERVER_ID);
}
END_TEST

START_TEST(we_refuse_foreign_s_server)
{
        struct dialled d;

        dial_s_server("foreign", "", &d);
        ck_assert(!d.ok);
        ck_assert_int_eq(d.result.reason, AE_RP_TRUST_DOMAIN_UNKNOWN);
        id_is(&d.result, "spiffe://other.org/server");
}
END_TEST

START_TEST(we_accept_openssl_made_s_server)
{
        struct dialled d;

        dial_s_server("cli", "id=" CLI_ID, &d);
        ck_assert_msg(d.ok, "%s", d.server_out);
        id_is(&d.result, CLI_ID);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_peer");
        TCase *tc = tcase_create("openssl");

        tcase_add_unchecked_fixture(tc, setup, teardown);
        tcase_add_test(tc, s_client_with_pog_svid_accepted);
        tcase_add_test(tc, s_client_with_chain_accepted);
        tcase_add_test(tc, s_client_chain_missing_refused);
        tcase_add_test(tc, s_client_with_por_svid_refused);
        tcase_add_test(tc, s_client_zone_and_id_refused);
        tcase_add_test(tc, s_client_without_certificate_refused);
        tcase_add_test(tc, openssl_made_leaf);
        tcase_add_test(tc, s_server_accepts_us_and_we_accept_it);
        tcase_add_test(tc, we_refuse_por_s_server);
        tcase_add_test(tc, we_refuse_foreign_s_server);
        tcase_add_test(tc, we_accept_openssl_made_s_server);
        tcase_set_timeout(tc, 3 * TIMEOUT_S);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        if (system("openssl version > /dev/null 2>&1") != 0) {
                fprintf(stderr, "openssl CLI not found: skipping\n");
                return AE_TEST_SKIP;
        }
        signal(SIGPIPE, SIG_IGN);
        return ae_check_run(suite());
}
