#include "control-plane/agent/agent.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/file.h"
#include "common/log.h"
#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/server_client.h"
#include "control-plane/agent/server_source.h"
#include "control-plane/agent/workload_api.h"
#include "node-attestor/gnss/gnss_claim.h"
#include "node-attestor/tpm/node_agent.h"
#include "workload-attestor/workload_attestor.h"

#define BACKOFF_MIN_S 1
#define BACKOFF_MAX_S 60

struct ae_agent {
        struct ae_agent_config cfg;
        struct ae_server_client_config server;
        char *bundle_pem;
        struct ae_workload_attestor *attestor;
        struct ae_entry_cache *entries;
        struct ae_server_source *source;
        struct ae_workload_api *api;

        /* The loop's own (no lock: only the loop thread touches them). */
        struct ae_agent_identity identity;
        struct ae_server_conn *conn;
        time_t next_attest, next_sync;
        unsigned backoff_s;

        pthread_t thread;
        bool running;
        pthread_mutex_t lock; /* stop, stats */
        pthread_cond_t wake;
        bool stopping;
        struct ae_agent_stats stats;
};

static int failf(char *err, size_t cap, int r, const char *what)
{
        if (err && cap)
                snprintf(err, cap, "%s: %s", what, strerror(-r));
        return r;
}

int ae_agent_new(const struct ae_agent_config *cfg, struct ae_agent **ret, char *err,
                 size_t err_cap)
{
        struct ae_workload_api_config wc = { 0 };
        struct ae_agent *a;
        uint8_t *bundle = NULL;
        size_t len;
        int r;

        ENSURE(cfg && ret, -EINVAL);
        a = calloc(1, sizeof(*a));
        ENSURE_ALLOC(a);
        a->cfg = *cfg;
        pthread_mutex_init(&a->lock, NULL);
        pthread_cond_init(&a->wake, NULL);
        r = ae_file_read(cfg->trust_bundle, 1 << 20, &bundle, &len);
        if (r < 0) {
                ae_agent_free(a);
                return failf(err, err_cap, r, cfg->trust_bundle);
        }
        a->bundle_pem = realloc(bundle, len + 1);
        if (!a->bundle_pem) {
                free(bundle);
                ae_agent_free(a);
                return -ENOMEM;
        }
        a->bundle_pem[len] = '\0';
        a->server = (struct ae_server_client_config){
                .address = a->cfg.server_address,
                .server_name = a->cfg.server_name[0] ? a->cfg.server_name : NULL,
                .trust_domain = a->cfg.trust_domain,
                .bundle_pem = a->bundle_pem,
        };
        r = ae_workload_attestor_new(NULL, &a->attestor);
        if (r == 0)
                r = ae_entry_cache_new(&a->entries);
        if (r == 0)
                r = ae_server_source_new(a->entries, &a->source);
        if (r == 0) {
                wc.socket_path = a->cfg.socket_path;
                wc.attestor = a->attestor;
                wc.entries = a->entries;
                wc.source = ae_server_source_ops(a->source);
                wc.workers = a->cfg.workers;
                r = ae_workload_api_new(&wc, &a->api);
        }
        if (r < 0) {
                ae_agent_free(a);
                return failf(err, err_cap, r, "workload API");
        }
        *ret = a;
        return 0;
}

/* ---- attestation ---- */

static void set_identity(struct ae_agent *a, struct ae_agent_identity *id)
{
        struct ae_server_conn *conn = NULL;
        int r = ae_server_conn_new(&a->server, id, &conn);

        if (r < 0) {
                ae_log(AE_LOG_ERROR, "server connection: %s", strerror(-r));
                ae_agent_identity_clear(id);
                return;
        }
        /* JWT calls finish on the old connection before it goes. */
        ae_server_source_set_conn(a->source, conn);
        ae_server_conn_free(a->conn);
        a->conn = conn;
        ae_agent_identity_clear(&a->identity);
        a->identity = *id;
}

static void location(struct ae_agent *a, uint8_t *claim, size_t *claim_len, uint8_t *sensor,
                     size_t *sensor_len)
{
        struct ae_gnss_source src = {
                .host = a->cfg.gpsd_host,
                .port = a->cfg.gpsd_port,
                .device = a->cfg.gnss_device[0] ? a->cfg.gnss_device : NULL,
                .timeout_ms = a->cfg.gnss_timeout_s * 1000,
        };
        int r = ae_gnss_location_evidence(&src, a->cfg.gnss_serial, claim, claim_len, sensor,
                                          sensor_len);

        if (r < 0) {
                /* Attest without: the policy decides (PoR, or refused). */
                *claim_len = *sensor_len = 0;
                ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "gpsd", a->cfg.gpsd_host }),
                              "no location fix: %s",
                              r == -ETIMEDOUT ? "none within the timeout" : strerror(-r));
        }
}

/* One attestation; the time of the next attempt. */
static time_t attest(struct ae_agent *a, time_t now)
{
        struct ae_node_agent_config tc = {
                .tcti = a->cfg.tcti[0] ? a->cfg.tcti : NULL,
                .ek_alg = a->cfg.ek_ecc ? AE_TPM_EK_ECC_P256 : AE_TPM_EK_RSA2048,
                .ak_alg = a->cfg.ak_rsa ? AE_TPM_AK_RSA2048 : AE_TPM_AK_ECC_P256,
                .ak_handle = a->cfg.ak_handle,
        };
        uint8_t claim[AE_ATTEST_LOCATION_CLAIM_MAX], sensor[AE_ATTEST_LOCATION_SENSOR_MAX];
        size_t claim_len = 0, sensor_len = 0;
        struct ae_grpc_status st = { 0 };
        struct ae_agent_identity id = { 0 };
        struct ae_node_agent *tpm = NULL;
        int r;

        r = ae_node_agent_open(&tc, &tpm);
        if (r < 0) {
                ae_log_fields(AE_LOG_ERROR,
                              AE_LOG_KV({ "tcti", tc.tcti ? tc.tcti : "(default)" }),
                              "TPM unavailable: %s: %s", strerror(-r),
                              ae_node_agent_last_error(NULL));
                goto retry;
        }
        if (a->cfg.gnss)
                location(a, claim, &claim_len, sensor, &sensor_len);
        r = ae_server_attest(&a->server, a->identity.cert_pem ? &a->identity : NULL, tpm,
                             sensor_len ? sensor : NULL, sensor_len, claim_len ? claim : NULL,
                             claim_len, &id, &st);
        if (r < 0 && tpm)
                ae_log(AE_LOG_DEBUG, "TPM: %s", ae_node_agent_last_error(tpm));
        ae_node_agent_free(tpm);
        if (r == -EACCES) {
                /* The server judged this node and said no: its workloads
                 * must not keep identities it no longer vouches for. */
                ae_log_fields(AE_LOG_ERROR, AE_LOG_KV({ "reason", st.message }),
                              "attestation refused: dropping every SVID");
                ae_server_source_clear(a->source);
                pthread_mutex_lock(&a->lock);
                a->stats.refusals++;
                a->stats.attested = false;
                pthread_mutex_unlock(&a->lock);
                goto retry;
        }
        if (r < 0) {
                ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "server", a->cfg.server_address }),
                              "attestation failed: %s%s%s", strerror(-r),
                              st.message[0] ? ": " : "", st.message);
                goto retry;
        }
        ae_log_fields(AE_LOG_INFO, AE_LOG_KV({ "spiffe_id", id.spiffe_id }), "node attested");
        set_identity(a, &id);
        pthread_mutex_lock(&a->lock);
        a->stats.attestations++;
        a->stats.attested = a->conn != NULL;
        pthread_mutex_unlock(&a->lock);
        a->backoff_s = 0;
        a->next_sync = now; /* entries and SVIDs right away */
        {
                /* Again at the interval, or at half the SVID's life. */
                time_t half = (time_t)(a->identity.issued_at +
                                       (a->identity.expires_at - a->identity.issued_at) / 2);
                time_t next = now + (time_t)a->cfg.reattest_interval_s;

                return half > now && half < next ? half : next;
        }
retry:
        pthread_mutex_lock(&a->lock);
        a->stats.failures += r == -EACCES ? 0 : 1;
        pthread_mutex_unlock(&a->lock);
        a->backoff_s = a->backoff_s ? a->backoff_s * 2 : BACKOFF_MIN_S;
        if (a->backoff_s > BACKOFF_MAX_S)
                a->backoff_s = BACKOFF_MAX_S;
        return now + (time_t)a->backoff_s;
}

/* One sync; the time of the next. */
static time_t sync_once(struct ae_agent *a, time_t now)
{
        struct ae_grpc_status st = { 0 };
        int r = ae_server_source_sync(a->source, a->conn, now, &st);

        if (r == 0) {
                pthread_mutex_lock(&a->lock);
                a->stats.syncs++;
                pthread_mutex_unlock(&a->lock);
                return now + (time_t)a->cfg.sync_interval_s;
        }
        ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "server", a->cfg.server_address }),
                      "sync failed: %s%s%s", strerror(-r), st.message[0] ? ": " : "",
                      st.message);
        if (r == -EREMOTEIO && st.code == GRPC_STATUS_PERMISSION_DENIED)
                a->next_attest = now; /* the server wants a fresh attestation */
        return now + (time_t)(a->cfg.sync_interval_s < BACKOFF_MAX_S ? a->cfg.sync_interval_s
                                                                     : BACKOFF_MAX_S);
}

static void *loop(void *arg)
{
        struct ae_agent *a = arg;

        for (;;) {
                time_t now = time(NULL), wake;
                struct timespec until;

                if (now >= a->next_attest)
                        a->next_attest = attest(a, now);
                if (a->conn && now >= a->next_sync)
                        a->next_sync = sync_once(a, time(NULL));
                wake = a->next_attest;
                if (a->conn && a->next_sync < wake)
                        wake = a->next_sync;
                pthread_mutex_lock(&a->lock);
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += wake > now ? wake - now : 1;
                while (!a->stopping &&
                       pthread_cond_timedwait(&a->wake, &a->lock, &until) != ETIMEDOUT)
                        ;
                if (a->stopping) {
                        pthread_mutex_unlock(&a->lock);
                        return NULL;
                }
                pthread_mutex_unlock(&a->lock);
        }
}

int ae_agent_start(struct ae_agent *a)
{
        ENSURE(a && !a->running, -EINVAL);
        GUARD(ae_workload_api_start(a->api));
        if (pthread_create(&a->thread, NULL, loop, a) != 0) {
                ae_workload_api_stop(a->api, 0);
                return -EAGAIN;
        }
        a->running = true;
        return 0;
}

void ae_agent_stop(struct ae_agent *a)
{
        if (!a)
                return;
        pthread_mutex_lock(&a->lock);
        a->stopping = true;
        pthread_cond_broadcast(&a->wake);
        pthread_mutex_unlock(&a->lock);
        if (a->running) {
                pthread_join(a->thread, NULL);
                a->running = false;
        }
        if (a->api)
                ae_workload_api_stop(a->api, 1000);
}

void ae_agent_free(struct ae_agent *a)
{
        if (!a)
                return;
        ae_agent_stop(a);
        ae_workload_api_free(a->api);
        if (a->source)
                ae_server_source_set_conn(a->source, NULL);
        ae_server_conn_free(a->conn);
        ae_server_source_free(a->source);
        ae_entry_cache_free(a->entries);
        ae_workload_attestor_free(a->attestor);
        ae_agent_identity_clear(&a->identity);
        free(a->bundle_pem);
        pthread_cond_destroy(&a->wake);
        pthread_mutex_destroy(&a->lock);
        free(a);
}

void ae_agent_stats(struct ae_agent *a, struct ae_agent_stats *ret)
{
        pthread_mutex_lock(&a->lock);
        *ret = a->stats;
        pthread_mutex_unlock(&a->lock);
}
