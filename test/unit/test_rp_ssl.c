/* The verifier inside OpenSSL: two of our own contexts shake hands over a
 * socketpair (server in a thread), and each side reads why the other was
 * accepted or refused. The tools we did not write (openssl s_client and
 * s_server) are in test/integration/rp_peer.c. */
#include "svid-issuer/rp_ssl.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "check_util.h"
#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_verify.h"
#include "svid_forge.h"

#define TD "example.org"
#define SERVER_ID "spiffe://example.org/server"
#define CLIENT_ID "spiffe://example.org/client"

static char dir[64];
static int64_t now;

static void path_of(char *buf, size_t size, const char *name)
{
        snprintf(buf, size, "%s/%s", dir, name);
}

/* name.pem (leaf, then chain) and name.key for id under ca. */
static void write_svid(const char *name, const char *id, bool pog, int64_t not_after, X509 *ca,
                       EVP_PKEY *ca_key)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = ae_forge_key();
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_forge_opts o;
        struct ae_claims c;
        char pem[128], keyp[128], file[64];

        ae_forge_claims(&c, id, now - 5);
        if (!pog) {
                c.level = AE_CLAIMS_POR;
                memset(&c.geo, 0, sizeof(c.geo));
        }
        ae_forge_leaf_opts(&o, id, now, &c);
        if (not_after)
                o.not_after = not_after;
        leaf = ae_forge_cert(&o, key, ca, ca_key);
        snprintf(file, sizeof(file), "%s.pem", name);
        path_of(pem, sizeof(pem), file);
        snprintf(file, sizeof(file), "%s.key", name);
        path_of(keyp, sizeof(keyp), file);
        ae_forge_write_pem(pem, &leaf, 1);
        ae_forge_write_key(keyp, key);
}

static const char *const files[] = { "bundle.pem", "server.pem", "server.key", "client.pem",
                                     "client.key", "por.pem",    "por.key",    "old.pem",
                                     "old.key",    "foreign.pem", "foreign.key" };

static void setup(void)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *a_key = NULL, *b_key = NULL;
        _cleanup_(X509_freep) X509 *a = NULL, *b = NULL;
        char path[128];

        now = (int64_t)time(NULL);
        snprintf(dir, sizeof(dir), "/tmp/aegis-rp-ssl-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ae_forge_root(TD, now, &a_key, &a);
        ae_forge_root("other.org", now, &b_key, &b);
        path_of(path, sizeof(path), "bundle.pem");
        ae_forge_write_pem(path, &a, 1);
        write_svid("server", SERVER_ID, true, 0, a, a_key);
        write_svid("client", CLIENT_ID, true, 0, a, a_key);
        write_svid("por", CLIENT_ID, false, 0, a, a_key);
        write_svid("old", CLIENT_ID, true, now - 1, a, a_key);
        write_svid("foreign", "spiffe://other.org/server", true, 0, b, b_key);
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

static SSL_CTX *ctx_for(enum ae_rp_ssl_role role, const char *svid, const char *rule_text)
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
        /* The context holds its own reference: b goes out of scope here. */
        return ctx;
}

/* What one side saw. */
struct side {
        SSL_CTX *ctx;
        int fd;
        bool ok;        /* handshake and the one-byte exchange both worked */
        bool verified;  /* the verifier ran */
        struct ae_rp_result result;
        long verify_result;
        int version;
};

static void finish(struct side *s, SSL *ssl, bool ok)
{
        const struct ae_rp_result *r = ae_rp_ssl_result(ssl);

        s->ok = ok;
        s->verified = r != NULL;
        if (r)
                s->result = *r;
        s->verify_result = SSL_get_verify_result(ssl);
        s->version = SSL_version(ssl);
        SSL_free(ssl);
        close(s->fd);
        ERR_clear_error();
}

static void *serve(void *arg)
{
        struct side *s = arg;
        SSL *ssl = SSL_new(s->ctx);
        char c = 0;
        bool ok;

        ck_assert_ptr_nonnull(ssl);
        SSL_set_fd(ssl, s->fd);
        ok = SSL_accept(ssl) == 1 && SSL_write(ssl, "!", 1) == 1 && SSL_read(ssl, &c, 1) == 1 &&
             c == '?';
        if (ok)
                (void)SSL_shutdown(ssl);
        finish(s, ssl, ok);
        return NULL;
}

static void handshake(struct side *server, struct side *client)
{
        struct timeval tv = { .tv_sec = 10 };
        pthread_t t;
        int sv[2];
        SSL *ssl;
        char c = 0;
        bool ok;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        /* Nothing hangs: a stuck read times out. */
        for (int i = 0; i < 2; i++)
                ck_assert_int_eq(setsockopt(sv[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        server->fd = sv[0];
        client->fd = sv[1];
        ck_assert_int_eq(pthread_create(&t, NULL, serve, server), 0);
        ssl = SSL_new(client->ctx);
        ck_assert_ptr_nonnull(ssl);
        SSL_set_fd(ssl, client->fd);
        /* TLS 1.3: the client learns of its refusal on its first read. */
        ok = SSL_connect(ssl) == 1 && SSL_read(ssl, &c, 1) == 1 && c == '!' &&
             SSL_write(ssl, "?", 1) == 1;
        if (!ok)
                shutdown(client->fd, SHUT_RDWR); /* unblock the server */
        finish(client, ssl, ok);
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        SSL_CTX_free(server->ctx);
        SSL_CTX_free(client->ctx);
}

static void id_is(const struct ae_rp_result *r, const char *want)
{
        char text[AE_SPIFFE_ID_SIZE];

        ck_assert(r->has_id);
        ck_assert_int_eq(ae_spiffe_id_format(&r->id, text, sizeof(text), NULL), 0);
        ck_assert_str_eq(text, want);
}

START_TEST(mutual_accept)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "level=pog,zone=eu-de") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "client", "id=" SERVER_ID) };

        handshake(&server, &client);
        ck_assert(server.ok && client.ok);
        ck_assert(server.verified && client.verified);
        ck_assert_int_eq(server.result.reason, AE_RP_OK);
        ck_assert_int_eq(client.result.reason, AE_RP_OK);
        id_is(&server.result, CLIENT_ID);
        id_is(&client.result, SERVER_ID);
        ck_assert(server.result.has_claims);
        ck_assert_int_eq(server.result.claims.level, AE_CLAIMS_POG);
        ck_assert_int_eq(server.version, TLS1_3_VERSION);
        ck_assert_int_eq(server.verify_result, X509_V_OK);
}
END_TEST

START_TEST(tls12_still_verified)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "level=pog") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "client", "") };

        ck_assert_int_eq(SSL_CTX_set_max_proto_version(client.ctx, TLS1_2_VERSION), 1);
        handshake(&server, &client);
        ck_assert(server.ok && client.ok);
        ck_assert_int_eq(server.version, TLS1_2_VERSION);
        id_is(&server.result, CLIENT_ID);
}
END_TEST

START_TEST(server_refuses_por_client)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "level=pog") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "por", "") };

        handshake(&server, &client);
        ck_assert(!server.ok && !client.ok);
        ck_assert(server.verified);
        ck_assert_int_eq(server.result.reason, AE_RP_RULE_LEVEL);
        id_is(&server.result, CLIENT_ID);
        ck_assert_int_eq(server.verify_result, X509_V_ERR_APPLICATION_VERIFICATION);
        /* The client did accept the server; the refusal was the server's. */
        ck_assert_int_eq(client.result.reason, AE_RP_OK);
}
END_TEST

START_TEST(server_refuses_expired_client)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "old", "") };

        handshake(&server, &client);
        ck_assert(!server.ok && !client.ok);
        ck_assert_int_eq(server.result.reason, AE_RP_CHAIN_EXPIRED);
        ck_assert_int_eq(server.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
}
END_TEST

START_TEST(client_refuses_server)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "client",
                                              "id=spiffe://example.org/other") };

        handshake(&server, &client);
        ck_assert(!server.ok && !client.ok);
        ck_assert_int_eq(client.result.reason, AE_RP_RULE_ID);
        id_is(&client.result, SERVER_ID);
        ck_assert_int_eq(client.verify_result, X509_V_ERR_APPLICATION_VERIFICATION);
        /* The server never saw a client certificate. */
        ck_assert(!server.verified);
}
END_TEST

START_TEST(client_refuses_foreign_server)
{
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "foreign", "") };
        struct side client = { .ctx = ctx_for(AE_RP_SSL_CLIENT, "client", "") };

        handshake(&server, &client);
        ck_assert(!client.ok);
        ck_assert_int_eq(client.result.reason, AE_RP_TRUST_DOMAIN_UNKNOWN);
        id_is(&client.result, "spiffe://other.org/server");
}
END_TEST

START_TEST(server_requires_a_client_certificate)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        struct side server = { .ctx = ctx_for(AE_RP_SSL_SERVER, "server", "") };
        struct side client = { .ctx = SSL_CTX_new(TLS_client_method()) };
        char bundle[128];

        ck_assert_ptr_nonnull(client.ctx);
        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        path_of(bundle, sizeof(bundle), "bundle.pem");
        ck_assert_int_eq(ae_rp_bundle_load_file(b, NULL, bundle, NULL), 0);
        /* A second verifier replaces the first. */
        ck_assert_int_eq(ae_rp_ssl_set_verifier(client.ctx, AE_RP_SSL_CLIENT, b, NULL), 0);
        ck_assert_int_eq(ae_rp_ssl_set_verifier(client.ctx, AE_RP_SSL_CLIENT, b, NULL), 0);
        handshake(&server, &client);
        ck_assert(!server.ok && !client.ok);
        ck_assert(!server.verified);
        ck_assert(client.verified);
        ck_assert_int_eq(client.result.reason, AE_RP_OK);
}
END_TEST

START_TEST(context_refusals)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        char pem[128], key[128], other_key[128], missing[128], bundle[128];
        const char *why = NULL;
        SSL_CTX *ctx = NULL;

        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        path_of(pem, sizeof(pem), "server.pem");
        path_of(key, sizeof(key), "server.key");
        path_of(other_key, sizeof(other_key), "client.key");
        path_of(missing, sizeof(missing), "missing.pem");
        path_of(bundle, sizeof(bundle), "bundle.pem");

        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_SERVER, missing, key, b, NULL, &ctx, &why),
                         -ENOENT);
        ck_assert_str_eq(why, "cannot read the SVID certificate file");
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_SERVER, pem, missing, b, NULL, &ctx, &why),
                         -ENOENT);
        ck_assert_str_eq(why, "cannot read the SVID key file");
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_SERVER, pem, other_key, b, NULL, &ctx, &why),
                         -EBADMSG);
        ck_assert_str_eq(why, "SVID key does not match the SVID certificate");
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_CLIENT, key, key, b, NULL, &ctx, &why),
                         -EBADMSG);
        ck_assert_str_eq(why, "SVID certificate file is not a PEM certificate chain");
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_CLIENT, pem, pem, b, NULL, &ctx, &why),
                         -EBADMSG);
        ck_assert_str_eq(why, "SVID key file is not a PEM private key");
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_CLIENT, pem, key, NULL, NULL, &ctx, &why),
                         -EINVAL);
        ck_assert_int_eq(ae_rp_ssl_ctx_new(7, pem, key, b, NULL, &ctx, &why), -EINVAL);
        ck_assert_ptr_null(ctx);
        ck_assert_int_eq(ae_rp_ssl_set_verifier(NULL, AE_RP_SSL_SERVER, b, NULL), -EINVAL);
        ck_assert_ptr_null(ae_rp_ssl_result(NULL));
        ERR_clear_error();
        (void)bundle;
}
END_TEST

/* The same context from an SVID in memory (as the Workload API gives it):
 * accepted with its own key, refused with another, each with its text. */
START_TEST(context_from_memory)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL, *other = NULL;
        char path[128];
        const char *why = NULL;
        SSL_CTX *ctx = NULL;
        FILE *f;

        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        path_of(path, sizeof(path), "server.pem");
        ck_assert_ptr_nonnull(f = fopen(path, "r"));
        leaf = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
        path_of(path, sizeof(path), "server.key");
        ck_assert_ptr_nonnull(f = fopen(path, "r"));
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        path_of(path, sizeof(path), "client.key");
        ck_assert_ptr_nonnull(f = fopen(path, "r"));
        other = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert(leaf && key && other);

        ck_assert_int_eq(ae_rp_ssl_ctx_new_svid(AE_RP_SSL_SERVER, leaf, NULL, other, b, NULL,
                                                &ctx, &why),
                         -EBADMSG);
        ck_assert_str_eq(why, "SVID key does not match the SVID certificate");
        ck_assert_int_eq(ae_rp_ssl_ctx_new_svid(AE_RP_SSL_SERVER, NULL, NULL, key, b, NULL, &ctx,
                                                &why),
                         -EINVAL);
        ck_assert_str_eq(why, "missing argument");
        ck_assert_int_eq(ae_rp_ssl_ctx_new_svid(7, leaf, NULL, key, b, NULL, &ctx, &why), -EINVAL);
        ck_assert_str_eq(why, "unknown role");
        ck_assert_ptr_null(ctx);
        ck_assert_int_eq(ae_rp_ssl_ctx_new_svid(AE_RP_SSL_CLIENT, leaf, NULL, key, b, NULL, &ctx,
                                                &why),
                         0);
        ck_assert_ptr_nonnull(ctx);
        SSL_CTX_free(ctx);
        ERR_clear_error();
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_ssl");
        TCase *tc = tcase_create("ssl");

        tcase_add_unchecked_fixture(tc, setup, teardown);
        tcase_add_test(tc, mutual_accept);
        tcase_add_test(tc, context_from_memory);
        tcase_add_test(tc, tls12_still_verified);
        tcase_add_test(tc, server_refuses_por_client);
        tcase_add_test(tc, server_refuses_expired_client);
        tcase_add_test(tc, client_refuses_server);
        tcase_add_test(tc, client_refuses_foreign_server);
        tcase_add_test(tc, server_requires_a_client_certificate);
        tcase_add_test(tc, context_refusals);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        /* A peer that hung up is an error return, not a signal. */
        signal(SIGPIPE, SIG_IGN);
        return ae_check_run(suite());
}
