#include "control-plane/agent/server_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/ossl.h"
#include "control-plane/agent/svid_source.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/verify/node_verifier.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"
#include "spire/api/server/bundle/v1/bundle.pb-c.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"
#include "spire/api/server/svid/v1/svid.pb-c.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/rp_leaf.h"

#define TIMEOUT_DEFAULT_MS 15000
#define AGENT "/spire.api.server.agent.v1.Agent/"
#define ENTRY "/spire.api.server.entry.v1.Entry/"
#define SVID "/spire.api.server.svid.v1.SVID/"
#define BUNDLE "/spire.api.server.bundle.v1.Bundle/"

struct ae_server_conn {
        struct ae_grpc_client *grpc;
        struct ae_server_client_config cfg;
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        char server_id[AE_SPIFFE_ID_SIZE];
};

void ae_agent_identity_clear(struct ae_agent_identity *id)
{
        if (!id)
                return;
        free(id->cert_pem);
        if (id->key_pem)
                ae_ca_pem_free_secret(id->key_pem, strlen(id->key_pem));
        memset(id, 0, sizeof(*id));
}

/* verify_peer: the server's certificate names the trust domain's server. */
static int check_server(const char *peer_pem, void *userdata)
{
        const struct ae_server_conn *c = userdata;
        BIO *b = BIO_new_mem_buf(peer_pem, -1);
        X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        struct ae_spiffe_id id;
        enum ae_rp_reason why;
        char text[AE_SPIFFE_ID_SIZE];
        int ok;

        ok = x && ae_rp_cert_spiffe_id(x, &id, &why, NULL) == 0 &&
             ae_spiffe_id_format(&id, text, sizeof(text), NULL) == 0 &&
             strcmp(text, c->server_id) == 0;
        X509_free(x);
        BIO_free(b);
        return ok ? 0 : -1;
}

static int conn_open(const struct ae_server_client_config *cfg, const char *cert_pem,
                     const char *key_pem, struct ae_server_conn **ret)
{
        struct ae_server_conn *c;
        struct ae_grpc_tls_client tls;
        int r;

        ENSURE(cfg && cfg->address && cfg->trust_domain && cfg->bundle_pem && ret, -EINVAL);
        c = calloc(1, sizeof(*c));
        ENSURE_ALLOC(c);
        c->cfg = *cfg;
        if (!c->cfg.timeout_ms)
                c->cfg.timeout_ms = TIMEOUT_DEFAULT_MS;
        snprintf(c->server_id, sizeof(c->server_id), "spiffe://%s/spire/server",
                 cfg->trust_domain);
        tls = (struct ae_grpc_tls_client){ .ca_pem = cfg->bundle_pem,
                                           .cert_chain_pem = cert_pem,
                                           .key_pem = key_pem,
                                           .server_name = cfg->server_name,
                                           .verify_peer = check_server,
                                           .verify_userdata = c };
        r = ae_grpc_client_new_tls(cfg->address, &tls, NULL, &c->grpc);
        if (r < 0) {
                free(c);
                return r;
        }
        *ret = c;
        return 0;
}

int ae_server_conn_new(const struct ae_server_client_config *cfg,
                       const struct ae_agent_identity *id, struct ae_server_conn **ret)
{
        ENSURE(id && id->cert_pem && id->key_pem, -EINVAL);
        return conn_open(cfg, id->cert_pem, id->key_pem, ret);
}

void ae_server_conn_free(struct ae_server_conn *c)
{
        if (!c)
                return;
        ae_grpc_client_free(c->grpc);
        free(c);
}

static struct ae_grpc_call_opts opts(const struct ae_server_conn *c)
{
        return (struct ae_grpc_call_opts){ .timeout_ms = c->cfg.timeout_ms };
}

/* The server takes only the key from the request. */
int ae_server_make_csr(EVP_PKEY *key, uint8_t **ret, size_t *ret_len)
{
        X509_REQ *req = NULL;
        unsigned char *der = NULL;
        int n = -1;

        ENSURE(key && ret && ret_len, -EINVAL);
        req = X509_REQ_new();
        if (req && X509_REQ_set_pubkey(req, key) == 1 && X509_REQ_sign(req, key, EVP_sha256()) > 0)
                n = i2d_X509_REQ(req, &der);
        X509_REQ_free(req);
        ENSURE(n > 0, -ENOMEM);
        *ret = der;
        *ret_len = (size_t)n;
        return 0;
}

/* The identity an X509SVID message and our key make. The leaf must be an
 * agent SVID of our trust domain for our key. */
static int identity_from(const struct ae_server_conn *c,
                         const Spire__Api__Types__X509SVID *svid, EVP_PKEY *key,
                         struct ae_agent_identity *ret)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = sk_X509_new_null();
        struct ae_agent_identity id = { 0 };
        struct ae_spiffe_id sid;
        enum ae_rp_reason why;
        size_t len;
        struct tm tm;
        X509 *leaf;
        int r;

        ENSURE(svid && svid->n_cert_chain > 0 && svid->n_cert_chain <= 10, -EBADMSG);
        ENSURE_ALLOC(chain);
        for (size_t i = 0; i < svid->n_cert_chain; i++) {
                const unsigned char *p = svid->cert_chain[i].data;
                X509 *x = d2i_X509(NULL, &p, (long)svid->cert_chain[i].len);

                ENSURE(x, -EBADMSG);
                if (!sk_X509_push(chain, x)) {
                        X509_free(x);
                        return -ENOMEM;
                }
        }
        leaf = sk_X509_value(chain, 0);
        ENSURE(X509_check_private_key(leaf, key) == 1, -EBADMSG);
        ENSURE(ae_rp_leaf_check(leaf, &sid, &why, NULL) == 0, -EBADMSG);
        ENSURE(strcmp(sid.trust_domain, c->cfg.trust_domain) == 0, -EBADMSG);
        ENSURE(strncmp(sid.path, "/spire/agent/", 13) == 0, -EBADMSG);
        GUARD(ae_spiffe_id_format(&sid, id.spiffe_id, sizeof(id.spiffe_id), NULL));
        ENSURE(ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1, -EBADMSG);
        id.expires_at = (int64_t)timegm(&tm);
        ENSURE(ASN1_TIME_to_tm(X509_get0_notBefore(leaf), &tm) == 1, -EBADMSG);
        id.issued_at = (int64_t)timegm(&tm);
        r = ae_ca_pem_write_certs(chain, &id.cert_pem, &len);
        if (r == 0)
                r = ae_ca_pem_write_key(key, &id.key_pem, &len);
        if (r < 0) {
                ae_agent_identity_clear(&id);
                return r;
        }
        *ret = id;
        return 0;
}

/* ---- AttestAgent ---- */

static int send_params(struct ae_grpc_client_stream *s, const uint8_t *payload, size_t len,
                       const uint8_t *csr, size_t csr_len)
{
        Spire__Api__Server__Agent__V1__AttestAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__INIT;
        Spire__Api__Server__Agent__V1__AttestAgentRequest__Params params =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__PARAMS__INIT;
        Spire__Api__Types__AttestationData data = SPIRE__API__TYPES__ATTESTATION_DATA__INIT;
        Spire__Api__Server__Agent__V1__AgentX509SVIDParams svid =
                SPIRE__API__SERVER__AGENT__V1__AGENT_X509_SVIDPARAMS__INIT;

        data.type = (char *)AE_NODE_ATTESTOR_TYPE;
        data.payload = (ProtobufCBinaryData){ len, (uint8_t *)payload };
        svid.csr = (ProtobufCBinaryData){ csr_len, (uint8_t *)csr };
        params.data = &data;
        params.params = &svid;
        req.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_PARAMS;
        req.params = &params;
        return ae_grpc_client_stream_send(s, &req.base);
}

static int send_response(struct ae_grpc_client_stream *s, const uint8_t *resp, size_t len)
{
        Spire__Api__Server__Agent__V1__AttestAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__INIT;

        req.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_CHALLENGE_RESPONSE;
        req.challenge_response = (ProtobufCBinaryData){ len, (uint8_t *)resp };
        return ae_grpc_client_stream_send(s, &req.base);
}

/* The next answer of the stream, which must be step want. */
static int read_step(struct ae_grpc_client_stream *s, int want,
                     Spire__Api__Server__Agent__V1__AttestAgentResponse **ret,
                     struct ae_grpc_status *st)
{
        ProtobufCMessage *m = NULL;
        int r = ae_grpc_client_stream_read(s, &spire__api__server__agent__v1__attest_agent_response__descriptor,
                                           &m, st);

        if (r == -ENODATA)
                return -EBADMSG; /* finished OK without the step */
        if (r < 0)
                return r == -EREMOTEIO && st && st->code == GRPC_STATUS_PERMISSION_DENIED ? -EACCES
                                                                                      : r;
        *ret = (Spire__Api__Server__Agent__V1__AttestAgentResponse *)m;
        if ((int)(*ret)->step_case != want) {
                protobuf_c_message_free_unpacked(m, NULL);
                return -EBADMSG;
        }
        return 0;
}

static int attest_on(struct ae_server_conn *c, struct ae_node_agent *tpm, const uint8_t *sensor,
                     size_t sensor_len, const uint8_t *claim, size_t claim_len, EVP_PKEY *key,
                     struct ae_agent_identity *ret, struct ae_grpc_status *st)
{
        _cleanup_(ae_grpc_client_stream_freep) struct ae_grpc_client_stream *s = NULL;
        Spire__Api__Server__Agent__V1__AttestAgentResponse *m = NULL;
        struct ae_grpc_call_opts o = opts(c);
        uint8_t *payload = NULL, *csr = NULL, *answer = NULL;
        size_t payload_len, csr_len, answer_len;
        int r;

        r = ae_server_make_csr(key, &csr, &csr_len);
        if (r == 0)
                r = ae_node_agent_payload(tpm, sensor, sensor_len, &payload, &payload_len);
        if (r == 0)
                r = ae_grpc_client_stream_open(c->grpc, AGENT "AttestAgent", &o, NULL, &s);
        if (r == 0)
                r = send_params(s, payload, payload_len, csr, csr_len);
        if (r == 0)
                r = read_step(s, SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__STEP_CHALLENGE,
                              &m, st);
        if (r == 0)
                r = ae_node_agent_respond(tpm, m->challenge.data, m->challenge.len, claim,
                                          claim_len, &answer, &answer_len);
        if (m)
                protobuf_c_message_free_unpacked(&m->base, NULL);
        m = NULL;
        if (r == 0)
                r = send_response(s, answer, answer_len);
        if (r == 0)
                r = read_step(s, SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__STEP_RESULT,
                              &m, st);
        if (r == 0)
                r = m->result ? identity_from(c, m->result->svid, key, ret) : -EBADMSG;
        if (m)
                protobuf_c_message_free_unpacked(&m->base, NULL);
        OPENSSL_free(csr);
        free(payload);
        free(answer);
        return r;
}

int ae_server_attest(const struct ae_server_client_config *cfg,
                     const struct ae_agent_identity *current, struct ae_node_agent *tpm,
                     const uint8_t *sensor, size_t sensor_len, const uint8_t *claim,
                     size_t claim_len, struct ae_agent_identity *ret, struct ae_grpc_status *st)
{
        _cleanup_(ae_server_conn_freep) struct ae_server_conn *c = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        ENSURE(tpm && ret, -EINVAL);
        GUARD(conn_open(cfg, current ? current->cert_pem : NULL, current ? current->key_pem : NULL,
                        &c));
        GUARD(ae_svid_key_generate(AE_CA_KEY_P256, &key));
        return attest_on(c, tpm, sensor, sensor_len, claim, claim_len, key, ret, st);
}

/* ---- with an identity ---- */

int ae_server_conn_renew(struct ae_server_conn *c, struct ae_agent_identity *ret,
                         struct ae_grpc_status *st)
{
        Spire__Api__Server__Agent__V1__RenewAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__RENEW_AGENT_REQUEST__INIT;
        Spire__Api__Server__Agent__V1__AgentX509SVIDParams params =
                SPIRE__API__SERVER__AGENT__V1__AGENT_X509_SVIDPARAMS__INIT;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        struct ae_grpc_call_opts o = opts(c);
        ProtobufCMessage *m = NULL;
        uint8_t *csr = NULL;
        size_t csr_len;
        int r;

        ENSURE(c && ret, -EINVAL);
        GUARD(ae_svid_key_generate(AE_CA_KEY_P256, &key));
        GUARD(ae_server_make_csr(key, &csr, &csr_len));
        params.csr = (ProtobufCBinaryData){ csr_len, csr };
        req.params = &params;
        r = ae_grpc_client_unary(c->grpc, AGENT "RenewAgent", &o, &req.base,
                                 &spire__api__server__agent__v1__renew_agent_response__descriptor,
                                 &m, st);
        OPENSSL_free(csr);
        if (r < 0)
                return r;
        r = identity_from(c, ((Spire__Api__Server__Agent__V1__RenewAgentResponse *)m)->svid, key,
                          ret);
        protobuf_c_message_free_unpacked(m, NULL);
        return r;
}

int ae_server_conn_entries(struct ae_server_conn *c, ProtobufCMessage **ret,
                           struct ae_grpc_status *st)
{
        Spire__Api__Server__Entry__V1__GetAuthorizedEntriesRequest req =
                SPIRE__API__SERVER__ENTRY__V1__GET_AUTHORIZED_ENTRIES_REQUEST__INIT;
        struct ae_grpc_call_opts o = opts(c);

        ENSURE(c && ret, -EINVAL);
        return ae_grpc_client_unary(
                c->grpc, ENTRY "GetAuthorizedEntries", &o, &req.base,
                &spire__api__server__entry__v1__get_authorized_entries_response__descriptor, ret,
                st);
}

int ae_server_conn_bundle(struct ae_server_conn *c, ProtobufCMessage **ret,
                          struct ae_grpc_status *st)
{
        Spire__Api__Server__Bundle__V1__GetBundleRequest req =
                SPIRE__API__SERVER__BUNDLE__V1__GET_BUNDLE_REQUEST__INIT;
        struct ae_grpc_call_opts o = opts(c);

        ENSURE(c && ret, -EINVAL);
        return ae_grpc_client_unary(c->grpc, BUNDLE "GetBundle", &o, &req.base,
                                    &spire__api__types__bundle__descriptor, ret, st);
}

/* The SVID's chain (DER, concatenated) and our key (PKCS#8 DER). */
static int material_from(const Spire__Api__Types__X509SVID *svid, EVP_PKEY *key,
                         struct ae_x509_svid_material *ret)
{
        struct ae_x509_svid_material m = { 0 };
        unsigned char *pk = NULL;
        size_t len = 0;
        int n;

        ENSURE(svid && svid->n_cert_chain > 0 && svid->id, -EBADMSG);
        for (size_t i = 0; i < svid->n_cert_chain; i++)
                len += svid->cert_chain[i].len;
        m.chain_der = malloc(len ? len : 1);
        ENSURE_ALLOC(m.chain_der);
        for (size_t i = 0; i < svid->n_cert_chain; i++) {
                memcpy(m.chain_der + m.chain_len, svid->cert_chain[i].data,
                       svid->cert_chain[i].len);
                m.chain_len += svid->cert_chain[i].len;
        }
        n = i2d_PrivateKey(key, &pk);
        if (n <= 0) {
                ae_x509_svid_material_clear(&m);
                return -ENOMEM;
        }
        m.key_der = malloc((size_t)n);
        if (!m.key_der) {
                OPENSSL_clear_free(pk, (size_t)n);
                ae_x509_svid_material_clear(&m);
                return -ENOMEM;
        }
        memcpy(m.key_der, pk, (size_t)n);
        m.key_len = (size_t)n;
        OPENSSL_clear_free(pk, (size_t)n);
        snprintf(m.spiffe_id, sizeof(m.spiffe_id), "spiffe://%s%s",
                 svid->id->trust_domain ? svid->id->trust_domain : "",
                 svid->id->path ? svid->id->path : "");
        m.not_after = svid->expires_at;
        *ret = m;
        return 0;
}

int ae_server_conn_x509_batch(struct ae_server_conn *c, const struct ae_server_csr *params,
                              size_t n, ProtobufCMessage **ret, struct ae_grpc_status *st)
{
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDRequest req =
                SPIRE__API__SERVER__SVID__V1__BATCH_NEW_X509_SVIDREQUEST__INIT;
        _cleanup_free_ Spire__Api__Server__Svid__V1__NewX509SVIDParams *p = NULL;
        _cleanup_free_ Spire__Api__Server__Svid__V1__NewX509SVIDParams **pp = NULL;
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *resp;
        struct ae_grpc_call_opts o;
        ProtobufCMessage *m = NULL;
        bool whole;

        ENSURE(c && params && n > 0 && n <= AE_SERVER_BATCH_MAX && ret, -EINVAL);
        p = calloc(n, sizeof(*p));
        pp = calloc(n, sizeof(*pp));
        ENSURE(p && pp, -ENOMEM);
        for (size_t i = 0; i < n; i++) {
                ENSURE(params[i].entry_id && params[i].csr && params[i].csr_len, -EINVAL);
                spire__api__server__svid__v1__new_x509_svidparams__init(&p[i]);
                p[i].entry_id = (char *)params[i].entry_id;
                p[i].csr = (ProtobufCBinaryData){ params[i].csr_len, (uint8_t *)params[i].csr };
                pp[i] = &p[i];
        }
        req.n_params = n;
        req.params = pp;
        o = opts(c);
        GUARD(ae_grpc_client_unary(c->grpc, SVID "BatchNewX509SVID", &o, &req.base,
                                   &spire__api__server__svid__v1__batch_new_x509_svidresponse__descriptor,
                                   &m, st));
        resp = (Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *)m;
        whole = resp->n_results == n;
        for (size_t i = 0; whole && i < n; i++)
                whole = resp->results[i] && resp->results[i]->status;
        if (!whole) {
                protobuf_c_message_free_unpacked(m, NULL);
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

/* The i-th result of a batch: its SVID, or -EREMOTEIO with the server's
 * reason in st (when st has none yet). */
static int batch_result(const Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse__Result *res,
                        EVP_PKEY *key, struct ae_x509_svid_material *ret,
                        struct ae_grpc_status *st)
{
        if (res->status->code == GRPC_STATUS_OK)
                return material_from(res->svid, key, ret);
        if (st && st->code == GRPC_STATUS_OK) {
                st->code = (grpc_status_code)res->status->code;
                snprintf(st->message, sizeof(st->message), "%s",
                         res->status->message ? res->status->message : "");
        }
        return -EREMOTEIO;
}

int ae_server_conn_x509_svids(struct ae_server_conn *c, const char *const *entry_ids,
                              EVP_PKEY *const *keys, size_t n, struct ae_x509_svid_material *ret,
                              int *ret_r, struct ae_grpc_status *st)
{
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *resp;
        _cleanup_free_ struct ae_server_csr *p = NULL;
        ProtobufCMessage *m = NULL;
        int r = 0;

        ENSURE(c && entry_ids && keys && n > 0 && n <= AE_SERVER_BATCH_MAX && ret && ret_r,
               -EINVAL);
        p = calloc(n, sizeof(*p));
        ENSURE_ALLOC(p);
        for (size_t i = 0; i < n && r == 0; i++) {
                p[i].entry_id = entry_ids[i];
                r = ae_server_make_csr(keys[i], (uint8_t **)&p[i].csr, &p[i].csr_len);
        }
        if (r == 0)
                r = ae_server_conn_x509_batch(c, p, n, &m, st);
        for (size_t i = 0; i < n; i++)
                OPENSSL_free((uint8_t *)p[i].csr);
        GUARD(r);
        resp = (Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *)m;
        for (size_t i = 0; i < n; i++)
                ret_r[i] = batch_result(resp->results[i], keys[i], &ret[i], st);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int ae_server_conn_x509_svid(struct ae_server_conn *c, const char *entry_id, EVP_PKEY *key,
                             struct ae_x509_svid_material *ret, struct ae_grpc_status *st)
{
        int item;

        ENSURE(c && entry_id && key && ret, -EINVAL);
        GUARD(ae_server_conn_x509_svids(c, &entry_id, &key, 1, ret, &item, st));
        return item;
}

int ae_server_conn_jwt_svid(struct ae_server_conn *c, const char *entry_id,
                            const char *const *aud, size_t n_aud, char **ret_token,
                            int64_t *ret_expires_at, struct ae_grpc_status *st)
{
        Spire__Api__Server__Svid__V1__NewJWTSVIDRequest req =
                SPIRE__API__SERVER__SVID__V1__NEW_JWTSVIDREQUEST__INIT;
        Spire__Api__Server__Svid__V1__NewJWTSVIDResponse *resp;
        struct ae_grpc_call_opts o = opts(c);
        ProtobufCMessage *m = NULL;
        int r;

        ENSURE(c && entry_id && ret_token && ret_expires_at, -EINVAL);
        req.entry_id = (char *)entry_id;
        req.n_audience = n_aud;
        req.audience = (char **)aud;
        r = ae_grpc_client_unary(c->grpc, SVID "NewJWTSVID", &o, &req.base,
                                 &spire__api__server__svid__v1__new_jwtsvidresponse__descriptor,
                                 &m, st);
        if (r < 0)
                return r;
        resp = (Spire__Api__Server__Svid__V1__NewJWTSVIDResponse *)m;
        if (!resp->svid || !resp->svid->token || !resp->svid->token[0]) {
                r = -EBADMSG;
        } else {
                *ret_token = strdup(resp->svid->token);
                *ret_expires_at = resp->svid->expires_at;
                r = *ret_token ? 0 : -ENOMEM;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        return r;
}
