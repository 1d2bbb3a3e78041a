/* Where the agent's SVIDs come from. The Workload API asks a source for
 * each matched entry's current X.509-SVID and for the trust bundles, and
 * watches its generation to push rotations. In production the source is
 * the agent's cache fed by the server (issue 8); issuer_source.h is one
 * backed by the issuer library and a CA directory (tests, the demo, a
 * standalone agent). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "control-plane/agent/reg_entry.h"

/* One X.509-SVID as the Workload API hands it out: DER, not PEM. */
struct ae_x509_svid_material {
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        uint8_t *chain_der; /* the leaf, then its intermediates, concatenated */
        size_t chain_len;
        uint8_t *key_der;   /* the private key, PKCS#8 */
        size_t key_len;
        int64_t not_after;  /* the leaf's, s since the epoch */
};

/* Frees the buffers (the key wiped first); NULL-safe; the struct itself is
 * the caller's. */
void ae_x509_svid_material_clear(struct ae_x509_svid_material *m);

/* One trust domain's roots, DER certificates concatenated. */
struct ae_bundle_material {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        uint8_t *roots_der;
        size_t roots_len;
};

void ae_bundle_material_clear(struct ae_bundle_material *b);

/* One trust domain's JWT bundle: a JWK Set (jwt_jwks.h), JSON text. */
struct ae_jwt_bundle_material {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        char *jwks;
        size_t jwks_len;
};

void ae_jwt_bundle_material_clear(struct ae_jwt_bundle_material *b);

struct ae_svid_source_ops {
        /* The current SVID for e at now (minting or renewing as needed).
         * -EACCES when the source may not issue for e. */
        int (*x509_svid)(void *ctx, const struct ae_reg_entry *e, time_t now,
                         struct ae_x509_svid_material *ret);
        /* The agent's own trust domain's bundle. */
        int (*x509_bundle)(void *ctx, struct ae_bundle_material *ret);
        /* A JWT-SVID for e and aud[0..n_aud) at now: *ret_token malloc'd.
         * -EINVAL for audiences the token format refuses, -EACCES when the
         * source may not issue for e. */
        int (*jwt_svid)(void *ctx, const struct ae_reg_entry *e, const char *const *aud,
                        size_t n_aud, time_t now, char **ret_token);
        /* The agent's own trust domain's JWT bundle. */
        int (*jwt_bundle)(void *ctx, struct ae_jwt_bundle_material *ret);
        /* Renew what is past half its life; returns the generation after. */
        uint64_t (*tick)(void *ctx, time_t now);
        /* Changes whenever an SVID or the bundle would come back different. */
        uint64_t (*generation)(void *ctx);
};

struct ae_svid_source {
        const struct ae_svid_source_ops *ops;
        void *ctx;
};
