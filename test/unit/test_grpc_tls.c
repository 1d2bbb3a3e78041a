/* gRPC layer over TCP with TLS: server authentication against a CA, a
 * client certificate when the server requires one, and calls that carry
 * no Unix credentials. Certificates are made here with OpenSSL. */
#include "common/grpc_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <protobuf-c/protobuf-c.h>

#include "check_util.h"
#include "common/grpc_call.h"
#include "common/grpc_client.h"
#include "grpc_test_env.h"

#define PEM_MAX 4096

struct pem_pair {
        char cert[PEM_MAX];
        char key[PEM_MAX];
};

static struct pem_pair ca, other_ca, server, client;

/* The certificates are made in main(), outside any test: no Check
 * assertions there. */
#define REQUIRE(cond)                                                          \
        do {                                                                   \
                if (!(cond)) {                                                 \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
                        exit(EXIT_FAILURE);                                    \
                }                                                              \
        } while (0)

static void to_pem(char *out, int (*write)(BIO *, void *), void *obj)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *p;
        long n;

        REQUIRE(b);
        REQUIRE(write(b, obj) == 1);
        n = BIO_get_mem_data(b, &p);
        REQUIRE(n > 0 && n < PEM_MAX);
        memcpy(out, p, (size_t)n);
        out[n] = '\0';
        BIO_free(b);
}

static int write_cert(BIO *b, void *x)
{
        return PEM_write_bio_X509(b, x);
}

static int write_key(BIO *b, void *k)
{
        return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
        X509V3_CTX ctx;
        X509_EXTENSION *ext;

        X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
        ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
        REQUIRE(ext);
        REQUIRE(X509_add_ext(x, ext, -1) == 1);
        X509_EXTENSION_free(ext);
}

/* A P-256 certificate for cn: self-signed CA when issuer is NULL, else a
 * leaf with san, signed by issuer. Returns the certificate and key. */
static void make_cert(const char *cn, const char *san, X509 *issuer, EVP_PKEY *issuer_key,
                      X509 **ret_cert, EVP_PKEY **ret_key)
{
        static long serial = 1;
        EVP_PKEY *key = EVP_EC_gen("P-256");
        X509 *x = X509_new();
        X509_NAME *name = X509_NAME_new();

        REQUIRE(key && x && name);
        REQUIRE(X509_set_version(x, 2) == 1);
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 86400);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                   0);
        X509_set_subject_name(x, name);
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
        X509_set_pubkey(x, key);
        if (!issuer) {
                add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
                add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
        } else {
                add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
                add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
                add_ext(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
                add_ext(x, issuer, NID_subject_alt_name, san);
        }
        REQUIRE(X509_sign(x, issuer ? issuer_key : key, EVP_sha256()) > 0);
        X509_NAME_free(name);
        *ret_cert = x;
        *ret_key = key;
}

static void make_pair(struct pem_pair *out, X509 *x, EVP_PKEY *k)
{
        to_pem(out->cert, write_cert, x);
        to_pem(out->key, write_key, k);
}

/* Made once, before Check forks, so every test sees the same ones. */
static void make_pki(void)
{
        X509 *cax, *ox, *sx, *cx;
        EVP_PKEY *cak, *ok, *sk, *ck;

        make_cert("aegis test CA", NULL, NULL, NULL, &cax, &cak);
        make_cert("someone else's CA", NULL, NULL, NULL, &ox, &ok);
        make_cert("server", "DNS:localhost,IP:127.0.0.1", cax, cak, &sx, &sk);
        make_cert("client", "DNS:client.test", cax, cak, &cx, &ck);
        make_pair(&ca, cax, cak);
        make_pair(&other_ca, ox, ok);
        make_pair(&server, sx, sk);
        make_pair(&client, cx, ck);
        X509_free(cax);
        X509_free(ox);
        X509_free(sx);
        X509_free(cx);
        EVP_PKEY_free(cak);
        EVP_PKEY_free(ok);
        EVP_PKEY_free(sk);
        EVP_PKEY_free(ck);
}

struct tls_env {
        struct ae_grpc_server *srv;
        struct echo_service svc;
        char target[64];
};

static void tls_start(struct tls_env *e, const struct ae_grpc_tls_server *tls, const char *unix_path)
{
        struct ae_grpc_server_config cfg;
        int port;

        ae_grpc_server_config_default(&cfg);
        echo_service_init(&e->svc);
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &e->srv), 0);
        ck_assert_int_eq(echo_service_register(e->srv, &e->svc), 0);
        ck_assert_int_eq(ae_grpc_server_listen_tls(e->srv, "127.0.0.1:0", tls), 0);
        if (unix_path)
                ck_assert_int_eq(ae_grpc_server_listen_unix(e->srv, unix_path), 0);
        ck_assert_int_eq(ae_grpc_server_tls_port(e->srv, &port), -ENOTCONN);
        ck_assert_int_eq(ae_grpc_server_start(e->srv), 0);
        ck_assert_int_eq(ae_grpc_server_tls_port(e->srv, &port), 0);
        ck_assert_int_gt(port, 0);
        snprintf(e->target, sizeof(e->target), "127.0.0.1:%d", port);
}

static void tls_stop(struct tls_env *e)
{
        ae_grpc_server_free(e->srv);
        echo_service_destroy(&e->svc);
}

static char last_peer_cert[8192];

static int call_once(const struct tls_env *e, const struct ae_grpc_tls_client *tls,
                     struct ae_grpc_status *st, long *ret_pid)
{
        struct ae_grpc_client *c = NULL;
        Aegis__Test__EchoReply *rep = NULL;
        int r;

        ck_assert_int_eq(ae_grpc_client_new_tls(e->target, tls, NULL, &c), 0);
        r = grpc_test_unary(c, "tls", 10000, &rep, st);
        if (r == 0) {
                ck_assert_str_eq(rep->text, "tls");
                *ret_pid = (long)rep->peer_pid;
                snprintf(last_peer_cert, sizeof(last_peer_cert), "%s", rep->peer_cert);
                protobuf_c_message_free_unpacked(&rep->base, NULL);
        }
        ae_grpc_client_free(c);
        return r;
}

START_TEST(tls_server_authenticated)
{
        const struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert,
                                                 .key_pem = server.key };
        struct ae_grpc_tls_client ctls = { .ca_pem = ca.cert, .server_name = "localhost" };
        struct tls_env e;
        struct ae_grpc_status st;
        long pid = 0;

        tls_start(&e, &stls, NULL);
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), 0);
        ck_assert_int_eq(pid, -1); /* no Unix credentials over TCP */
        ck_assert_str_eq(last_peer_cert, ""); /* nor a client certificate */
        /* The IP address in the certificate, without a name override. */
        ctls.server_name = NULL;
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), 0);
        /* A name the certificate does not carry. */
        ctls.server_name = "elsewhere.test";
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        /* A server the client's CA did not sign. */
        ctls.server_name = "localhost";
        ctls.ca_pem = other_ca.cert;
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        ck_assert_uint_eq(e.svc.started, 2);
        tls_stop(&e);
}
END_TEST

START_TEST(tls_server_stream_with_deadline)
{
        const struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert,
                                                 .key_pem = server.key };
        const struct ae_grpc_tls_client ctls = { .ca_pem = ca.cert, .server_name = "localhost" };
        Aegis__Test__EchoRequest req = AEGIS__TEST__ECHO_REQUEST__INIT;
        struct ae_grpc_call_opts opts = { .timeout_ms = 300 };
        struct ae_grpc_client_stream *s;
        struct ae_grpc_client *c;
        struct ae_grpc_status st;
        ProtobufCMessage *m;
        struct tls_env e;

        tls_start(&e, &stls, NULL);
        ck_assert_int_eq(ae_grpc_client_new_tls(e.target, &ctls, NULL, &c), 0);
        req.text = "three";
        req.count = 3;
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, NULL, &req.base, &s), 0);
        for (unsigned i = 0; i < 3; i++) {
                ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor,
                                                            &m, &st),
                                 0);
                ck_assert_uint_eq(((Aegis__Test__EchoReply *)m)->seq, i);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    &st),
                         -ENODATA);
        ae_grpc_client_stream_free(s);
        /* A held stream runs into its deadline. */
        req.count = 0;
        ck_assert_int_eq(ae_grpc_client_stream_open(c, ECHO_STREAM, &opts, &req.base, &s), 0);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    &st),
                         0);
        protobuf_c_message_free_unpacked(m, NULL);
        ck_assert_int_eq(ae_grpc_client_stream_read(s, &aegis__test__echo_reply__descriptor, &m,
                                                    &st),
                         -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_DEADLINE_EXCEEDED);
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        echo_wait_ended(&e.svc, AE_GRPC_END_CANCELLED, 1, GRPC_TEST_WAIT_MS);
        tls_stop(&e);
}
END_TEST

START_TEST(tls_client_certificate_required)
{
        const struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert,
                                                 .key_pem = server.key,
                                                 .client_ca_pem = ca.cert,
                                                 .require_client_cert = true };
        struct ae_grpc_tls_client ctls = { .ca_pem = ca.cert, .server_name = "localhost" };
        struct tls_env e;
        struct ae_grpc_status st;
        long pid = 0;

        tls_start(&e, &stls, NULL);
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        ctls.cert_chain_pem = client.cert;
        ctls.key_pem = client.key;
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), 0);
        ck_assert_uint_eq(e.svc.started, 1);
        /* The handler sees the certificate the handshake verified. */
        ck_assert_str_eq(last_peer_cert, client.cert);
        tls_stop(&e);
}
END_TEST

/* verify_peer: sees the server's certificate and may refuse it. */
struct peer_seen {
        unsigned calls;
        bool refuse;
        char pem[8192];
};

static int record_peer(const char *peer_pem, void *userdata)
{
        struct peer_seen *p = userdata;

        p->calls++;
        snprintf(p->pem, sizeof(p->pem), "%s", peer_pem);
        return p->refuse ? -1 : 0;
}

START_TEST(tls_client_verify_peer_hook)
{
        const struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert,
                                                 .key_pem = server.key };
        struct peer_seen seen = { 0 };
        struct ae_grpc_tls_client ctls = { .ca_pem = ca.cert,
                                           .server_name = "localhost",
                                           .verify_peer = record_peer,
                                           .verify_userdata = &seen };
        struct ae_grpc_status st;
        struct tls_env e;
        long pid = 0;

        tls_start(&e, &stls, NULL);
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), 0);
        ck_assert_uint_ge(seen.calls, 1);
        ck_assert_str_eq(seen.pem, server.cert);
        seen.refuse = true;
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), -EREMOTEIO);
        ck_assert_int_eq(st.code, GRPC_STATUS_UNAVAILABLE);
        ck_assert_uint_eq(e.svc.started, 1);
        tls_stop(&e);
}
END_TEST

START_TEST(tls_and_unix_on_one_server)
{
        const struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert,
                                                 .key_pem = server.key };
        const struct ae_grpc_tls_client ctls = { .ca_pem = ca.cert, .server_name = "localhost" };
        struct grpc_test_env dir = { 0 };
        struct tls_env e;
        struct ae_grpc_client *c;
        Aegis__Test__EchoReply *rep = NULL;
        struct ae_grpc_status st;
        long pid = 0;

        grpc_test_env_dir(&dir);
        tls_start(&e, &stls, dir.sock);
        ck_assert_int_eq(call_once(&e, &ctls, &st, &pid), 0);
        ck_assert_int_eq(pid, -1);
        ck_assert_int_eq(ae_grpc_client_new_unix(dir.sock, NULL, &c), 0);
        ck_assert_int_eq(grpc_test_unary(c, "unix", 10000, &rep, &st), 0);
        ck_assert_int_eq(rep->peer_pid, getpid());
        protobuf_c_message_free_unpacked(&rep->base, NULL);
        ae_grpc_client_free(c);
        tls_stop(&e);
        ck_assert_int_eq(rmdir(dir.dir), 0);
}
END_TEST

START_TEST(tls_material_errors)
{
        struct ae_grpc_tls_server stls = { .cert_chain_pem = server.cert };
        struct ae_grpc_tls_client ctls = { .ca_pem = NULL };
        struct ae_grpc_server_config cfg;
        struct ae_grpc_server *srv;
        struct ae_grpc_client *c;
        struct echo_service svc;

        ae_grpc_server_config_default(&cfg);
        echo_service_init(&svc);
        ck_assert_int_eq(ae_grpc_server_new(&cfg, &srv), 0);
        ck_assert_int_eq(echo_service_register(srv, &svc), 0);
        /* No key; a required client certificate without a CA. */
        ck_assert_int_eq(ae_grpc_server_listen_tls(srv, "127.0.0.1:0", &stls), -EINVAL);
        stls.key_pem = server.key;
        stls.require_client_cert = true;
        ck_assert_int_eq(ae_grpc_server_listen_tls(srv, "127.0.0.1:0", &stls), -EINVAL);
        /* A key that is not the certificate's: gRPC refuses the port. */
        stls.require_client_cert = false;
        stls.key_pem = client.key;
        ck_assert_int_eq(ae_grpc_server_listen_tls(srv, "127.0.0.1:0", &stls), 0);
        ck_assert_int_eq(ae_grpc_server_listen_tls(srv, "127.0.0.1:0", &stls), -EEXIST);
        ck_assert_int_eq(ae_grpc_server_start(srv), -EADDRNOTAVAIL);
        ck_assert_int_eq(ae_grpc_server_start(srv), -EBUSY);
        ae_grpc_server_free(srv);
        echo_service_destroy(&svc);

        ck_assert_int_eq(ae_grpc_client_new_tls("127.0.0.1:1", &ctls, NULL, &c), -EINVAL);
        ctls.ca_pem = ca.cert;
        ctls.cert_chain_pem = client.cert; /* without its key */
        ck_assert_int_eq(ae_grpc_client_new_tls("127.0.0.1:1", &ctls, NULL, &c), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("grpc_tls");
        TCase *tc = tcase_create("tls");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, tls_server_authenticated);
        tcase_add_test(tc, tls_server_stream_with_deadline);
        tcase_add_test(tc, tls_client_certificate_required);
        tcase_add_test(tc, tls_client_verify_peer_hook);
        tcase_add_test(tc, tls_and_unix_on_one_server);
        tcase_add_test(tc, tls_material_errors);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        make_pki();
        return ae_check_run(suite());
}
