#include "control-plane/agent/server_source.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/log.h"
#include "common/ossl.h"
#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/reg_entry.h"
#include "control-plane/agent/server_client.h"
#include "node-attestor/verify/node_verifier.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"
#include "spire/api/types/bundle.pb-c.h"
#include "svid-issuer/jwt_jwks.h"
#include "svid-issuer/key_gen.h"

/* One entry's SVID as fetched. */
struct held {
        char entry_id[AE_REG_ENTRY_ID_MAX + 1];
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        int64_t fetched_at;
        struct ae_x509_svid_material m;
        /* A sync took m over into its next set: the Workload API still
         * reads it here until the sets are swapped, but this one no longer
         * frees it. */
        bool moved;
};

struct ae_server_source {
        struct ae_entry_cache *entries;
        pthread_mutex_t lock; /* everything below but conn */
        struct held *held;
        size_t n_held;
        struct ae_bundle_material bundle;
        struct ae_jwt_bundle_material jwt_bundle;
        uint64_t generation, fetches;
        pthread_rwlock_t conn_lock; /* JWT calls read it, set_conn writes it */
        struct ae_server_conn *conn;
};

int ae_server_source_new(struct ae_entry_cache *entries, struct ae_server_source **ret)
{
        struct ae_server_source *s;

        ENSURE(entries && ret, -EINVAL);
        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        s->entries = entries;
        pthread_mutex_init(&s->lock, NULL);
        pthread_rwlock_init(&s->conn_lock, NULL);
        *ret = s;
        return 0;
}

static void drop_held(struct ae_server_source *s)
{
        for (size_t i = 0; i < s->n_held; i++)
                if (!s->held[i].moved)
                        ae_x509_svid_material_clear(&s->held[i].m);
        free(s->held);
        s->held = NULL;
        s->n_held = 0;
}

void ae_server_source_free(struct ae_server_source *s)
{
        if (!s)
                return;
        drop_held(s);
        ae_bundle_material_clear(&s->bundle);
        ae_jwt_bundle_material_clear(&s->jwt_bundle);
        pthread_rwlock_destroy(&s->conn_lock);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

void ae_server_source_set_conn(struct ae_server_source *s, struct ae_server_conn *conn)
{
        pthread_rwlock_wrlock(&s->conn_lock);
        s->conn = conn;
        pthread_rwlock_unlock(&s->conn_lock);
}

/* ---- the Workload API's side ---- */

static int copy_material(const struct ae_x509_svid_material *from,
                         struct ae_x509_svid_material *to)
{
        *to = *from;
        to->chain_der = malloc(from->chain_len);
        to->key_der = malloc(from->key_len);
        if (!to->chain_der || !to->key_der) {
                free(to->chain_der);
                free(to->key_der);
                return -ENOMEM;
        }
        memcpy(to->chain_der, from->chain_der, from->chain_len);
        memcpy(to->key_der, from->key_der, from->key_len);
        return 0;
}

static int src_x509_svid(void *ctx, const struct ae_reg_entry *e, time_t now,
                         struct ae_x509_svid_material *ret)
{
        struct ae_server_source *s = ctx;
        int r = -EAGAIN; /* not fetched yet: Unavailable */

        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < s->n_held; i++) {
                const struct held *h = &s->held[i];

                if (strcmp(h->entry_id, e->id) != 0)
                        continue;
                if (strcmp(h->spiffe_id, e->spiffe_id) != 0 || h->m.not_after <= now)
                        break; /* changed or expired: wait for the next sync */
                r = copy_material(&h->m, ret);
                break;
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}

static int src_x509_bundle(void *ctx, struct ae_bundle_material *ret)
{
        struct ae_server_source *s = ctx;
        struct ae_bundle_material b;
        int r = -EAGAIN;

        pthread_mutex_lock(&s->lock);
        if (s->bundle.roots_len) {
                b = s->bundle;
                b.roots_der = malloc(b.roots_len);
                r = b.roots_der ? 0 : -ENOMEM;
                if (r == 0) {
                        memcpy(b.roots_der, s->bundle.roots_der, b.roots_len);
                        *ret = b;
                }
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}

static int src_jwt_bundle(void *ctx, struct ae_jwt_bundle_material *ret)
{
        struct ae_server_source *s = ctx;
        struct ae_jwt_bundle_material b;
        int r = -EAGAIN;

        pthread_mutex_lock(&s->lock);
        if (s->jwt_bundle.jwks) {
                b = s->jwt_bundle;
                b.jwks = strdup(s->jwt_bundle.jwks);
                r = b.jwks ? 0 : -ENOMEM;
                if (r == 0)
                        *ret = b;
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}

static int src_jwt_svid(void *ctx, const struct ae_reg_entry *e, const char *const *aud,
                        size_t n_aud, time_t now, char **ret_token)
{
        struct ae_server_source *s = ctx;
        struct ae_grpc_status st = { 0 };
        int64_t exp;
        int r = -EAGAIN;

        (void)now;
        pthread_rwlock_rdlock(&s->conn_lock);
        if (s->conn)
                r = ae_server_conn_jwt_svid(s->conn, e->id, aud, n_aud, ret_token, &exp, &st);
        pthread_rwlock_unlock(&s->conn_lock);
        if (r == -EREMOTEIO && st.code == GRPC_STATUS_INVALID_ARGUMENT)
                return -EINVAL; /* the audience: the caller's mistake */
        if (r == -EREMOTEIO && (st.code == GRPC_STATUS_NOT_FOUND ||
                                st.code == GRPC_STATUS_PERMISSION_DENIED))
                return -EACCES;
        return r < 0 ? -EAGAIN : 0;
}

static uint64_t src_generation(void *ctx)
{
        struct ae_server_source *s = ctx;
        uint64_t g;

        pthread_mutex_lock(&s->lock);
        g = s->generation;
        pthread_mutex_unlock(&s->lock);
        return g;
}

/* Renewal is the sync loop's job; the pusher only learns the generation. */
static uint64_t src_tick(void *ctx, time_t now)
{
        (void)now;
        return src_generation(ctx);
}

static const struct ae_svid_source_ops ops = {
        .x509_svid = src_x509_svid,
        .x509_bundle = src_x509_bundle,
        .jwt_svid = src_jwt_svid,
        .jwt_bundle = src_jwt_bundle,
        .tick = src_tick,
        .generation = src_generation,
};

struct ae_svid_source ae_server_source_ops(struct ae_server_source *s)
{
        return (struct ae_svid_source){ .ops = &ops, .ctx = s };
}

/* ---- the sync loop's side ---- */

/* A server entry as the agent holds it, node selectors dropped; false when
 * it cannot be held (logged). */
static bool convert_entry(const Spire__Api__Types__Entry *in, struct ae_reg_entry *out)
{
        enum ae_reg_entry_error err;

        memset(out, 0, sizeof(*out));
        if (!in->id || !in->spiffe_id || !in->spiffe_id->trust_domain || !in->spiffe_id->path)
                return false;
        snprintf(out->id, sizeof(out->id), "%s", in->id);
        snprintf(out->spiffe_id, sizeof(out->spiffe_id), "spiffe://%s%s",
                 in->spiffe_id->trust_domain, in->spiffe_id->path);
        for (size_t i = 0; i < in->n_selectors; i++) {
                const Spire__Api__Types__Selector *sel = in->selectors[i];

                if (!sel || !sel->type || !sel->value)
                        return false;
                if (strcmp(sel->type, AE_NODE_ATTESTOR_TYPE) == 0)
                        continue;
                if (out->n_selectors == AE_REG_ENTRY_SELECTORS_MAX)
                        return false;
                snprintf(out->selectors[out->n_selectors++], sizeof(out->selectors[0]), "%s:%s",
                         sel->type, sel->value);
        }
        out->x509_svid_ttl = in->x509_svid_ttl;
        out->jwt_svid_ttl = in->jwt_svid_ttl;
        snprintf(out->hint, sizeof(out->hint), "%s", in->hint ? in->hint : "");
        err = ae_reg_entry_validate(out);
        if (err != AE_REG_ENTRY_OK) {
                ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "entry", in->id }),
                              "entry skipped: %s", ae_reg_entry_error_str(err));
                return false;
        }
        return true;
}

static int sync_entries(struct ae_server_source *s, struct ae_server_conn *conn,
                        struct ae_reg_entry **ret, size_t *ret_n, struct ae_grpc_status *st)
{
        Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse *resp;
        ProtobufCMessage *m = NULL;
        struct ae_reg_entry *entries;
        size_t n = 0;
        int r;

        GUARD(ae_server_conn_entries(conn, &m, st));
        resp = (Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse *)m;
        entries = calloc(resp->n_entries ? resp->n_entries : 1, sizeof(*entries));
        if (!entries) {
                protobuf_c_message_free_unpacked(m, NULL);
                return -ENOMEM;
        }
        for (size_t i = 0; i < resp->n_entries && n < AE_ENTRY_CACHE_MAX; i++)
                if (resp->entries[i] && convert_entry(resp->entries[i], &entries[n]))
                        n++;
        protobuf_c_message_free_unpacked(m, NULL);
        r = ae_entry_cache_set(s->entries, entries, n, NULL, NULL);
        if (r < 0) {
                free(entries);
                return r;
        }
        *ret = entries;
        *ret_n = n;
        return 0;
}

static int sync_bundle(struct ae_server_source *s, struct ae_server_conn *conn,
                       struct ae_grpc_status *st)
{
        struct ae_bundle_material b = { 0 };
        struct ae_jwt_bundle_material jb = { 0 };
        EVP_PKEY *keys[16] = { 0 };
        const char *kids[16];
        Spire__Api__Types__Bundle *bundle;
        ProtobufCMessage *m = NULL;
        size_t n_keys = 0, len = 0;
        bool changed;
        int r;

        GUARD(ae_server_conn_bundle(conn, &m, st));
        bundle = (Spire__Api__Types__Bundle *)m;
        r = bundle->trust_domain && bundle->n_x509_authorities > 0 ? 0 : -EBADMSG;
        for (size_t i = 0; r == 0 && i < bundle->n_x509_authorities; i++)
                len += bundle->x509_authorities[i]->asn1.len;
        if (r == 0) {
                snprintf(b.trust_domain, sizeof(b.trust_domain), "%s", bundle->trust_domain);
                b.roots_der = malloc(len);
                r = b.roots_der ? 0 : -ENOMEM;
        }
        for (size_t i = 0; r == 0 && i < bundle->n_x509_authorities; i++) {
                memcpy(b.roots_der + b.roots_len, bundle->x509_authorities[i]->asn1.data,
                       bundle->x509_authorities[i]->asn1.len);
                b.roots_len += bundle->x509_authorities[i]->asn1.len;
        }
        for (size_t i = 0; r == 0 && i < bundle->n_jwt_authorities && n_keys < 16; i++) {
                const Spire__Api__Types__JWTKey *k = bundle->jwt_authorities[i];
                const unsigned char *p = k->public_key.data;

                keys[n_keys] = d2i_PUBKEY(NULL, &p, (long)k->public_key.len);
                kids[n_keys] = k->key_id;
                if (!keys[n_keys] || !k->key_id)
                        r = -EBADMSG;
                else
                        n_keys++;
        }
        if (r == 0) {
                snprintf(jb.trust_domain, sizeof(jb.trust_domain), "%s", bundle->trust_domain);
                r = ae_jwks_from_keys(keys, kids, n_keys, &jb.jwks);
                jb.jwks_len = r == 0 ? strlen(jb.jwks) : 0;
        }
        for (size_t i = 0; i < n_keys; i++)
                EVP_PKEY_free(keys[i]);
        protobuf_c_message_free_unpacked(m, NULL);
        if (r < 0) {
                ae_bundle_material_clear(&b);
                ae_jwt_bundle_material_clear(&jb);
                return r;
        }
        pthread_mutex_lock(&s->lock);
        changed = b.roots_len != s->bundle.roots_len ||
                  memcmp(b.roots_der, s->bundle.roots_der, b.roots_len) != 0 ||
                  !s->jwt_bundle.jwks || strcmp(jb.jwks, s->jwt_bundle.jwks) != 0;
        ae_bundle_material_clear(&s->bundle);
        ae_jwt_bundle_material_clear(&s->jwt_bundle);
        s->bundle = b;
        s->jwt_bundle = jb;
        if (changed)
                s->generation++;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

/* Whether h (for entry e) is still good at now: same SPIFFE ID, and not
 * past half of its life. */
static bool fresh(const struct held *h, const struct ae_reg_entry *e, time_t now)
{
        return strcmp(h->spiffe_id, e->spiffe_id) == 0 &&
               now < h->fetched_at + (h->m.not_after - h->fetched_at) / 2;
}

/* An entry of this sync whose SVID must be fetched, and the SVID held for
 * it until now (NULL: none). */
struct wanted {
        const struct ae_reg_entry *e;
        struct held *old;
};

/* The next SVID set: the fresh ones kept, then the fetched ones. */
struct next_set {
        struct held *held;
        size_t n, fetched;
        int first_err;
};

/* Moves old into the next set if it is still valid for e: an entry whose
 * fetch failed keeps serving its SVID until it expires. */
static void keep_valid(struct ae_server_source *s, const struct wanted *w, time_t now,
                       struct next_set *next)
{
        struct held *old = w->old;

        pthread_mutex_lock(&s->lock);
        if (old && !old->moved && old->m.chain_der && old->m.not_after > now &&
            strcmp(old->spiffe_id, w->e->spiffe_id) == 0) {
                next->held[next->n++] = *old;
                old->moved = true;
        }
        pthread_mutex_unlock(&s->lock);
}

/* Fetches n (1..AE_SERVER_BATCH_MAX) SVIDs in one BatchNewX509SVID, each
 * for a fresh key, into the next set; failures keep what is still valid. */
static void fetch_batch(struct ae_server_source *s, struct ae_server_conn *conn,
                        const struct wanted *w, size_t n, time_t now, struct next_set *next,
                        struct ae_grpc_status *st)
{
        const char **ids = calloc(n, sizeof(*ids));
        EVP_PKEY **keys = calloc(n, sizeof(*keys));
        struct ae_x509_svid_material *got = calloc(n, sizeof(*got));
        int *item = calloc(n, sizeof(*item)), r = ids && keys && got && item ? 0 : -ENOMEM;

        for (size_t i = 0; i < n && r == 0; i++) {
                ids[i] = w[i].e->id;
                r = ae_svid_key_generate(AE_CA_KEY_P256, &keys[i]);
        }
        if (r == 0)
                r = ae_server_conn_x509_svids(conn, ids, keys, n, got, item, st);
        for (size_t i = 0; i < n; i++) {
                int ri = r < 0 ? r : item[i];
                struct held *h = &next->held[next->n];

                if (ri < 0) {
                        if (!next->first_err)
                                next->first_err = ri;
                        keep_valid(s, &w[i], now, next);
                        continue;
                }
                snprintf(h->entry_id, sizeof(h->entry_id), "%s", w[i].e->id);
                snprintf(h->spiffe_id, sizeof(h->spiffe_id), "%s", w[i].e->spiffe_id);
                h->fetched_at = now;
                h->m = got[i];
                next->n++;
                next->fetched++;
        }
        for (size_t i = 0; keys && i < n; i++)
                EVP_PKEY_free(keys[i]);
        free(ids);
        free(keys);
        free(got);
        free(item);
}

int ae_server_source_sync(struct ae_server_source *s, struct ae_server_conn *conn, time_t now,
                          struct ae_grpc_status *st)
{
        struct ae_reg_entry *entries = NULL;
        struct wanted *want;
        struct next_set next = { 0 };
        size_t n = 0, n_want = 0;
        bool changed;

        ENSURE(s && conn, -EINVAL);
        GUARD(sync_bundle(s, conn, st));
        GUARD(sync_entries(s, conn, &entries, &n, st));
        next.held = calloc(n ? n : 1, sizeof(*next.held));
        want = calloc(n ? n : 1, sizeof(*want));
        if (!next.held || !want) {
                free(next.held);
                free(want);
                free(entries);
                return -ENOMEM;
        }
        /* Keep what is fresh; the rest is fetched, in batches, outside the
         * lock: the Workload API keeps reading the current set, whole,
         * until the next one replaces it. */
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < n; i++) {
                struct held *old = NULL;

                for (size_t k = 0; k < s->n_held && !old; k++)
                        if (strcmp(s->held[k].entry_id, entries[i].id) == 0 &&
                            !s->held[k].moved)
                                old = &s->held[k];
                if (old && fresh(old, &entries[i], now)) {
                        next.held[next.n++] = *old;
                        old->moved = true;
                } else {
                        want[n_want++] = (struct wanted){ .e = &entries[i], .old = old };
                }
        }
        pthread_mutex_unlock(&s->lock);
        for (size_t i = 0; i < n_want; i += AE_SERVER_BATCH_MAX)
                fetch_batch(s, conn, &want[i],
                            n_want - i < AE_SERVER_BATCH_MAX ? n_want - i : AE_SERVER_BATCH_MAX,
                            now, &next, st);
        pthread_mutex_lock(&s->lock);
        changed = next.fetched > 0 || next.n != s->n_held;
        drop_held(s);
        s->held = next.held;
        s->n_held = next.n;
        s->fetches += next.fetched;
        if (changed)
                s->generation++;
        pthread_mutex_unlock(&s->lock);
        free(want);
        free(entries);
        return next.first_err;
}

void ae_server_source_clear(struct ae_server_source *s)
{
        if (ae_entry_cache_set(s->entries, NULL, 0, NULL, NULL) < 0)
                ae_log(AE_LOG_ERROR, "entry cache: cannot clear");
        pthread_mutex_lock(&s->lock);
        drop_held(s);
        s->generation++;
        pthread_mutex_unlock(&s->lock);
}

size_t ae_server_source_svids(struct ae_server_source *s)
{
        size_t n;

        pthread_mutex_lock(&s->lock);
        n = s->n_held;
        pthread_mutex_unlock(&s->lock);
        return n;
}

uint64_t ae_server_source_fetches(struct ae_server_source *s)
{
        uint64_t n;

        pthread_mutex_lock(&s->lock);
        n = s->fetches;
        pthread_mutex_unlock(&s->lock);
        return n;
}
