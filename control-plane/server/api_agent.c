/* spire.api.server.agent.v1.Agent: AttestAgent and RenewAgent.
 *
 * AttestAgent is one round trip of the aegis_tpm node attestor
 * (DESIGN.md section 2) carried in SPIRE's stream:
 *   agent  params {data {type "aegis_tpm", payload}, params {csr}}
 *   server challenge                       (ae_node_challenge)
 *   agent  challenge_response
 *   server result {svid, reattestable}     (ae_node_verify, then the
 *                                           datastore, then the agent SVID)
 * Each step runs on a worker. Every attempt is audited, accepted or not,
 * with the verifier's reason; a refused attempt changes nothing about the
 * node, except that a known node whose TPM answered (the credential was
 * activated) and failed a later check is marked as failing. An answer that
 * does not activate the credential proves nothing about the node it names,
 * so it changes nothing. A banned node is refused after it has proved
 * itself, so the ban is not told to whoever merely names its EK. The CSR
 * is checked before the challenge, and the node's row and its new SVID's
 * serial are written together, so a refused attempt never supersedes the
 * node's current SVID. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/hex.h"
#include "common/log.h"
#include "control-plane/server/node_record.h"
#include "control-plane/server/server_internal.h"
#include "control-plane/server/svid_msg.h"
#include "node-attestor/verify/node_verifier.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/csr.h"
#include "svid-issuer/x509_svid.h"

#define AGENT_SERVICE "/spire.api.server.agent.v1.Agent/"

/* An agent SVID for node_id and the key of a CSR, its serial in serial;
 * nothing stored. */
static int mint_svid(struct ae_server *s, const char *node_id, const uint8_t *csr,
                     size_t csr_len, time_t now, struct ae_svid_msg *ret,
                     char serial[AE_DS_SVID_SERIAL_MAX + 1], const char **ret_why)
{
        enum ae_csr_reason csr_why;
        enum ae_svid_reason why;
        EVP_PKEY *key = NULL;
        X509 *leaf = NULL;
        int r;

        r = ae_csr_public_key(csr, csr_len, &key, &csr_why);
        if (r < 0) {
                *ret_why = ae_csr_reason_str(csr_why);
                return r;
        }
        r = ae_x509_svid_mint(s->ca,
                              &(struct ae_x509_svid_request){ .spiffe_id = node_id,
                                                              .public_key = key,
                                                              .ttl_s = s->cfg.agent_svid_ttl_s },
                              now, &leaf, &why);
        EVP_PKEY_free(key);
        if (r < 0) {
                *ret_why = ae_svid_reason_str(why);
                return r;
        }
        *ret_why = "internal error";
        r = ae_svid_msg_fill(ret, leaf, s->ca, node_id);
        if (r == 0) {
                r = ae_svid_serial_hex(leaf, serial, AE_DS_SVID_SERIAL_MAX + 1);
                if (r < 0)
                        ae_svid_msg_clear(ret);
        }
        X509_free(leaf);
        return r;
}

int ae_server_mint_agent_svid(struct ae_server *s, const char *node_id, const uint8_t *csr,
                              size_t csr_len, time_t now, struct ae_svid_msg *ret,
                              const char **ret_why)
{
        char serial[AE_DS_SVID_SERIAL_MAX + 1];
        int r;

        GUARD(mint_svid(s, node_id, csr, csr_len, now, ret, serial, ret_why));
        r = ae_ds_node_set_svid(s->ds, node_id, serial, ret->svid.expires_at);
        if (r < 0) {
                *ret_why = "datastore unavailable";
                ae_svid_msg_clear(ret);
        }
        return r;
}

/* ---- AttestAgent ------------------------------------------------------ */

enum step { WANT_PARAMS, CHALLENGED, DONE };

struct attest {
        atomic_uint refs; /* the call's, and one per job in flight */
        struct ae_server *srv;
        struct ae_grpc_call *call;
        pthread_mutex_t lock;
        enum step step;
        bool busy; /* a job in flight: the agent must wait for our answer */
        /* Copied from the agent's messages for the worker. */
        uint8_t *payload, *csr, *response;
        size_t payload_len, csr_len, response_len;
        struct ae_node_pending *pending;
        uint8_t ek_id[32];
};

static void attest_unref(struct attest *a)
{
        if (atomic_fetch_sub(&a->refs, 1) != 1)
                return;
        ae_node_pending_free(a->pending);
        free(a->payload);
        free(a->csr);
        free(a->response);
        pthread_mutex_destroy(&a->lock);
        ae_grpc_call_unref(a->call);
        free(a);
}

static void audit(struct ae_server *s, time_t now, const char *agent_id, const uint8_t *ek_id,
                  bool accepted, const char *reason, const char *detail)
{
        struct ae_ds_audit rec = { .time = now, .kind = AE_DS_AUDIT_ATTESTATION,
                                   .accepted = accepted };

        if (agent_id)
                snprintf(rec.agent_id, sizeof(rec.agent_id), "%s", agent_id);
        if (ek_id) {
                rec.has_ek_id = true;
                memcpy(rec.ek_id, ek_id, sizeof(rec.ek_id));
        }
        snprintf(rec.reason, sizeof(rec.reason), "%s", reason);
        snprintf(rec.detail, sizeof(rec.detail), "%s", detail);
        if (ae_ds_audit_append(s->ds, &rec, NULL) < 0)
                ae_log(AE_LOG_ERROR, "audit log: %s", ae_ds_errmsg());
}

/* A refused attestation: audited, logged, and the stream ended. */
static void refuse(struct attest *a, time_t now, const char *agent_id, const uint8_t *ek_id,
                   grpc_status_code code, const char *reason, const char *text)
{
        char msg[AE_GRPC_STATUS_MESSAGE_MAX + 1];

        pthread_mutex_lock(&a->lock);
        a->step = DONE;
        pthread_mutex_unlock(&a->lock);

        audit(a->srv, now, agent_id, ek_id, false, reason, text);
        ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "agent", agent_id }, { "reason", reason }),
                      "attestation refused: %s", text);
        snprintf(msg, sizeof(msg), "attestation refused: %s (%s)", text, reason);
        ae_server_finish(a->call, code, msg);
}

static void send_challenge(struct attest *a, const uint8_t *challenge, size_t len)
{
        Spire__Api__Server__Agent__V1__AttestAgentResponse resp =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__INIT;
        int r;

        resp.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__STEP_CHALLENGE;
        resp.challenge = (ProtobufCBinaryData){ .len = len, .data = (uint8_t *)challenge };
        r = ae_grpc_call_send(a->call, &resp.base);
        if (r < 0 && r != -EPIPE)
                ae_server_finish(a->call, GRPC_STATUS_INTERNAL, "challenge not sent");
}

static void run_params(void *arg)
{
        struct attest *a = arg;
        enum ae_attest_reason reason = AE_ATTEST_OK;
        uint8_t *challenge = NULL;
        size_t challenge_len = 0;
        time_t now = time(NULL);
        enum ae_csr_reason csr_why;
        EVP_PKEY *key = NULL;
        int r;

        /* The CSR first: a request that could never get its SVID is
         * refused before the TPM does any work for it. */
        if (ae_csr_public_key(a->csr, a->csr_len, &key, &csr_why) < 0) {
                refuse(a, now, NULL, NULL, GRPC_STATUS_INVALID_ARGUMENT,
                       ae_csr_reason_id(csr_why), ae_csr_reason_str(csr_why));
                attest_unref(a);
                return;
        }
        EVP_PKEY_free(key);
        r = ae_node_challenge(a->srv->verifier, a->payload, a->payload_len, now, &challenge,
                              &challenge_len, &a->pending, &reason);
        if (r < 0) {
                refuse(a, now, NULL, NULL, GRPC_STATUS_INTERNAL, "internal", strerror(-r));
        } else if (reason != AE_ATTEST_OK) {
                refuse(a, now, NULL, NULL, GRPC_STATUS_PERMISSION_DENIED,
                       ae_attest_reason_id(reason), ae_attest_reason_str(reason));
        } else {
                bool live;

                ae_node_pending_ek_id(a->pending, a->ek_id);
                pthread_mutex_lock(&a->lock);
                /* Unless the stream was ended meanwhile (protocol_error). */
                live = a->step == WANT_PARAMS;
                if (live) {
                        a->step = CHALLENGED;
                        a->busy = false;
                }
                pthread_mutex_unlock(&a->lock);
                if (live)
                        send_challenge(a, challenge, challenge_len);
        }
        free(challenge);
        attest_unref(a);
}

/* The zones the node was found in, comma-separated ("" for none). */
static void zone_list(const struct ae_node_result *res, char *buf, size_t cap)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < res->n_zones && n < cap; i++)
                n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", res->zones[i]);
}

static void accept_node(struct attest *a, const struct ae_node_result *res, time_t now)
{
        Spire__Api__Server__Agent__V1__AttestAgentResponse resp =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__INIT;
        Spire__Api__Server__Agent__V1__AttestAgentResponse__Result result =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__RESULT__INIT;
        struct ae_ds_node *rec = malloc(sizeof(*rec));
        char serial[AE_DS_SVID_SERIAL_MAX + 1];
        struct ae_svid_msg svid;
        char detail[96], zones[AE_LOCATION_ZONES_MAX * 66];
        const char *why;
        int r;

        if (!rec) {
                ae_server_finish(a->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        /* The SVID first, then the node and the SVID's serial in one
         * write: nothing is stored for a node that gets no SVID. */
        r = mint_svid(a->srv, res->spiffe_id, a->csr, a->csr_len, now, &svid, serial, &why);
        if (r < 0) {
                free(rec);
                refuse(a, now, res->spiffe_id, res->ek_id, GRPC_STATUS_INTERNAL, "agent_svid",
                       why);
                return;
        }
        r = ae_server_node_record(res, rec);
        if (r == 0) {
                memcpy(rec->svid_serial, serial, sizeof(serial));
                rec->svid_expires_at = svid.svid.expires_at;
                r = ae_ds_node_upsert(a->srv->ds, rec);
        }
        free(rec);
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "datastore: node %s: %s", res->spiffe_id, ae_ds_errmsg());
                ae_server_finish(a->call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
                ae_svid_msg_clear(&svid);
                return;
        }
        snprintf(detail, sizeof(detail), "level=%s pcr_policy=%s zones=%zu",
                 res->level == AE_LEVEL_POG ? "pog" : "por", res->pcr_policy, res->n_zones);
        audit(a->srv, now, res->spiffe_id, res->ek_id, true, "", detail);
        zone_list(res, zones, sizeof(zones));
        ae_log_fields(AE_LOG_INFO,
                      AE_LOG_KV({ "agent", res->spiffe_id },
                                { "level", res->level == AE_LEVEL_POG ? "pog" : "por" },
                                { "pcr_policy", res->pcr_policy }, { "zones", zones }),
                      "node attested");
        result.svid = &svid.svid;
        result.reattestable = true;
        resp.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__STEP_RESULT;
        resp.result = &result;
        r = ae_grpc_call_send(a->call, &resp.base);
        ae_svid_msg_clear(&svid);
        if (r == 0)
                ae_server_finish(a->call, GRPC_STATUS_OK, NULL);
}

/* Whether a refusal came after the credential was activated, that is from
 * the TPM holding the node's EK (node_response.c checks the activated
 * secret first): only then does it say something about that node. A
 * malformed message may come from either side of that check, so it is
 * taken as not proven. */
static bool tpm_answered(enum ae_attest_reason reason)
{
        switch (reason) {
        case AE_ATTEST_MESSAGE_TOO_LARGE:
        case AE_ATTEST_MESSAGE_MALFORMED:
        case AE_ATTEST_VERSION_UNSUPPORTED:
        case AE_ATTEST_CHALLENGE_USED:
        case AE_ATTEST_CREDENTIAL_MISMATCH:
                return false;
        default:
                return true;
        }
}

static void run_response(void *arg)
{
        struct attest *a = arg;
        struct ae_node_result *res = calloc(1, sizeof(*res));
        struct ae_ds_node *known = malloc(sizeof(*known));
        enum ae_attest_reason reason = AE_ATTEST_OK;
        time_t now = time(NULL);
        bool have_known = false;
        int r = res && known ? 0 : -ENOMEM;

        if (r == 0) {
                r = ae_ds_node_get_by_ek(a->srv->ds, a->ek_id, known);
                have_known = r == 0;
                if (r == -ENOENT)
                        r = 0;
        }
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "datastore: %s", ae_ds_errmsg());
                ae_server_finish(a->call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
        } else {
                r = ae_node_verify(a->srv->verifier, a->pending, a->response, a->response_len,
                                   have_known ? &known->replay : NULL, now, res, &reason);
                if (r < 0) {
                        refuse(a, now, have_known ? known->spiffe_id : NULL, a->ek_id,
                               GRPC_STATUS_INTERNAL, "internal", strerror(-r));
                } else if (reason == AE_ATTEST_OK && have_known && known->banned) {
                        refuse(a, now, known->spiffe_id, a->ek_id, GRPC_STATUS_PERMISSION_DENIED,
                               "agent_banned", "agent banned");
                } else if (reason == AE_ATTEST_OK) {
                        accept_node(a, res, now);
                } else {
                        if (have_known && tpm_answered(reason) &&
                            ae_ds_node_record_failure(a->srv->ds, known->spiffe_id, now,
                                                      ae_attest_reason_id(reason)) < 0)
                                ae_log(AE_LOG_ERROR, "datastore: %s", ae_ds_errmsg());
                        refuse(a, now, have_known ? known->spiffe_id : NULL, a->ek_id,
                               GRPC_STATUS_PERMISSION_DENIED, ae_attest_reason_id(reason),
                               ae_attest_reason_str(reason));
                }
        }
        free(res);
        free(known);
        attest_unref(a);
}

static uint8_t *copy_bytes(const ProtobufCBinaryData *b)
{
        uint8_t *p = malloc(b->len ? b->len : 1);

        if (p && b->len)
                memcpy(p, b->data, b->len);
        return p;
}

static void attest_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        struct attest *a = calloc(1, sizeof(*a));

        (void)req;
        if (!a) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        atomic_init(&a->refs, 1);
        a->srv = ud;
        ae_grpc_call_ref(call);
        a->call = call;
        pthread_mutex_init(&a->lock, NULL);
        ae_grpc_call_set_data(call, a);
}

/* The stream ends here: the agent broke the protocol. */
static void protocol_error(struct attest *a, const char *text)
{
        a->step = DONE;
        ae_server_finish(a->call, GRPC_STATUS_INVALID_ARGUMENT, text);
}

/* Which message the agent may send now, and its bytes copied for the job;
 * NULL job when the call was finished here. Each refusal depends on what
 * the agent sent and what it was sent, never on how far a worker got: a
 * second params message is refused as such whether or not the challenge
 * is out yet. */
static void (*accept_message(struct attest *a,
                             const Spire__Api__Server__Agent__V1__AttestAgentRequest *m))(void *)
{
        const Spire__Api__Server__Agent__V1__AttestAgentRequest__Params *p = m->params;
        bool params = m->step_case ==
                      SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_PARAMS;

        if (a->step == WANT_PARAMS && !a->busy) {
                if (!params || !p || !p->data || !p->params) {
                        protocol_error(a, "first message must carry params with data and a CSR");
                        return NULL;
                }
                if (!p->data->type || strcmp(p->data->type, AE_NODE_ATTESTOR_TYPE) != 0) {
                        protocol_error(a, "attestation type not supported: use aegis_tpm");
                        return NULL;
                }
                a->payload = copy_bytes(&p->data->payload);
                a->payload_len = p->data->payload.len;
                a->csr = copy_bytes(&p->params->csr);
                a->csr_len = p->params->csr.len;
                if (!a->payload || !a->csr)
                        goto nomem;
                return run_params;
        }
        if (params) {
                protocol_error(a, "params may be sent only once, in the first message");
                return NULL;
        }
        if (a->busy || a->step == DONE) {
                protocol_error(a, "unexpected message: wait for the server's answer");
                return NULL;
        }
        if (m->step_case !=
            SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_CHALLENGE_RESPONSE) {
                protocol_error(a, "second message must be the challenge response");
                return NULL;
        }
        a->response = copy_bytes(&m->challenge_response);
        a->response_len = m->challenge_response.len;
        if (!a->response)
                goto nomem;
        a->step = DONE;
        return run_response;
nomem:
        ae_server_finish(a->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
}

static void attest_message(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        struct attest *a = ae_grpc_call_get_data(call);
        void (*job)(void *);

        (void)ud;
        if (!a)
                return;
        if (!req) {
                /* The agent half-closed (or the call is ending). With a job
                 * in flight the answer still comes; otherwise nothing more
                 * can arrive that the server waits for. */
                pthread_mutex_lock(&a->lock);
                if (!a->busy && a->step == WANT_PARAMS)
                        protocol_error(a, "stream closed before the params");
                else if (!a->busy && a->step == CHALLENGED)
                        protocol_error(a, "stream closed before the challenge response");
                pthread_mutex_unlock(&a->lock);
                return;
        }
        pthread_mutex_lock(&a->lock);
        job = accept_message(a, (const Spire__Api__Server__Agent__V1__AttestAgentRequest *)req);
        if (job) {
                a->busy = true;
                atomic_fetch_add(&a->refs, 1);
        }
        pthread_mutex_unlock(&a->lock);
        if (job && ae_server_defer(a->srv, call, job, a) < 0)
                attest_unref(a);
}

static void attest_done(struct ae_grpc_call *call, enum ae_grpc_end end, void *ud)
{
        struct attest *a = ae_grpc_call_get_data(call);

        (void)end;
        (void)ud;
        if (a)
                attest_unref(a);
}

/* ---- RenewAgent ------------------------------------------------------- */

static void run_renew(struct ae_server *s, struct ae_grpc_call *call,
                      const ProtobufCMessage *req)
{
        const Spire__Api__Server__Agent__V1__RenewAgentRequest *m = (const void *)req;
        Spire__Api__Server__Agent__V1__RenewAgentResponse resp =
                SPIRE__API__SERVER__AGENT__V1__RENEW_AGENT_RESPONSE__INIT;
        struct ae_ds_node *node = malloc(sizeof(*node));
        struct ae_svid_msg svid;
        time_t now = time(NULL);
        const char *why;

        if (!node) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        } else if (!m->params || m->params->csr.len == 0) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, "params with a CSR required");
        } else if (ae_server_caller_node(s, call, now, node) == 0) {
                if (ae_server_mint_agent_svid(s, node->spiffe_id, m->params->csr.data,
                                              m->params->csr.len, now, &svid, &why) < 0) {
                        ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, why);
                } else {
                        resp.svid = &svid.svid;
                        if (ae_grpc_call_reply(call, &resp.base) < 0)
                                ae_server_finish(call, GRPC_STATUS_INTERNAL, "reply failed");
                        ae_svid_msg_clear(&svid);
                        ae_log_fields(AE_LOG_INFO, AE_LOG_KV({ "agent", node->spiffe_id }),
                                      "agent SVID renewed");
                }
        }
        free(node);
}

static void renew_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        ae_server_unary(call, req, ud, run_renew);
}

int ae_server_add_agent_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method methods[] = {
                { .path = AGENT_SERVICE "AttestAgent",
                  .kind = AE_GRPC_BIDI_STREAMING,
                  .request = &spire__api__server__agent__v1__attest_agent_request__descriptor,
                  .on_start = attest_start,
                  .on_message = attest_message,
                  .on_done = attest_done,
                  .userdata = s },
                { .path = AGENT_SERVICE "RenewAgent",
                  .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__agent__v1__renew_agent_request__descriptor,
                  .on_start = renew_start,
                  .userdata = s },
        };

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
                GUARD(ae_grpc_server_add_method(g, &methods[i]));
        return 0;
}
