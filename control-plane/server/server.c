/* aegis-server's object: loading what the configuration names, the TLS
 * identity agents check, and the two gRPC servers (server.h). */
#include "control-plane/server/server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "common/ossl.h"
#include "common/workq.h"
#include "control-plane/server/caller_memo.h"
#include "control-plane/server/server_internal.h"
#include "node-attestor/verify/node_verifier.h"
#include "policy/policy.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/x509_svid.h"

/* Jobs waiting for a worker before callers are told RESOURCE_EXHAUSTED. */
#define WORK_QUEUE_MAX 4096

static int failf(char *err, size_t cap, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int failf(char *err, size_t cap, int r, const char *fmt, ...)
{
        va_list ap;

        if (err && cap) {
                va_start(ap, fmt);
                vsnprintf(err, cap, fmt, ap);
                va_end(ap);
        }
        return r;
}

/* The certificate agents see: an SVID for the server's ID that also names
 * the configured hosts (DNS SANs), so gRPC's host name check passes and the
 * agent can still check the SPIFFE ID. Its own key, made at start. */
static int mint_tls_identity(struct ae_server *s, time_t now, char *err, size_t cap)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        const char *names[AE_SERVER_NAMES_MAX];
        enum ae_svid_reason why = AE_SVID_OK;
        X509 *leaf = NULL;
        size_t len;
        int r;

        for (size_t i = 0; i < s->cfg.n_server_names; i++)
                names[i] = s->cfg.server_names[i];
        r = ae_svid_key_generate(AE_CA_KEY_P256, &key);
        if (r < 0)
                return failf(err, cap, r, "server key: %s", strerror(-r));
        r = ae_x509_svid_mint(s->ca,
                              &(struct ae_x509_svid_request){
                                      .spiffe_id = s->server_id,
                                      .public_key = key,
                                      .ttl_s = AE_X509_SVID_TTL_MAX,
                                      .dns_names = names,
                                      .n_dns_names = s->cfg.n_server_names },
                              now, &leaf, &why);
        if (r < 0)
                return failf(err, cap, r, "server certificate: %s", ae_svid_reason_str(why));
        r = ae_x509_svid_chain(leaf, s->ca, &chain);
        X509_free(leaf);
        if (r == 0)
                r = ae_ca_pem_write_certs(chain, &s->tls_cert_pem, &len);
        if (r == 0)
                r = ae_ca_pem_write_key(key, &s->tls_key_pem, &len);
        if (r == 0)
                r = ae_ca_pem_write_certs(ae_ca_bundle(s->ca), &s->bundle_pem, &len);
        if (r < 0)
                return failf(err, cap, r, "server TLS material: %s", strerror(-r));
        return 0;
}

/* The bundle as GetBundle sends it, and as the datastore records it. */
static int load_bundle(struct ae_server *s, char *err, size_t cap)
{
        STACK_OF(X509) *roots = ae_ca_bundle(s->ca);
        struct ae_ds_bundle *b;
        unsigned char *der = NULL;
        int n, r;

        if (sk_X509_num(roots) < 1 || sk_X509_num(roots) > 16)
                return failf(err, cap, -EINVAL, "CA bundle: 1..16 roots expected");
        b = calloc(1, sizeof(*b));
        ENSURE_ALLOC(b);
        snprintf(b->trust_domain, sizeof(b->trust_domain), "%s", ae_ca_trust_domain(s->ca));
        for (int i = 0; i < sk_X509_num(roots); i++) {
                X509 *x = sk_X509_value(roots, i);
                struct tm tm;

                der = NULL;
                n = i2d_X509(x, &der);
                if (n <= 0) {
                        free(b);
                        return -ENOMEM;
                }
                s->roots_der[s->n_roots] = der;
                s->roots_len[s->n_roots++] = (size_t)n;
                b->roots[i].der = der;
                b->roots[i].der_len = (size_t)n;
                if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
                        b->roots[i].not_after = (int64_t)timegm(&tm);
        }
        b->n_roots = s->n_roots;
        der = NULL;
        n = i2d_PUBKEY(ae_ca_key(s->ca), &der);
        if (n <= 0) {
                free(b);
                return -ENOMEM;
        }
        s->jwt_key_der = der;
        s->jwt_key_len = (size_t)n;
        b->n_jwt_keys = 1;
        memcpy(b->jwt_keys[0].kid, s->jwt_kid, sizeof(s->jwt_kid));
        b->jwt_keys[0].public_key = der;
        b->jwt_keys[0].public_key_len = (size_t)n;
        b->jwt_keys[0].not_after = (int64_t)ae_ca_not_after(s->ca);
        r = ae_ds_bundle_set(s->ds, b, &s->bundle_sequence);
        free(b); /* its blobs are the server's */
        if (r < 0)
                return failf(err, cap, r, "datastore: bundle: %s", ae_ds_errmsg());
        return 0;
}

static int load(struct ae_server *s, time_t now, char *err, size_t cap)
{
        struct ae_policy_error perr = { 0 };
        enum ae_svid_reason why = AE_SVID_OK;
        int r;

        r = ae_policy_load_file(s->cfg.policy_path, &s->policy, &perr);
        if (r < 0)
                return failf(err, cap, r, "policy %s: %s: %s", s->cfg.policy_path, perr.path,
                             perr.message);
        r = ae_node_verifier_new(s->policy, &s->verifier);
        if (r < 0)
                return failf(err, cap, r, "policy %s: EK CA bundle: %s", s->cfg.policy_path,
                             strerror(-r));
        r = ae_ca_load(s->cfg.ca_dir, now, &s->ca, &why);
        if (r < 0)
                return failf(err, cap, r, "CA %s: %s", s->cfg.ca_dir, ae_svid_reason_str(why));
        if (strcmp(ae_ca_trust_domain(s->ca), s->policy->trust_domain) != 0)
                return failf(err, cap, -EINVAL, "CA trust domain %s differs from policy's %s",
                             ae_ca_trust_domain(s->ca), s->policy->trust_domain);
        snprintf(s->server_id, sizeof(s->server_id), "spiffe://%s/spire/server",
                 s->policy->trust_domain);
        r = ae_jwt_kid_for_key(ae_ca_key(s->ca), s->jwt_kid);
        if (r < 0)
                return failf(err, cap, r, "CA key id: %s", strerror(-r));
        r = ae_ds_open(s->cfg.datastore_path, &s->ds);
        if (r < 0)
                return failf(err, cap, r, "datastore %s: %s (%s)", s->cfg.datastore_path,
                             strerror(-r), ae_ds_errmsg());
        GUARD(load_bundle(s, err, cap));
        GUARD(mint_tls_identity(s, now, err, cap));
        r = ae_workq_new(s->cfg.workers, WORK_QUEUE_MAX, &s->work);
        if (r < 0)
                return failf(err, cap, r, "worker threads: %s", strerror(-r));
        return 0;
}

static int make_grpc(struct ae_server *s, char *err, size_t cap)
{
        struct ae_grpc_server_config gc;
        const struct ae_grpc_tls_server tls = {
                .cert_chain_pem = s->tls_cert_pem,
                .key_pem = s->tls_key_pem,
                /* Asked for and verified against the bundle when sent;
                 * AttestAgent is the one call made without. */
                .client_ca_pem = s->bundle_pem,
                .require_client_cert = false,
        };
        int r;

        ae_grpc_server_config_default(&gc);
        r = ae_grpc_server_new(&gc, &s->agents);
        if (r == 0)
                r = ae_server_add_agent_api(s, s->agents);
        if (r == 0)
                r = ae_grpc_server_listen_tls(s->agents, s->cfg.listen, &tls);
        if (r < 0)
                return failf(err, cap, r, "agent API: %s", strerror(-r));
        if (!s->cfg.admin_socket[0])
                return 0;
        gc.socket_mode = 0600;
        r = ae_grpc_server_new(&gc, &s->admin);
        if (r == 0)
                r = ae_server_add_admin_api(s, s->admin);
        if (r == 0)
                r = ae_grpc_server_listen_unix(s->admin, s->cfg.admin_socket);
        if (r < 0)
                return failf(err, cap, r, "admin socket %s: %s", s->cfg.admin_socket,
                             strerror(-r));
        return 0;
}

int ae_server_new(const struct ae_server_config *cfg, struct ae_server **ret, char *err,
                  size_t err_cap)
{
        struct ae_server *s;
        int r;

        ENSURE(cfg && ret, -EINVAL);
        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        s->cfg = *cfg;
        r = ae_caller_memo_new(&s->callers);
        if (r < 0)
                failf(err, err_cap, r, "out of memory");
        else
                r = load(s, time(NULL), err, err_cap);
        if (r == 0)
                r = make_grpc(s, err, err_cap);
        if (r < 0) {
                ae_server_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int ae_server_start(struct ae_server *s)
{
        ENSURE(s && !s->started, -EINVAL);
        GUARD(ae_grpc_server_start(s->agents));
        if (s->admin) {
                int r = ae_grpc_server_start(s->admin);

                if (r < 0) {
                        ae_grpc_server_stop(s->agents, 0);
                        return r;
                }
        }
        s->started = true;
        return 0;
}

int ae_server_port(const struct ae_server *s, int *ret_port)
{
        ENSURE(s && ret_port, -EINVAL);
        return ae_grpc_server_tls_port(s->agents, ret_port);
}

void ae_server_stop(struct ae_server *s, uint32_t grace_ms)
{
        if (!s)
                return;
        if (s->agents)
                ae_grpc_server_stop(s->agents, grace_ms);
        if (s->admin)
                ae_grpc_server_stop(s->admin, grace_ms);
        /* Jobs already queued still run (and find their calls ended). */
        ae_workq_stop(s->work);
}

void ae_server_free(struct ae_server *s)
{
        if (!s)
                return;
        ae_server_stop(s, 0);
        ae_grpc_server_free(s->agents);
        ae_grpc_server_free(s->admin);
        ae_workq_free(s->work);
        ae_ds_close(s->ds);
        ae_caller_memo_free(s->callers);
        ae_ca_free(s->ca);
        ae_node_verifier_free(s->verifier);
        ae_policy_free(s->policy);
        free(s->tls_cert_pem);
        if (s->tls_key_pem)
                ae_ca_pem_free_secret(s->tls_key_pem, strlen(s->tls_key_pem));
        free(s->bundle_pem);
        for (size_t i = 0; i < s->n_roots; i++)
                OPENSSL_free(s->roots_der[i]);
        OPENSSL_free(s->jwt_key_der);
        free(s);
}


int ae_server_defer(struct ae_server *s, struct ae_grpc_call *call, void (*fn)(void *arg),
                    void *arg)
{
        int r = ae_workq_submit(s->work, fn, arg);

        if (r < 0)
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "server busy");
        return r;
}

void ae_server_finish(struct ae_grpc_call *call, grpc_status_code code, const char *msg)
{
        int r = ae_grpc_call_finish(call, code, msg);

        if (r < 0 && r != -EPIPE)
                ae_log(AE_LOG_WARNING, "finishing %s: %s", ae_grpc_call_method(call),
                       strerror(-r));
}

struct unary_job {
        struct ae_server *srv;
        struct ae_grpc_call *call;
        ProtobufCMessage *req;
        ae_server_unary_fn fn;
};

static void run_unary(void *arg)
{
        struct unary_job *j = arg;

        j->fn(j->srv, j->call, j->req);
        protobuf_c_message_free_unpacked(j->req, NULL);
        ae_grpc_call_unref(j->call);
        free(j);
}

/* The request outlives on_start only as a copy: packed and read back. */
static ProtobufCMessage *copy_message(const ProtobufCMessage *m)
{
        size_t len = protobuf_c_message_get_packed_size(m);
        uint8_t *buf = malloc(len ? len : 1);
        ProtobufCMessage *copy;

        if (!buf)
                return NULL;
        protobuf_c_message_pack(m, buf);
        copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
        free(buf);
        return copy;
}

void ae_server_unary(struct ae_grpc_call *call, const ProtobufCMessage *req, struct ae_server *s,
                     ae_server_unary_fn fn)
{
        struct unary_job *j = calloc(1, sizeof(*j));

        if (j)
                j->req = copy_message(req);
        if (!j || !j->req) {
                free(j);
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        j->srv = s;
        j->fn = fn;
        ae_grpc_call_ref(call);
        j->call = call;
        if (ae_server_defer(s, call, run_unary, j) < 0) {
                protobuf_c_message_free_unpacked(j->req, NULL);
                ae_grpc_call_unref(call);
                free(j);
        }
}

int ae_server_add_agent_api(struct ae_server *s, struct ae_grpc_server *g)
{
        GUARD(ae_server_add_agent_service(s, g));
        GUARD(ae_server_add_entry_agent_service(s, g));
        GUARD(ae_server_add_svid_service(s, g));
        return ae_server_add_bundle_service(s, g);
}

int ae_server_add_admin_api(struct ae_server *s, struct ae_grpc_server *g)
{
        GUARD(ae_server_add_entry_admin_service(s, g));
        GUARD(ae_server_add_agent_admin_service(s, g));
        return ae_server_add_bundle_service(s, g);
}
