/* spire.api.server.svid.v1.SVID: BatchNewX509SVID and NewJWTSVID, the
 * workload SVIDs an agent asks for on behalf of its workloads.
 *
 * Each request names a registration entry; the server signs only for
 * entries authorised for the calling agent's node right now (authorized.h)
 * and only while that node's latest attestation passed and is fresh
 * (ae_server_caller_node). The SVID carries the entry's SPIFFE ID and, when
 * the entry names the code (aegis_exe:sha256:<hex>), the attestation
 * claims: grc.workload from the entry, grc.tpm-attestation and
 * grc.geolocation from the node's latest accepted attestation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "control-plane/server/authorized.h"
#include "control-plane/server/node_claims.h"
#include "control-plane/server/server_internal.h"
#include "control-plane/server/svid_msg.h"
#include "policy/policy.h"
#include "spire/api/server/svid/v1/svid.pb-c.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/csr.h"
#include "svid-issuer/jwt_svid.h"
#include "svid-issuer/x509_svid.h"

#define SVID_SERVICE "/spire.api.server.svid.v1.SVID/"

/* SVIDs one BatchNewX509SVID call may ask for. */
#define BATCH_MAX 256

/* What one entry's SVID needs: the entry (authorised for node) and its
 * claims (has_claims false when the entry names no code). */
struct signing {
        struct ae_ds_entry entry;
        struct ae_claims claims;
        bool has_claims;
};

/* gRPC code and text for why entry_id may not be signed for node. */
static grpc_status_code prepare(struct ae_server *s, const struct ae_ds_node *node,
                                const char *entry_id, struct signing *ret, const char **why)
{
        const char *code_hash;
        int r;

        *why = "entry_id required";
        if (!entry_id || !entry_id[0])
                return GRPC_STATUS_INVALID_ARGUMENT;
        r = ae_server_authorized_entry(s->ds, node, s->server_id, entry_id, &ret->entry);
        *why = "datastore unavailable";
        if (r < 0)
                return GRPC_STATUS_UNAVAILABLE;
        *why = "entry not authorised for this agent";
        if (r == 0)
                return GRPC_STATUS_NOT_FOUND;
        code_hash = ae_server_entry_code_hash(&ret->entry);
        ret->has_claims = code_hash != NULL;
        *why = "node's attestation cannot be expressed as claims";
        if (code_hash && ae_server_node_claims(node, ret->entry.spiffe_id, code_hash,
                                               s->policy->digest, &ret->claims) < 0)
                return GRPC_STATUS_INTERNAL;
        *why = "";
        return GRPC_STATUS_OK;
}

static grpc_status_code mint_x509(struct ae_server *s, const struct signing *sg,
                                  const ProtobufCBinaryData *csr, time_t now,
                                  struct ae_svid_msg *ret, const char **why)
{
        const char *dns[AE_DS_DNS_NAMES_MAX];
        enum ae_csr_reason csr_why;
        enum ae_svid_reason svid_why;
        EVP_PKEY *key = NULL;
        X509 *leaf = NULL;
        int r;

        if (ae_csr_public_key(csr->data, csr->len, &key, &csr_why) < 0) {
                *why = ae_csr_reason_str(csr_why);
                return GRPC_STATUS_INVALID_ARGUMENT;
        }
        for (size_t i = 0; i < sg->entry.n_dns_names; i++)
                dns[i] = sg->entry.dns_names[i];
        r = ae_x509_svid_mint(s->ca,
                              &(struct ae_x509_svid_request){
                                      .spiffe_id = sg->entry.spiffe_id,
                                      .public_key = key,
                                      .ttl_s = sg->entry.x509_svid_ttl ? sg->entry.x509_svid_ttl
                                                                       : s->cfg.x509_svid_ttl_s,
                                      .claims = sg->has_claims ? &sg->claims : NULL,
                                      .dns_names = dns,
                                      .n_dns_names = sg->entry.n_dns_names },
                              now, &leaf, &svid_why);
        EVP_PKEY_free(key);
        if (r < 0) {
                *why = ae_svid_reason_str(svid_why);
                return GRPC_STATUS_INTERNAL;
        }
        r = ae_svid_msg_fill(ret, leaf, s->ca, sg->entry.spiffe_id);
        X509_free(leaf);
        *why = "SVID not encoded";
        return r < 0 ? GRPC_STATUS_INTERNAL : GRPC_STATUS_OK;
}

/* One result of a batch: the SVID, or the status saying why not. */
struct batch_result {
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse__Result result;
        Spire__Api__Types__Status status;
        struct ae_svid_msg svid;
        char message[160];
};

static void sign_one(struct ae_server *s, const struct ae_ds_node *node,
                     const Spire__Api__Server__Svid__V1__NewX509SVIDParams *p, time_t now,
                     struct signing *sg, struct batch_result *out)
{
        grpc_status_code code;
        const char *why;

        spire__api__server__svid__v1__batch_new_x509_svidresponse__result__init(&out->result);
        spire__api__types__status__init(&out->status);
        out->result.status = &out->status;
        code = p ? prepare(s, node, p->entry_id, sg, &why) : GRPC_STATUS_INVALID_ARGUMENT;
        if (!p)
                why = "params missing";
        if (code == GRPC_STATUS_OK)
                code = mint_x509(s, sg, &p->csr, now, &out->svid, &why);
        out->status.code = (int32_t)code;
        snprintf(out->message, sizeof(out->message), "%s", code == GRPC_STATUS_OK ? "" : why);
        out->status.message = out->message;
        if (code == GRPC_STATUS_OK) {
                out->result.svid = &out->svid.svid;
                return;
        }
        ae_log_fields(AE_LOG_WARNING,
                      AE_LOG_KV({ "agent", node->spiffe_id },
                                { "entry", p && p->entry_id ? p->entry_id : "" }),
                      "X509-SVID refused: %s", why);
}

static void run_batch(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req)
{
        const Spire__Api__Server__Svid__V1__BatchNewX509SVIDRequest *m = (const void *)req;
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse resp =
                SPIRE__API__SERVER__SVID__V1__BATCH_NEW_X509_SVIDRESPONSE__INIT;
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse__Result **ptrs = NULL;
        struct batch_result *results = NULL;
        struct ae_ds_node *node = NULL;
        struct signing *sg = NULL;
        time_t now = time(NULL);
        int r;

        if (m->n_params > BATCH_MAX) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, "more than 256 params");
                return;
        }
        node = malloc(sizeof(*node));
        sg = malloc(sizeof(*sg));
        results = calloc(m->n_params ? m->n_params : 1, sizeof(*results));
        ptrs = calloc(m->n_params ? m->n_params : 1, sizeof(*ptrs));
        if (!node || !sg || !results || !ptrs) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                goto out;
        }
        if (ae_server_caller_node(s, call, now, node) < 0)
                goto out;
        for (size_t i = 0; i < m->n_params; i++) {
                sign_one(s, node, m->params[i], now, sg, &results[i]);
                ptrs[i] = &results[i].result;
        }
        resp.n_results = m->n_params;
        resp.results = ptrs;
        r = ae_grpc_call_reply(call, &resp.base);
        if (r < 0 && r != -EPIPE)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "SVIDs not sent");
out:
        for (size_t i = 0; results && i < m->n_params; i++)
                ae_svid_msg_clear(&results[i].svid);
        free(results);
        free(ptrs);
        free(sg);
        free(node);
}

static void run_jwt(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req)
{
        const Spire__Api__Server__Svid__V1__NewJWTSVIDRequest *m = (const void *)req;
        Spire__Api__Server__Svid__V1__NewJWTSVIDResponse resp =
                SPIRE__API__SERVER__SVID__V1__NEW_JWTSVIDRESPONSE__INIT;
        Spire__Api__Types__JWTSVID jwt = SPIRE__API__TYPES__JWTSVID__INIT;
        Spire__Api__Types__SPIFFEID id = SPIRE__API__TYPES__SPIFFEID__INIT;
        struct ae_ds_node *node = malloc(sizeof(*node));
        struct signing *sg = malloc(sizeof(*sg));
        struct ae_spiffe_id parts;
        enum ae_jwt_reason jwt_why;
        grpc_status_code code;
        time_t now = time(NULL);
        char *token = NULL;
        const char *why;
        int64_t ttl;

        if (!node || !sg) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                goto out;
        }
        if (ae_server_caller_node(s, call, now, node) < 0)
                goto out;
        code = prepare(s, node, m->entry_id, sg, &why);
        if (code != GRPC_STATUS_OK) {
                ae_server_finish(call, code, why);
                goto out;
        }
        ttl = sg->entry.jwt_svid_ttl ? sg->entry.jwt_svid_ttl : s->cfg.jwt_svid_ttl_s;
        if (ae_jwt_svid_mint(&(struct ae_jwt_signer){ .key = ae_ca_key(s->ca),
                                                      .kid = s->jwt_kid,
                                                      .trust_domain = ae_ca_trust_domain(s->ca) },
                             &(struct ae_jwt_svid_params){
                                     .spiffe_id = sg->entry.spiffe_id,
                                     .aud = (const char *const *)m->audience,
                                     .n_aud = m->n_audience,
                                     .ttl_s = ttl,
                                     .claims = sg->has_claims ? &sg->claims : NULL },
                             now, &token, &jwt_why) < 0) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, ae_jwt_reason_str(jwt_why));
                goto out;
        }
        if (ae_spiffe_id_parse(sg->entry.spiffe_id, strlen(sg->entry.spiffe_id), &parts, NULL) <
            0) {
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "entry SPIFFE ID unparsable");
                goto out;
        }
        id.trust_domain = parts.trust_domain;
        id.path = parts.path;
        jwt.token = token;
        jwt.id = &id;
        jwt.issued_at = now;
        jwt.expires_at = now + ttl;
        resp.svid = &jwt;
        if (ae_grpc_call_reply(call, &resp.base) < 0)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "JWT-SVID not sent");
out:
        free(token);
        free(sg);
        free(node);
}

static void batch_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        ae_server_unary(call, req, ud, run_batch);
}

static void jwt_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        ae_server_unary(call, req, ud, run_jwt);
}

int ae_server_add_svid_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method methods[] = {
                { .path = SVID_SERVICE "BatchNewX509SVID",
                  .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__svid__v1__batch_new_x509_svidrequest__descriptor,
                  .on_start = batch_start,
                  .userdata = s },
                { .path = SVID_SERVICE "NewJWTSVID",
                  .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__svid__v1__new_jwtsvidrequest__descriptor,
                  .on_start = jwt_start,
                  .userdata = s },
        };

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
                GUARD(ae_grpc_server_add_method(g, &methods[i]));
        return 0;
}
