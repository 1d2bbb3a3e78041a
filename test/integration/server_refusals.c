/* server_refusals: requests to aegis-server built by hand, including the
 * malformed ones an agent never sends, for server_refusals.sh. It prints
 * what the server answered, exactly, and judges nothing: the script holds
 * the expected answers.
 *
 *   server_refusals attest ADDR BUNDLE STEP...
 *       AttestAgent without a client certificate, one step at a time:
 *         params            params with the TPM's payload ($AE_TPM_TCTI)
 *                           and a good CSR
 *         params-csr:KIND   the same with a CSR of KIND (below)
 *         params-type:T     params of attestation type T, a dummy payload
 *         params-nocsr      params with data but no AgentX509SVIDParams
 *         params-nodata     params with a CSR but no data
 *         empty             a message with no step set
 *         response          the TPM's answer to the last challenge read
 *         response-wrongsecret  that answer with one byte of the activated
 *                           secret changed (what a caller without the TPM
 *                           could send at best)
 *         response-garbage  a challenge response that is not one
 *         read              one message: "challenge" or "result <id>"
 *         close             half-close the sending side
 *       then reads to the end of the stream.
 *   server_refusals agent ADDR BUNDLE DIR CALL...  over mTLS as DIR's
 *       identity (agent.pem, agent.key):
 *         entries                    GetAuthorizedEntries: "OK <n> entries"
 *         renew                      RenewAgent: "OK <id>"
 *         jwt ENTRY                  NewJWTSVID: "OK <id>"
 *         x509 ENTRY KIND...         BatchNewX509SVID, a param per KIND:
 *                                    "OK" and one line per result
 *         x509-count ENTRY N         N params for ENTRY without a CSR
 *   server_refusals admin SOCKET CALL...  on the admin socket:
 *         ban TD PATH | ban-none     BanAgent (the second names no agent)
 *         list FILTER                ListEntries with one filter: spiffe_id,
 *                                    selectors, federates_with, hint,
 *                                    downstream, parent, parent-invalid
 *         create SPIFFE_ID PARENT TYPE VALUE   BatchCreateEntry, one entry
 *
 * CSR KINDs: good (P-256), garbage, badsig (a good one with its signature
 * altered), ed25519, rsa1024, trailing (a good one and a byte after it),
 * empty.
 *
 * A call that ends with a status prints "<CODE> <message>" (CODE the gRPC
 * name); a per-param result of a batch prints the same. Exit 0 when the
 * exchange took place, whatever the server said; 2 for a local failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/file.h"
#include "common/grpc_client.h"
#include "google/protobuf/empty.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/tpm/node_agent.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"
#include "spire/api/server/svid/v1/svid.pb-c.h"

#define AGENT "/spire.api.server.agent.v1.Agent/"
#define ENTRY "/spire.api.server.entry.v1.Entry/"
#define SVID "/spire.api.server.svid.v1.SVID/"
#define TIMEOUT_MS 20000
#define COUNT_MAX 4096

static const char *const code_names[] = {
        "OK",        "CANCELLED",         "UNKNOWN",           "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",    "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL",      "UNAVAILABLE",       "DATA_LOSS",
        "UNAUTHENTICATED",
};

static const struct ae_grpc_call_opts opts = { .timeout_ms = TIMEOUT_MS };

static void die(const char *what)
{
        fprintf(stderr, "server_refusals: %s\n", what);
        exit(2);
}

/* "<CODE> <message>", or "<CODE>" without one. */
static void print_status(int code, const char *message)
{
        const bool named = code >= 0 && (size_t)code < sizeof(code_names) / sizeof(code_names[0]);

        if (named)
                printf("%s", code_names[code]);
        else
                printf("CODE%d", code);
        printf("%s%s\n", message && *message ? " " : "", message ? message : "");
}

/* A unary call's outcome: 0 with *ret on OK; else the status printed. */
static int unary(struct ae_grpc_client *c, const char *method, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *type, ProtobufCMessage **ret)
{
        struct ae_grpc_status st = { 0 };
        int r = ae_grpc_client_unary(c, method, &opts, req, type, ret, &st);

        if (r == -EREMOTEIO) {
                print_status(st.code, st.message);
                return r;
        }
        if (r < 0)
                die("call failed locally");
        return 0;
}

static char *slurp(const char *path)
{
        uint8_t *data = NULL;
        size_t len;
        char *s;

        if (ae_file_read(path, 1 << 20, &data, &len) < 0)
                die(path);
        s = realloc(data, len + 1);
        if (!s)
                die("out of memory");
        s[len] = '\0';
        return s;
}

/* ---- CSRs ---- */

static EVP_PKEY *key_of(const char *kind)
{
        if (strcmp(kind, "ed25519") == 0)
                return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        if (strcmp(kind, "rsa1024") == 0)
                return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A CSR of kind into *ret (malloc'd; len 0 for "empty"). */
static void make_csr(const char *kind, uint8_t **ret, size_t *ret_len)
{
        const bool ed = strcmp(kind, "ed25519") == 0;
        unsigned char *der = NULL;
        EVP_PKEY *key;
        X509_REQ *req;
        int n = -1;

        *ret = malloc(16);
        if (!*ret)
                die("out of memory");
        if (strcmp(kind, "empty") == 0) {
                *ret_len = 0;
                return;
        }
        if (strcmp(kind, "garbage") == 0) {
                memcpy(*ret, "not a CSR", 9);
                *ret_len = 9;
                return;
        }
        free(*ret);
        key = key_of(kind);
        req = X509_REQ_new();
        if (key && req && X509_REQ_set_pubkey(req, key) == 1 &&
            X509_REQ_sign(req, key, ed ? NULL : EVP_sha256()) > 0)
                n = i2d_X509_REQ(req, &der);
        X509_REQ_free(req);
        EVP_PKEY_free(key);
        if (n <= 0)
                die("CSR");
        *ret = malloc((size_t)n + 1);
        if (!*ret)
                die("out of memory");
        memcpy(*ret, der, (size_t)n);
        OPENSSL_free(der);
        *ret_len = (size_t)n;
        if (strcmp(kind, "badsig") == 0)
                (*ret)[n - 1] ^= 0x01; /* the signature's last byte */
        else if (strcmp(kind, "trailing") == 0)
                (*ret)[(*ret_len)++] = 0;
        else if (strcmp(kind, "good") != 0 && strcmp(kind, "rsa1024") != 0 && !ed)
                die("unknown CSR kind");
}

/* ---- AttestAgent ---- */

struct attest_run {
        struct ae_grpc_client_stream *s;
        struct ae_node_agent *tpm;
        uint8_t *challenge;
        size_t challenge_len;
        bool ended;
};

/* -EPIPE: the server has ended the call; the end of the stream says why. */
static void sent(int r)
{
        if (r < 0 && r != -EPIPE)
                die("send failed locally");
}

static struct ae_node_agent *tpm_of(struct attest_run *a)
{
        struct ae_node_agent_config cfg = { .tcti = getenv("AE_TPM_TCTI"),
                                            .ek_alg = AE_TPM_EK_RSA2048,
                                            .ak_alg = AE_TPM_AK_ECC_P256 };

        if (!a->tpm && (!cfg.tcti || ae_node_agent_open(&cfg, &a->tpm) < 0))
                die("TPM ($AE_TPM_TCTI)");
        return a->tpm;
}

/* One read: a message printed, or the end of the stream. */
static void attest_read(struct attest_run *a)
{
        Spire__Api__Server__Agent__V1__AttestAgentResponse *m;
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *msg = NULL;
        int r;

        if (a->ended)
                return;
        r = ae_grpc_client_stream_read(a->s,
                                       &spire__api__server__agent__v1__attest_agent_response__descriptor,
                                       &msg, &st);
        if (r == -ENODATA || r == -EREMOTEIO) {
                print_status(st.code, st.message);
                a->ended = true;
                return;
        }
        if (r < 0)
                die("stream read failed locally");
        m = (Spire__Api__Server__Agent__V1__AttestAgentResponse *)msg;
        if (m->step_case == SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_RESPONSE__STEP_CHALLENGE) {
                free(a->challenge);
                a->challenge = malloc(m->challenge.len ? m->challenge.len : 1);
                if (!a->challenge)
                        die("out of memory");
                memcpy(a->challenge, m->challenge.data, m->challenge.len);
                a->challenge_len = m->challenge.len;
                printf("challenge\n");
        } else if (m->result && m->result->svid && m->result->svid->id) {
                printf("result spiffe://%s%s\n", m->result->svid->id->trust_domain,
                       m->result->svid->id->path);
        } else {
                printf("message without a step\n");
        }
        protobuf_c_message_free_unpacked(msg, NULL);
}

static void attest_send_params(struct attest_run *a, const char *type, bool data, bool csr,
                               const char *csr_kind)
{
        Spire__Api__Server__Agent__V1__AttestAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__INIT;
        Spire__Api__Server__Agent__V1__AttestAgentRequest__Params params =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__PARAMS__INIT;
        Spire__Api__Types__AttestationData ad = SPIRE__API__TYPES__ATTESTATION_DATA__INIT;
        Spire__Api__Server__Agent__V1__AgentX509SVIDParams svid =
                SPIRE__API__SERVER__AGENT__V1__AGENT_X509_SVIDPARAMS__INIT;
        uint8_t *payload = NULL, *der = NULL;
        size_t payload_len = 0, der_len = 0;

        if (!type) {
                if (ae_node_agent_payload(tpm_of(a), NULL, 0, &payload, &payload_len) < 0)
                        die("TPM payload");
                ad.type = (char *)"aegis_tpm";
                ad.payload = (ProtobufCBinaryData){ payload_len, payload };
        } else {
                ad.type = (char *)type;
                ad.payload = (ProtobufCBinaryData){ 5, (uint8_t *)"dummy" };
        }
        make_csr(csr_kind, &der, &der_len);
        svid.csr = (ProtobufCBinaryData){ der_len, der };
        params.data = data ? &ad : NULL;
        params.params = csr ? &svid : NULL;
        req.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_PARAMS;
        req.params = &params;
        sent(ae_grpc_client_stream_send(a->s, &req.base));
        free(payload);
        free(der);
}

/* The TPM's answer with the activated secret's first byte flipped. */
static void wrong_secret(uint8_t **answer, size_t *len)
{
        AeResponseMsg *m = NULL;

        if (ae_attest_response_decode(*answer, *len, &m) < 0 || m->activated_secret.len == 0)
                die("the TPM's answer does not decode");
        m->activated_secret.data[0] ^= 0x01;
        free(*answer);
        if (ae_attest_pack(&m->base, answer, len) < 0)
                die("pack");
        ae_attest_response_free(m);
}

static void attest_send_response(struct attest_run *a, bool garbage, bool wrong)
{
        Spire__Api__Server__Agent__V1__AttestAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__INIT;
        uint8_t *answer = NULL;
        size_t len = 0;

        if (garbage) {
                answer = malloc(7);
                if (!answer)
                        die("out of memory");
                memcpy(answer, "garbage", 7);
                len = 7;
        } else if (!a->challenge ||
                   ae_node_agent_respond(tpm_of(a), a->challenge, a->challenge_len, NULL, 0,
                                         &answer, &len) < 0) {
                die("TPM response (no challenge read?)");
        }
        if (wrong)
                wrong_secret(&answer, &len);
        req.step_case = SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__STEP_CHALLENGE_RESPONSE;
        req.challenge_response = (ProtobufCBinaryData){ len, answer };
        sent(ae_grpc_client_stream_send(a->s, &req.base));
        free(answer);
}

static int cmd_attest(struct ae_grpc_client *c, int n, char **steps)
{
        Spire__Api__Server__Agent__V1__AttestAgentRequest empty =
                SPIRE__API__SERVER__AGENT__V1__ATTEST_AGENT_REQUEST__INIT;
        struct attest_run a = { 0 };

        if (ae_grpc_client_stream_open(c, AGENT "AttestAgent", &opts, NULL, &a.s) < 0)
                die("stream open");
        for (int i = 0; i < n && !a.ended; i++) {
                const char *st = steps[i];

                if (strcmp(st, "params") == 0)
                        attest_send_params(&a, NULL, true, true, "good");
                else if (strncmp(st, "params-csr:", 11) == 0)
                        attest_send_params(&a, NULL, true, true, st + 11);
                else if (strncmp(st, "params-type:", 12) == 0)
                        attest_send_params(&a, st + 12, true, true, "good");
                else if (strcmp(st, "params-nocsr") == 0)
                        attest_send_params(&a, "aegis_tpm", true, false, "good");
                else if (strcmp(st, "params-nodata") == 0)
                        attest_send_params(&a, "aegis_tpm", false, true, "good");
                else if (strcmp(st, "empty") == 0)
                        sent(ae_grpc_client_stream_send(a.s, &empty.base));
                else if (strcmp(st, "response") == 0)
                        attest_send_response(&a, false, false);
                else if (strcmp(st, "response-wrongsecret") == 0)
                        attest_send_response(&a, false, true);
                else if (strcmp(st, "response-garbage") == 0)
                        attest_send_response(&a, true, false);
                else if (strcmp(st, "read") == 0)
                        attest_read(&a);
                else if (strcmp(st, "close") == 0)
                        sent(ae_grpc_client_stream_close_send(a.s));
                else
                        die("unknown step");
        }
        while (!a.ended)
                attest_read(&a);
        ae_grpc_client_stream_free(a.s);
        ae_node_agent_free(a.tpm);
        free(a.challenge);
        return 0;
}

/* ---- calls as an agent ---- */

static void print_svid_id(const Spire__Api__Types__X509SVID *svid)
{
        if (svid && svid->id)
                printf("OK spiffe://%s%s\n", svid->id->trust_domain, svid->id->path);
        else
                printf("OK without an SVID\n");
}

/* BatchNewX509SVID with n params for entry, the CSR of kinds[i] (or none
 * when kinds is NULL). */
static void x509_batch(struct ae_grpc_client *c, const char *entry, size_t n, char **kinds)
{
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDRequest req =
                SPIRE__API__SERVER__SVID__V1__BATCH_NEW_X509_SVIDREQUEST__INIT;
        Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *resp;
        Spire__Api__Server__Svid__V1__NewX509SVIDParams *p = calloc(n, sizeof(*p));
        Spire__Api__Server__Svid__V1__NewX509SVIDParams **pp = calloc(n, sizeof(*pp));
        ProtobufCMessage *m = NULL;

        if (!p || !pp)
                die("out of memory");
        for (size_t i = 0; i < n; i++) {
                spire__api__server__svid__v1__new_x509_svidparams__init(&p[i]);
                p[i].entry_id = (char *)entry;
                if (kinds)
                        make_csr(kinds[i], &p[i].csr.data, &p[i].csr.len);
                pp[i] = &p[i];
        }
        req.n_params = n;
        req.params = pp;
        if (unary(c, SVID "BatchNewX509SVID", &req.base,
                  &spire__api__server__svid__v1__batch_new_x509_svidresponse__descriptor,
                  &m) == 0) {
                resp = (Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse *)m;
                printf("OK %zu results\n", resp->n_results);
                for (size_t i = 0; i < resp->n_results; i++) {
                        const Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse__Result *res =
                                resp->results[i];

                        if (!res || !res->status)
                                printf("result without a status\n");
                        else if (res->status->code == 0)
                                print_svid_id(res->svid);
                        else
                                print_status(res->status->code, res->status->message);
                }
                protobuf_c_message_free_unpacked(m, NULL);
        }
        for (size_t i = 0; i < n; i++)
                free(p[i].csr.data);
        free(p);
        free(pp);
}

static int cmd_agent(struct ae_grpc_client *c, int argc, char **argv)
{
        ProtobufCMessage *m = NULL;

        if (argc >= 1 && strcmp(argv[0], "entries") == 0) {
                Spire__Api__Server__Entry__V1__GetAuthorizedEntriesRequest req =
                        SPIRE__API__SERVER__ENTRY__V1__GET_AUTHORIZED_ENTRIES_REQUEST__INIT;

                if (unary(c, ENTRY "GetAuthorizedEntries", &req.base,
                          &spire__api__server__entry__v1__get_authorized_entries_response__descriptor,
                          &m) == 0)
                        printf("OK %zu entries\n",
                               ((Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse *)m)
                                       ->n_entries);
        } else if (argc >= 1 && strcmp(argv[0], "renew") == 0) {
                Spire__Api__Server__Agent__V1__RenewAgentRequest req =
                        SPIRE__API__SERVER__AGENT__V1__RENEW_AGENT_REQUEST__INIT;
                Spire__Api__Server__Agent__V1__AgentX509SVIDParams p =
                        SPIRE__API__SERVER__AGENT__V1__AGENT_X509_SVIDPARAMS__INIT;

                make_csr("good", &p.csr.data, &p.csr.len);
                req.params = &p;
                if (unary(c, AGENT "RenewAgent", &req.base,
                          &spire__api__server__agent__v1__renew_agent_response__descriptor,
                          &m) == 0)
                        print_svid_id(
                                ((Spire__Api__Server__Agent__V1__RenewAgentResponse *)m)->svid);
                free(p.csr.data);
        } else if (argc == 2 && strcmp(argv[0], "jwt") == 0) {
                Spire__Api__Server__Svid__V1__NewJWTSVIDRequest req =
                        SPIRE__API__SERVER__SVID__V1__NEW_JWTSVIDREQUEST__INIT;
                char *aud = (char *)"spiffe://aegis.test/db";

                req.entry_id = argv[1];
                req.n_audience = 1;
                req.audience = &aud;
                if (unary(c, SVID "NewJWTSVID", &req.base,
                          &spire__api__server__svid__v1__new_jwtsvidresponse__descriptor,
                          &m) == 0)
                        printf("OK JWT-SVID\n");
        } else if (argc >= 3 && strcmp(argv[0], "x509") == 0) {
                x509_batch(c, argv[1], (size_t)(argc - 2), argv + 2);
        } else if (argc == 3 && strcmp(argv[0], "x509-count") == 0) {
                long n = strtol(argv[2], NULL, 10);

                if (n < 1 || n > COUNT_MAX)
                        die("x509-count: 1..4096");
                x509_batch(c, argv[1], (size_t)n, NULL);
        } else {
                die("agent: unknown call");
        }
        if (m)
                protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

/* ---- admin socket ---- */

static int cmd_ban(struct ae_grpc_client *c, int argc, char **argv)
{
        Spire__Api__Server__Agent__V1__BanAgentRequest req =
                SPIRE__API__SERVER__AGENT__V1__BAN_AGENT_REQUEST__INIT;
        Spire__Api__Types__SPIFFEID id = SPIRE__API__TYPES__SPIFFEID__INIT;
        ProtobufCMessage *m = NULL;

        if (argc == 3) {
                id.trust_domain = argv[1];
                id.path = argv[2];
                req.id = &id;
        }
        if (unary(c, AGENT "BanAgent", &req.base, &google__protobuf__empty__descriptor, &m) == 0) {
                printf("OK banned\n");
                protobuf_c_message_free_unpacked(m, NULL);
        }
        return 0;
}

static int cmd_list(struct ae_grpc_client *c, const char *filter)
{
        Spire__Api__Server__Entry__V1__ListEntriesRequest req =
                SPIRE__API__SERVER__ENTRY__V1__LIST_ENTRIES_REQUEST__INIT;
        Spire__Api__Server__Entry__V1__ListEntriesRequest__Filter f =
                SPIRE__API__SERVER__ENTRY__V1__LIST_ENTRIES_REQUEST__FILTER__INIT;
        Spire__Api__Types__SPIFFEID id = SPIRE__API__TYPES__SPIFFEID__INIT;
        Spire__Api__Types__SelectorMatch sel = SPIRE__API__TYPES__SELECTOR_MATCH__INIT;
        Spire__Api__Types__FederatesWithMatch fed = SPIRE__API__TYPES__FEDERATES_WITH_MATCH__INIT;
        Google__Protobuf__StringValue hint = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
        Google__Protobuf__BoolValue down = GOOGLE__PROTOBUF__BOOL_VALUE__INIT;
        ProtobufCMessage *m = NULL;

        id.trust_domain = (char *)"aegis.test";
        id.path = (char *)"/model";
        hint.value = (char *)"";
        if (strcmp(filter, "spiffe_id") == 0)
                f.by_spiffe_id = &id;
        else if (strcmp(filter, "selectors") == 0)
                f.by_selectors = &sel;
        else if (strcmp(filter, "federates_with") == 0)
                f.by_federates_with = &fed;
        else if (strcmp(filter, "hint") == 0)
                f.by_hint = &hint;
        else if (strcmp(filter, "downstream") == 0)
                f.by_downstream = &down;
        else if (strcmp(filter, "parent") == 0)
                f.by_parent_id = &id;
        else if (strcmp(filter, "parent-invalid") == 0) {
                id.trust_domain = (char *)"Not A Domain";
                f.by_parent_id = &id;
        } else
                die("list: unknown filter");
        req.filter = &f;
        if (unary(c, ENTRY "ListEntries", &req.base,
                  &spire__api__server__entry__v1__list_entries_response__descriptor, &m) == 0) {
                printf("OK %zu entries\n",
                       ((Spire__Api__Server__Entry__V1__ListEntriesResponse *)m)->n_entries);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        return 0;
}

static int cmd_create(struct ae_grpc_client *c, char **argv)
{
        Spire__Api__Server__Entry__V1__BatchCreateEntryRequest req =
                SPIRE__API__SERVER__ENTRY__V1__BATCH_CREATE_ENTRY_REQUEST__INIT;
        Spire__Api__Types__Entry e = SPIRE__API__TYPES__ENTRY__INIT, *ep = &e;
        Spire__Api__Types__SPIFFEID id = SPIRE__API__TYPES__SPIFFEID__INIT;
        Spire__Api__Types__SPIFFEID parent = SPIRE__API__TYPES__SPIFFEID__INIT;
        Spire__Api__Types__Selector s = SPIRE__API__TYPES__SELECTOR__INIT, *sp = &s;
        Spire__Api__Server__Entry__V1__BatchCreateEntryResponse *resp;
        ProtobufCMessage *m = NULL;

        id.trust_domain = parent.trust_domain = (char *)"aegis.test";
        id.path = argv[0];
        parent.path = argv[1];
        s.type = argv[2];
        s.value = argv[3];
        e.spiffe_id = &id;
        e.parent_id = &parent;
        e.n_selectors = 1;
        e.selectors = &sp;
        req.n_entries = 1;
        req.entries = &ep;
        if (unary(c, ENTRY "BatchCreateEntry", &req.base,
                  &spire__api__server__entry__v1__batch_create_entry_response__descriptor,
                  &m) == 0) {
                resp = (Spire__Api__Server__Entry__V1__BatchCreateEntryResponse *)m;
                if (resp->n_results == 1 && resp->results[0]->status)
                        print_status(resp->results[0]->status->code,
                                     resp->results[0]->status->message);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        return 0;
}

static int cmd_admin(struct ae_grpc_client *c, int argc, char **argv)
{
        if (argc >= 1 && strcmp(argv[0], "ban") == 0 && argc == 3)
                return cmd_ban(c, argc, argv);
        if (argc == 1 && strcmp(argv[0], "ban-none") == 0)
                return cmd_ban(c, argc, argv);
        if (argc == 2 && strcmp(argv[0], "list") == 0)
                return cmd_list(c, argv[1]);
        if (argc == 5 && strcmp(argv[0], "create") == 0)
                return cmd_create(c, argv + 1);
        die("admin: unknown call");
        return 2;
}

int main(int argc, char **argv)
{
        struct ae_grpc_client *c = NULL;
        char *bundle = NULL, *cert = NULL, *key = NULL;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc >= 4 && strcmp(argv[1], "admin") == 0) {
                if (ae_grpc_client_new_unix(argv[2], NULL, &c) < 0)
                        die("admin socket client");
                r = cmd_admin(c, argc - 3, argv + 3);
        } else if (argc >= 5 && (strcmp(argv[1], "attest") == 0 ||
                                 (strcmp(argv[1], "agent") == 0 && argc >= 6))) {
                const bool agent = strcmp(argv[1], "agent") == 0;
                char path[4096];

                bundle = slurp(argv[3]);
                if (agent) {
                        snprintf(path, sizeof(path), "%s/agent.pem", argv[4]);
                        cert = slurp(path);
                        snprintf(path, sizeof(path), "%s/agent.key", argv[4]);
                        key = slurp(path);
                }
                if (ae_grpc_client_new_tls(argv[2],
                                           &(struct ae_grpc_tls_client){ .ca_pem = bundle,
                                                                         .cert_chain_pem = cert,
                                                                         .key_pem = key,
                                                                         .server_name =
                                                                                 "localhost" },
                                           NULL, &c) < 0)
                        die("TLS client");
                r = agent ? cmd_agent(c, argc - 5, argv + 5) : cmd_attest(c, argc - 4, argv + 4);
        } else {
                die("usage: see server_refusals.c");
                return 2;
        }
        ae_grpc_client_free(c);
        free(bundle);
        free(cert);
        free(key);
        return r;
}
