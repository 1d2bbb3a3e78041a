#include "control-plane/agent/workload_api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "control-plane/agent/packed.h"
#include "control-plane/agent/workload_jwt.h"
#include "control-plane/agent/workload_x509.h"
#include "spiffe/workload.pb-c.h"
#include "workload-attestor/workload_attestor.h"

#define SERVICE "/SpiffeWorkloadAPI/"
#define SECURITY_HEADER "workload.spiffe.io"
#define NODE_SELECTOR_TYPE "aegis_tpm"

enum method { M_X509_SVID, M_X509_BUNDLES, M_JWT_SVID, M_JWT_BUNDLES, M_VALIDATE, M_COUNT };

/* A call waiting for a worker: the request, re-packed (gRPC frees its copy
 * when on_start returns). */
struct job {
        struct job *next;
        struct ae_grpc_call *call;
        enum method m;
        uint8_t *req;
        size_t req_len;
};

/* A stream the pusher keeps fresh. */
struct stream {
        struct stream *next;
        struct ae_grpc_call *call;
        enum method m;
        struct ae_selector_set *selectors; /* the caller's, for re-matching */
        uint64_t source_gen, entries_gen;
        /* What was sent last: a generation change that leaves the answer as
         * it was (another workload's SVID renewed) sends nothing. */
        uint8_t last_sent[32];
};

struct ae_workload_api {
        struct ae_workload_api_config cfg;
        char **node_selectors;
        struct ae_grpc_server *server;
        struct api_method {
                struct ae_workload_api *api;
                enum method m;
        } methods[M_COUNT];

        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stopping, started;
        struct job *jobs, **jobs_tail;
        struct stream *streams;
        size_t n_streams;
        pthread_t *workers;
        size_t n_workers;
        pthread_t pusher;
};

static const struct {
        const char *path;
        enum ae_grpc_kind kind;
        const ProtobufCMessageDescriptor *request;
} method_defs[M_COUNT] = {
        [M_X509_SVID] = { SERVICE "FetchX509SVID", AE_GRPC_SERVER_STREAMING,
                          &x509_svidrequest__descriptor },
        [M_X509_BUNDLES] = { SERVICE "FetchX509Bundles", AE_GRPC_SERVER_STREAMING,
                             &x509_bundles_request__descriptor },
        [M_JWT_SVID] = { SERVICE "FetchJWTSVID", AE_GRPC_UNARY, &jwtsvidrequest__descriptor },
        [M_JWT_BUNDLES] = { SERVICE "FetchJWTBundles", AE_GRPC_SERVER_STREAMING,
                            &jwtbundles_request__descriptor },
        [M_VALIDATE] = { SERVICE "ValidateJWTSVID", AE_GRPC_UNARY,
                         &validate_jwtsvidrequest__descriptor },
};

static void finish(struct ae_grpc_call *call, grpc_status_code code, const char *msg)
{
        /* It fails only when the call already ended: nothing left to tell. */
        if (ae_grpc_call_finish(call, code, msg) < 0)
                return;
}

/* ---- the loop thread: check the header, hand the call to a worker ---- */

static bool header_ok(struct ae_grpc_call *call)
{
        const char *v;
        size_t len;

        return ae_grpc_call_metadata(call, SECURITY_HEADER, &v, &len) == 0 && len == 4 &&
               memcmp(v, "true", 4) == 0;
}

static void on_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *userdata)
{
        struct api_method *am = userdata;
        struct ae_workload_api *api = am->api;
        struct job *j;

        if (!header_ok(call)) {
                finish(call, GRPC_STATUS_INVALID_ARGUMENT, "security header missing from request");
                return;
        }
        j = calloc(1, sizeof(*j));
        if (!j || ae_packed_message(req, &j->req, &j->req_len) < 0) {
                free(j);
                finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        j->m = am->m;
        j->call = call;
        ae_grpc_call_ref(call);
        pthread_mutex_lock(&api->lock);
        *api->jobs_tail = j;
        api->jobs_tail = &j->next;
        pthread_cond_broadcast(&api->wake);
        pthread_mutex_unlock(&api->lock);
}

/* ---- workers ---- */

/* Who the caller is: its selectors and the node's, or a status. */
static int attest_caller(struct ae_workload_api *api, struct ae_grpc_call *call,
                         struct ae_selector_set **ret)
{
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *res = NULL;
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *set = NULL;
        struct ae_grpc_peer peer;
        enum ae_workload_reason reason;
        char msg[160];
        int pidfd, r;

        if (ae_grpc_call_peer(call, &peer) < 0 || ae_grpc_call_peer_pidfd(call, &pidfd) < 0) {
                finish(call, GRPC_STATUS_PERMISSION_DENIED, "caller unknown");
                return -EPERM;
        }
        r = ae_workload_attest(api->cfg.attestor, peer.pid, pidfd, &res, &reason);
        if (r < 0) {
                finish(call, GRPC_STATUS_UNAVAILABLE, "workload attestor failed");
                return r;
        }
        if (reason != AE_WORKLOAD_OK) {
                snprintf(msg, sizeof(msg), "workload attestation refused: %s",
                         ae_workload_reason_str(reason));
                finish(call, GRPC_STATUS_PERMISSION_DENIED, msg);
                return -EPERM;
        }
        /* The pid may name another process by now; only the one that
         * connected may get its identity. */
        if (ae_grpc_call_peer_alive(call) != 1) {
                finish(call, GRPC_STATUS_PERMISSION_DENIED, "caller exited during attestation");
                return -EPERM;
        }
        if (ae_selector_set_new(&set) < 0 ||
            ae_selector_set_add(set, AE_WORKLOAD_ATTESTOR_TYPE, res->selectors,
                                res->n_selectors) < 0 ||
            ae_selector_set_add(set, NODE_SELECTOR_TYPE,
                                (const char *const *)api->node_selectors,
                                api->cfg.n_node_selectors) < 0) {
                finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "too many selectors");
                return -E2BIG;
        }
        ae_selector_set_seal(set);
        *ret = TAKE_PTR(set);
        return 0;
}

/* The packed answer of a streaming method for these selectors now.
 * Returns a status code; OK with *ret / *ret_len. */
static grpc_status_code stream_answer(struct ae_workload_api *api, enum method m,
                                      const struct ae_selector_set *sel, uint8_t **ret,
                                      size_t *ret_len, const char **ret_msg)
{
        const struct ae_svid_source *src = &api->cfg.source;
        struct ae_reg_entry *entries = NULL;
        size_t n = 0;
        int r;

        switch (m) {
        case M_X509_SVID:
                if (ae_entry_cache_match(api->cfg.entries, sel, &entries, &n) < 0) {
                        *ret_msg = "out of memory";
                        return GRPC_STATUS_RESOURCE_EXHAUSTED;
                }
                r = ae_workload_x509_svid_response(src, entries, n, time(NULL), ret, ret_len);
                free(entries);
                if (r == -ENOENT) {
                        *ret_msg = "no identity issued";
                        return GRPC_STATUS_PERMISSION_DENIED;
                }
                break;
        case M_X509_BUNDLES: r = ae_workload_x509_bundles_response(src, ret, ret_len); break;
        case M_JWT_BUNDLES: r = ae_workload_jwt_bundles_response(src, ret, ret_len); break;
        default: r = -EINVAL; break;
        }
        if (r < 0) {
                *ret_msg = "SVIDs unavailable";
                return GRPC_STATUS_UNAVAILABLE;
        }
        return GRPC_STATUS_OK;
}

/* Send a packed answer (a copy is queued; ours holds keys: wiped). With
 * digest, remember what was sent, and send nothing if it is what *digest
 * already holds (returns 1 then). */
static int send_wiped(struct ae_grpc_call *call, uint8_t *bytes, size_t len, uint8_t *digest)
{
        uint8_t d[32];
        int r = 0;

        if (digest && EVP_Digest(bytes, len, d, NULL, EVP_sha256(), NULL) == 1) {
                if (memcmp(d, digest, sizeof(d)) == 0)
                        r = 1;
                else
                        memcpy(digest, d, sizeof(d));
        }
        if (r == 0)
                r = ae_grpc_call_send_packed(call, bytes, len);
        OPENSSL_clear_free(bytes, len);
        return r;
}

static void serve_stream(struct ae_workload_api *api, struct job *j)
{
        struct ae_selector_set *sel = NULL;
        struct stream *st;
        const char *msg = NULL;
        grpc_status_code code;
        uint8_t *bytes, sent[32] = { 0 };
        size_t len;
        uint64_t sg = api->cfg.source.ops->generation(api->cfg.source.ctx);
        uint64_t eg = ae_entry_cache_generation(api->cfg.entries);

        /* Bundles are public: only SVIDs need an identity. Every caller is
         * still attested, so nothing reaches a process that is gone. */
        if (attest_caller(api, j->call, &sel) < 0)
                return;
        code = stream_answer(api, j->m, sel, &bytes, &len, &msg);
        if (code != GRPC_STATUS_OK || send_wiped(j->call, bytes, len, sent) < 0) {
                if (code != GRPC_STATUS_OK)
                        finish(j->call, code, msg);
                ae_selector_set_free(sel);
                return;
        }
        st = calloc(1, sizeof(*st));
        if (!st) {
                finish(j->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                ae_selector_set_free(sel);
                return;
        }
        st->call = j->call;
        ae_grpc_call_ref(j->call);
        st->m = j->m;
        st->selectors = sel;
        st->source_gen = sg;
        st->entries_gen = eg;
        memcpy(st->last_sent, sent, sizeof(sent));
        pthread_mutex_lock(&api->lock);
        st->next = api->streams;
        api->streams = st;
        api->n_streams++;
        pthread_mutex_unlock(&api->lock);
}

static void serve_jwt_svid(struct ae_workload_api *api, struct job *j)
{
        _cleanup_(ae_selector_set_freep) struct ae_selector_set *sel = NULL;
        JWTSVIDRequest *req = jwtsvidrequest__unpack(NULL, j->req_len, j->req);
        struct ae_reg_entry *entries = NULL;
        uint8_t *bytes = NULL;
        size_t n = 0, len = 0;
        int r;

        /* The job holds the request the layer parsed, packed again by
         * on_start: parsing it once more fails only for want of memory. */
        if (!req) {
                finish(j->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        if (req->n_audience == 0) {
                finish(j->call, GRPC_STATUS_INVALID_ARGUMENT, "audience must be specified");
                goto out;
        }
        if (attest_caller(api, j->call, &sel) < 0)
                goto out;
        if (ae_entry_cache_match(api->cfg.entries, sel, &entries, &n) < 0) {
                finish(j->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                goto out;
        }
        r = ae_workload_jwt_svid_response(&api->cfg.source, entries, n,
                                          req->spiffe_id ? req->spiffe_id : "",
                                          (const char *const *)req->audience, req->n_audience,
                                          time(NULL), &bytes, &len);
        if (r == 0 && send_wiped(j->call, bytes, len, NULL) == 0)
                finish(j->call, GRPC_STATUS_OK, NULL);
        else if (r == -ENOENT)
                finish(j->call, GRPC_STATUS_PERMISSION_DENIED, "no identity issued");
        else if (r == -EINVAL)
                finish(j->call, GRPC_STATUS_INVALID_ARGUMENT, "audience refused");
        else if (r < 0)
                finish(j->call, GRPC_STATUS_UNAVAILABLE, "SVIDs unavailable");
        free(entries);
out:
        jwtsvidrequest__free_unpacked(req, NULL);
}

static void serve_validate(struct ae_workload_api *api, struct job *j)
{
        ValidateJWTSVIDRequest *req = validate_jwtsvidrequest__unpack(NULL, j->req_len, j->req);
        enum ae_jwt_reason reason;
        uint8_t *bytes = NULL;
        size_t len = 0;
        char msg[200];
        int r;

        if (!req) { /* as in serve_jwt_svid */
                finish(j->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        if (!req->audience || !req->audience[0]) {
                finish(j->call, GRPC_STATUS_INVALID_ARGUMENT, "audience must be specified");
        } else if (!req->svid || !req->svid[0]) {
                finish(j->call, GRPC_STATUS_INVALID_ARGUMENT, "svid must be specified");
        } else {
                /* Validating a token grants nothing: any local process may. */
                r = ae_workload_validate_jwt_response(&api->cfg.source, req->svid, req->audience,
                                                      time(NULL), &bytes, &len, &reason);
                if (r == 0 && send_wiped(j->call, bytes, len, NULL) == 0) {
                        finish(j->call, GRPC_STATUS_OK, NULL);
                } else if (r == -EBADMSG || r == -EMSGSIZE) {
                        snprintf(msg, sizeof(msg), "token refused: %s (%s)",
                                 ae_jwt_reason_str(reason), ae_jwt_reason_id(reason));
                        finish(j->call, GRPC_STATUS_INVALID_ARGUMENT, msg);
                } else if (r < 0) {
                        finish(j->call, GRPC_STATUS_UNAVAILABLE, "bundle unavailable");
                }
        }
        validate_jwtsvidrequest__free_unpacked(req, NULL);
}

static void *worker_main(void *arg)
{
        struct ae_workload_api *api = arg;

        for (;;) {
                struct job *j;

                pthread_mutex_lock(&api->lock);
                while (!api->jobs && !api->stopping)
                        pthread_cond_wait(&api->wake, &api->lock);
                j = api->jobs;
                if (j) {
                        api->jobs = j->next;
                        if (!api->jobs)
                                api->jobs_tail = &api->jobs;
                }
                pthread_mutex_unlock(&api->lock);
                if (!j)
                        return NULL; /* stopping, queue drained */
                if (!ae_grpc_call_ended(j->call)) {
                        if (j->m == M_JWT_SVID)
                                serve_jwt_svid(api, j);
                        else if (j->m == M_VALIDATE)
                                serve_validate(api, j);
                        else
                                serve_stream(api, j);
                }
                ae_grpc_call_unref(j->call);
                free(j->req);
                free(j);
        }
}

/* ---- the pusher: rotation ---- */

static void free_stream(struct stream *st)
{
        ae_grpc_call_unref(st->call);
        ae_selector_set_free(st->selectors);
        free(st);
}

/* Re-send on st if what it carries changed; false when it is over. */
static bool refresh(struct ae_workload_api *api, struct stream *st, uint64_t sg, uint64_t eg)
{
        const char *msg = NULL;
        grpc_status_code code;
        uint8_t *bytes;
        size_t len;

        if (ae_grpc_call_ended(st->call))
                return false;
        /* Bundles do not depend on entries. */
        if (st->source_gen == sg && (st->m != M_X509_SVID || st->entries_gen == eg))
                return true;
        code = stream_answer(api, st->m, st->selectors, &bytes, &len, &msg);
        if (code != GRPC_STATUS_OK) {
                /* An identity taken away (its entry deleted) ends the stream. */
                finish(st->call, code, msg);
                return false;
        }
        if (send_wiped(st->call, bytes, len, st->last_sent) < 0)
                return false; /* gone, or its queue overflowed: cancelled */
        st->source_gen = sg;
        st->entries_gen = eg;
        return true;
}

static void *pusher_main(void *arg)
{
        struct ae_workload_api *api = arg;
        uint32_t ms = api->cfg.push_interval_ms ? api->cfg.push_interval_ms : 1000;

        pthread_mutex_lock(&api->lock);
        while (!api->stopping) {
                struct timespec until;
                struct stream *list, *keep = NULL, *st;
                uint64_t sg, eg;

                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += ms / 1000;
                until.tv_nsec += (long)(ms % 1000) * 1000000L;
                if (until.tv_nsec >= 1000000000L) {
                        until.tv_sec++;
                        until.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&api->wake, &api->lock, &until);
                if (api->stopping)
                        break;
                /* Work on the list without the lock: workers add to the
                 * front meanwhile, and are merged back below. */
                list = api->streams;
                api->streams = NULL;
                pthread_mutex_unlock(&api->lock);

                sg = api->cfg.source.ops->tick(api->cfg.source.ctx, time(NULL));
                eg = ae_entry_cache_generation(api->cfg.entries);
                while (list) {
                        st = list;
                        list = st->next;
                        if (refresh(api, st, sg, eg)) {
                                st->next = keep;
                                keep = st;
                        } else {
                                free_stream(st);
                                pthread_mutex_lock(&api->lock);
                                api->n_streams--;
                                pthread_mutex_unlock(&api->lock);
                        }
                }
                pthread_mutex_lock(&api->lock);
                while (keep) {
                        st = keep;
                        keep = st->next;
                        st->next = api->streams;
                        api->streams = st;
                }
        }
        pthread_mutex_unlock(&api->lock);
        return NULL;
}

/* ---- lifecycle ---- */

int ae_workload_api_new(const struct ae_workload_api_config *cfg, struct ae_workload_api **ret)
{
        struct ae_grpc_server_config gcfg;
        struct ae_workload_api *api;
        int r;

        ENSURE(cfg && ret && cfg->socket_path && cfg->attestor && cfg->entries &&
                       cfg->source.ops && (cfg->node_selectors || cfg->n_node_selectors == 0),
               -EINVAL);
        api = calloc(1, sizeof(*api));
        ENSURE_ALLOC(api);
        api->cfg = *cfg;
        api->jobs_tail = &api->jobs;
        pthread_mutex_init(&api->lock, NULL);
        pthread_cond_init(&api->wake, NULL);
        api->node_selectors = calloc(cfg->n_node_selectors + 1, sizeof(char *));
        r = api->node_selectors ? 0 : -ENOMEM;
        for (size_t i = 0; r == 0 && i < cfg->n_node_selectors; i++) {
                api->node_selectors[i] = strdup(cfg->node_selectors[i]);
                if (!api->node_selectors[i])
                        r = -ENOMEM;
        }
        api->cfg.node_selectors = NULL; /* ours are in api->node_selectors */
        ae_grpc_server_config_default(&gcfg);
        if (cfg->max_connections)
                gcfg.max_connections = cfg->max_connections;
        if (cfg->first_call_timeout_ms)
                gcfg.first_call_timeout_ms = cfg->first_call_timeout_ms;
        if (cfg->idle_timeout_ms)
                gcfg.idle_timeout_ms = cfg->idle_timeout_ms;
        if (r == 0)
                r = ae_grpc_server_new(&gcfg, &api->server);
        for (int m = 0; r == 0 && m < M_COUNT; m++) {
                struct ae_grpc_method gm = { .path = method_defs[m].path,
                                             .kind = method_defs[m].kind,
                                             .request = method_defs[m].request,
                                             .on_start = on_start,
                                             .userdata = &api->methods[m] };

                api->methods[m] = (struct api_method){ .api = api, .m = (enum method)m };
                r = ae_grpc_server_add_method(api->server, &gm);
        }
        if (r == 0)
                r = ae_grpc_server_listen_unix(api->server, cfg->socket_path);
        if (r < 0) {
                ae_workload_api_free(api);
                return r;
        }
        *ret = api;
        return 0;
}

int ae_workload_api_start(struct ae_workload_api *api)
{
        size_t n = api->cfg.workers ? api->cfg.workers : 2;

        ENSURE(!api->started, -EINVAL);
        api->workers = calloc(n, sizeof(*api->workers));
        ENSURE_ALLOC(api->workers);
        for (; api->n_workers < n; api->n_workers++)
                if (pthread_create(&api->workers[api->n_workers], NULL, worker_main, api) != 0)
                        break;
        if (api->n_workers == 0 || pthread_create(&api->pusher, NULL, pusher_main, api) != 0) {
                pthread_mutex_lock(&api->lock);
                api->stopping = true;
                pthread_cond_broadcast(&api->wake);
                pthread_mutex_unlock(&api->lock);
                for (size_t i = 0; i < api->n_workers; i++)
                        pthread_join(api->workers[i], NULL);
                api->n_workers = 0;
                return -EAGAIN;
        }
        api->started = true;
        return ae_grpc_server_start(api->server);
}

void ae_workload_api_stop(struct ae_workload_api *api, uint32_t grace_ms)
{
        struct stream *st;

        if (!api || !api->server)
                return;
        /* The server first: its on_done runs for every call, no new jobs. */
        ae_grpc_server_stop(api->server, grace_ms);
        pthread_mutex_lock(&api->lock);
        api->stopping = true;
        pthread_cond_broadcast(&api->wake);
        pthread_mutex_unlock(&api->lock);
        if (api->started) {
                for (size_t i = 0; i < api->n_workers; i++)
                        pthread_join(api->workers[i], NULL);
                pthread_join(api->pusher, NULL);
                api->started = false;
        }
        while ((st = api->streams)) {
                api->streams = st->next;
                free_stream(st);
        }
        api->n_streams = 0;
}

void ae_workload_api_free(struct ae_workload_api *api)
{
        if (!api)
                return;
        ae_workload_api_stop(api, 0);
        ae_grpc_server_free(api->server);
        for (size_t i = 0; api->node_selectors && i < api->cfg.n_node_selectors; i++)
                free(api->node_selectors[i]);
        free(api->node_selectors);
        free(api->workers);
        pthread_cond_destroy(&api->wake);
        pthread_mutex_destroy(&api->lock);
        free(api);
}

size_t ae_workload_api_streams(struct ae_workload_api *api)
{
        size_t n;

        pthread_mutex_lock(&api->lock);
        n = api->n_streams;
        pthread_mutex_unlock(&api->lock);
        return n;
}

uint64_t ae_workload_api_refusals(struct ae_workload_api *api, enum ae_grpc_reason reason)
{
        return ae_grpc_server_refusals(api->server, reason);
}
