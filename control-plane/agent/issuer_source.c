#include "control-plane/agent/issuer_source.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/ossl.h"
#include "svid-issuer/jwt_jwk.h"
#include "svid-issuer/jwt_jwks.h"
#include "svid-issuer/jwt_svid.h"
#include "svid-issuer/x509_svid.h"
#include "workload-attestor/workload_attestor.h"

/* The selector naming the workload's code: aegis_exe:sha256:<hex>. */
#define CODE_HASH_PREFIX AE_WORKLOAD_ATTESTOR_TYPE ":sha256:"

struct cached {
        char entry_id[AE_REG_ENTRY_ID_MAX + 1];
        struct ae_x509_svid_material m;
        int64_t minted_at;
        struct ae_reg_entry entry; /* as minted: a changed entry is minted again */
};

struct ae_issuer_source {
        pthread_mutex_t lock;
        const struct ae_ca *ca;
        bool has_claims;
        struct ae_claims node_claims;
        enum ae_ca_key_type key_type;
        struct cached *cache;
        size_t n, cap;
        uint64_t generation, mints;
        /* JWT-SVIDs are signed with the CA key, named by the first 16 bytes
         * of its public key's sha256 (hex). */
        char kid[AE_JWT_KID_SIZE];
};

/* JWT-SVID lifetime when the entry names none: short, as bearer tokens
 * should be. */
#define JWT_TTL_DEFAULT 300

int ae_issuer_source_new(const struct ae_ca *ca, const struct ae_claims *node_claims,
                         enum ae_ca_key_type key_type, struct ae_issuer_source **ret)
{
        struct ae_issuer_source *s;

        ENSURE(ca && ret && key_type < AE_CA_KEY_TYPE_COUNT, -EINVAL);
        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        if (pthread_mutex_init(&s->lock, NULL) != 0) {
                free(s);
                return -ENOMEM;
        }
        s->ca = ca;
        s->key_type = key_type;
        if (ae_jwt_kid_for_key(ae_ca_key(ca), s->kid) < 0) {
                pthread_mutex_destroy(&s->lock);
                free(s);
                return -EIO;
        }
        if (node_claims) {
                s->has_claims = true;
                s->node_claims = *node_claims;
        }
        s->generation = 1;
        *ret = s;
        return 0;
}

void ae_issuer_source_free(struct ae_issuer_source *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                ae_x509_svid_material_clear(&s->cache[i].m);
        free(s->cache);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

/* The entry's code hash, or NULL. */
static const char *code_hash_of(const struct ae_reg_entry *e)
{
        for (size_t i = 0; i < e->n_selectors; i++)
                if (strncmp(e->selectors[i], CODE_HASH_PREFIX, strlen(CODE_HASH_PREFIX)) == 0)
                        return e->selectors[i] + strlen(CODE_HASH_PREFIX);
        return NULL;
}

static int append_der(X509 *cert, uint8_t **buf, size_t *len)
{
        int n = i2d_X509(cert, NULL);
        uint8_t *grown, *p;

        ENSURE(n > 0, -EIO);
        grown = realloc(*buf, *len + (size_t)n);
        ENSURE_ALLOC(grown);
        *buf = grown;
        p = grown + *len;
        ENSURE(i2d_X509(cert, &p) == n, -EIO);
        *len += (size_t)n;
        return 0;
}

/* leaf, then the signing cert unless it is the root, then intermediates. */
static int chain_der(const struct ae_ca *ca, X509 *leaf, struct ae_x509_svid_material *m)
{
        STACK_OF(X509) *up = ae_ca_chain(ca);

        GUARD(append_der(leaf, &m->chain_der, &m->chain_len));
        if (ae_ca_cert(ca) != ae_ca_root(ca))
                GUARD(append_der(ae_ca_cert(ca), &m->chain_der, &m->chain_len));
        for (int i = 0; i < sk_X509_num(up); i++)
                GUARD(append_der(sk_X509_value(up, i), &m->chain_der, &m->chain_len));
        return 0;
}

static int key_der(EVP_PKEY *key, struct ae_x509_svid_material *m)
{
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        BUF_MEM *mem;

        ENSURE_ALLOC(b);
        ENSURE_OSSL(i2d_PKCS8PrivateKey_bio(b, key, NULL, NULL, 0, NULL, NULL));
        BIO_get_mem_ptr(b, &mem);
        m->key_der = malloc(mem->length);
        ENSURE_ALLOC(m->key_der);
        memcpy(m->key_der, mem->data, mem->length);
        m->key_len = mem->length;
        OPENSSL_cleanse(mem->data, mem->length);
        return 0;
}

/* The claims for e's SVIDs into *c; false when it gets none. */
static bool claims_for(const struct ae_issuer_source *s, const struct ae_reg_entry *e,
                       struct ae_claims *c)
{
        const char *code_hash = code_hash_of(e);

        if (!s->has_claims || !code_hash)
                return false;
        *c = s->node_claims;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", e->spiffe_id);
        snprintf(c->workload.code_hash, sizeof(c->workload.code_hash), "%s", code_hash);
        return true;
}

static int mint(struct ae_issuer_source *s, const struct ae_reg_entry *e, time_t now,
                struct ae_x509_svid_material *ret)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_x509_svid_request req = { .spiffe_id = e->spiffe_id, .ttl_s = e->x509_svid_ttl };
        struct ae_x509_svid_material m = { 0 };
        struct ae_claims claims;
        enum ae_svid_reason reason;
        int r;

        if (claims_for(s, e, &claims))
                req.claims = &claims;
        GUARD(ae_svid_key_generate(s->key_type, &key));
        req.public_key = key;
        r = ae_x509_svid_mint(s->ca, &req, now, &leaf, &reason);
        if (r < 0)
                return reason == AE_SVID_INTERNAL ? r : -EACCES;
        snprintf(m.spiffe_id, sizeof(m.spiffe_id), "%s", e->spiffe_id);
        m.not_after = (int64_t)now;
        {
                const ASN1_TIME *na = X509_get0_notAfter(leaf);
                ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
                int days = 0, secs = 0;

                r = epoch && ASN1_TIME_diff(&days, &secs, epoch, na) == 1 ? 0 : -EIO;
                ASN1_TIME_free(epoch);
                GUARD(r);
                m.not_after = (int64_t)days * 86400 + secs;
        }
        r = chain_der(s->ca, leaf, &m);
        if (r == 0)
                r = key_der(key, &m);
        if (r < 0) {
                ae_x509_svid_material_clear(&m);
                return r;
        }
        s->mints++;
        *ret = m;
        return 0;
}

static bool due(const struct cached *c, time_t now)
{
        /* Renew at half-life: a workload always holds an SVID with half its
         * lifetime left when the next one arrives. */
        return (int64_t)now >= c->minted_at + (c->m.not_after - c->minted_at) / 2;
}

static struct cached *find(struct ae_issuer_source *s, const char *entry_id)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->cache[i].entry_id, entry_id) == 0)
                        return &s->cache[i];
        return NULL;
}

/* The cached SVID for e, minted or renewed as needed (lock held). */
static int current(struct ae_issuer_source *s, const struct ae_reg_entry *e, time_t now,
                   struct cached **ret)
{
        struct cached *c = find(s, e->id);
        struct ae_x509_svid_material m;

        if (c && !due(c, now) && memcmp(&c->entry, e, sizeof(*e)) == 0) {
                *ret = c;
                return 0;
        }
        GUARD(mint(s, e, now, &m));
        if (!c) {
                if (s->n == s->cap) {
                        size_t cap = s->cap ? s->cap * 2 : 8;
                        struct cached *grown = realloc(s->cache, cap * sizeof(*grown));

                        if (!grown) {
                                ae_x509_svid_material_clear(&m);
                                return -ENOMEM;
                        }
                        s->cache = grown;
                        s->cap = cap;
                }
                c = &s->cache[s->n++];
                memset(c, 0, sizeof(*c));
                snprintf(c->entry_id, sizeof(c->entry_id), "%s", e->id);
        }
        ae_x509_svid_material_clear(&c->m);
        c->m = m;
        c->minted_at = (int64_t)now;
        c->entry = *e;
        s->generation++;
        *ret = c;
        return 0;
}

static int dup_bytes(const uint8_t *src, size_t len, uint8_t **ret)
{
        *ret = malloc(len ? len : 1);
        ENSURE_ALLOC(*ret);
        memcpy(*ret, src, len);
        return 0;
}

static int src_x509_svid(void *ctx, const struct ae_reg_entry *e, time_t now,
                         struct ae_x509_svid_material *ret)
{
        struct ae_issuer_source *s = ctx;
        struct ae_x509_svid_material out = { 0 };
        struct cached *c;
        int r;

        pthread_mutex_lock(&s->lock);
        r = current(s, e, now, &c);
        if (r == 0) {
                out = c->m;
                out.chain_der = out.key_der = NULL;
                r = dup_bytes(c->m.chain_der, c->m.chain_len, &out.chain_der);
                if (r == 0)
                        r = dup_bytes(c->m.key_der, c->m.key_len, &out.key_der);
        }
        pthread_mutex_unlock(&s->lock);
        if (r < 0) {
                ae_x509_svid_material_clear(&out);
                return r;
        }
        *ret = out;
        return 0;
}

static int src_x509_bundle(void *ctx, struct ae_bundle_material *ret)
{
        struct ae_issuer_source *s = ctx;
        STACK_OF(X509) *roots = ae_ca_bundle(s->ca);
        struct ae_bundle_material b = { 0 };

        snprintf(b.trust_domain, sizeof(b.trust_domain), "%s", ae_ca_trust_domain(s->ca));
        for (int i = 0; i < sk_X509_num(roots); i++) {
                int r = append_der(sk_X509_value(roots, i), &b.roots_der, &b.roots_len);

                if (r < 0) {
                        ae_bundle_material_clear(&b);
                        return r;
                }
        }
        *ret = b;
        return 0;
}

static int src_jwt_svid(void *ctx, const struct ae_reg_entry *e, const char *const *aud,
                        size_t n_aud, time_t now, char **ret_token)
{
        struct ae_issuer_source *s = ctx;
        struct ae_jwt_signer signer = { .key = ae_ca_key(s->ca), .kid = s->kid,
                                        .trust_domain = ae_ca_trust_domain(s->ca) };
        struct ae_jwt_svid_params p = { .spiffe_id = e->spiffe_id, .aud = aud, .n_aud = n_aud };
        struct ae_claims claims;
        enum ae_jwt_reason reason;
        int r;

        p.ttl_s = e->jwt_svid_ttl ? e->jwt_svid_ttl : JWT_TTL_DEFAULT;
        if (p.ttl_s > AE_JWT_SVID_TTL_MAX)
                p.ttl_s = AE_JWT_SVID_TTL_MAX;
        if (claims_for(s, e, &claims))
                p.claims = &claims;
        r = ae_jwt_svid_mint(&signer, &p, now, ret_token, &reason);
        if (r == 0 || reason == AE_JWT_INTERNAL)
                return r;
        return reason == AE_JWT_AUD_MISSING || reason == AE_JWT_AUD_INVALID ? -EINVAL : -EACCES;
}

static int src_jwt_bundle(void *ctx, struct ae_jwt_bundle_material *ret)
{
        struct ae_issuer_source *s = ctx;
        EVP_PKEY *keys[1] = { ae_ca_key(s->ca) };
        const char *kids[1] = { s->kid };
        struct ae_jwt_bundle_material b = { 0 };

        snprintf(b.trust_domain, sizeof(b.trust_domain), "%s", ae_ca_trust_domain(s->ca));
        GUARD(ae_jwks_from_keys(keys, kids, 1, &b.jwks));
        b.jwks_len = strlen(b.jwks);
        *ret = b;
        return 0;
}

static uint64_t src_tick(void *ctx, time_t now)
{
        struct ae_issuer_source *s = ctx;
        uint64_t g;

        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < s->n; i++) {
                struct ae_reg_entry e;
                struct cached *c;

                if (!due(&s->cache[i], now))
                        continue;
                /* A failed renewal keeps the old SVID, still valid for half
                 * its life; the next tick tries again. */
                e = s->cache[i].entry;
                (void)current(s, &e, now, &c);
        }
        g = s->generation;
        pthread_mutex_unlock(&s->lock);
        return g;
}

static uint64_t src_generation(void *ctx)
{
        struct ae_issuer_source *s = ctx;
        uint64_t g;

        pthread_mutex_lock(&s->lock);
        g = s->generation;
        pthread_mutex_unlock(&s->lock);
        return g;
}

static const struct ae_svid_source_ops ops = {
        .x509_svid = src_x509_svid,
        .x509_bundle = src_x509_bundle,
        .jwt_svid = src_jwt_svid,
        .jwt_bundle = src_jwt_bundle,
        .tick = src_tick,
        .generation = src_generation,
};

struct ae_svid_source ae_issuer_source_as_source(struct ae_issuer_source *s)
{
        return (struct ae_svid_source){ .ops = &ops, .ctx = s };
}

uint64_t ae_issuer_source_mints(struct ae_issuer_source *s)
{
        uint64_t n;

        pthread_mutex_lock(&s->lock);
        n = s->mints;
        pthread_mutex_unlock(&s->lock);
        return n;
}
