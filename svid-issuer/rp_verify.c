#include "svid-issuer/rp_verify.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_leaf.h"
#include "svid-issuer/rp_rule.h"

static enum ae_rp_reason chain_reason(int err)
{
        switch (err) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
                return AE_RP_CHAIN_UNTRUSTED;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
                return AE_RP_CHAIN_SIGNATURE;
        case X509_V_ERR_CERT_HAS_EXPIRED:
                return AE_RP_CHAIN_EXPIRED;
        case X509_V_ERR_CERT_NOT_YET_VALID:
                return AE_RP_CHAIN_NOT_YET_VALID;
        case X509_V_ERR_INVALID_CA:
                return AE_RP_CHAIN_ISSUER_NOT_CA;
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
                return AE_RP_CHAIN_PATH_LENGTH;
        case X509_V_ERR_CERT_CHAIN_TOO_LONG:
                return AE_RP_CHAIN_TOO_LONG;
        default:
                return AE_RP_CHAIN_INVALID;
        }
}

/* X509_verify_cert of leaf against store alone: 1 verified, 0 refused
 * (*ret_err, *ret_depth), negative errno when OpenSSL fails. */
static int chain_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain, int64_t now,
                        int *ret_err, int *ret_depth)
{
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        X509_VERIFY_PARAM *param;
        int ok;

        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(X509_STORE_CTX_init(ctx, store, leaf, chain));
        param = X509_STORE_CTX_get0_param(ctx);
        /* Bundle entries are anchors whether or not they are self-signed. */
        ENSURE_OSSL(X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN));
        X509_VERIFY_PARAM_set_depth(param, AE_RP_CHAIN_DEPTH_MAX);
        X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
        ok = X509_verify_cert(ctx);
        if (ok == 1) {
                *ret_err = X509_V_OK;
                *ret_depth = -1;
                return 1;
        }
        *ret_err = X509_STORE_CTX_get_error(ctx);
        *ret_depth = X509_STORE_CTX_get_error_depth(ctx);
        ERR_clear_error();
        /* A negative return without a verify error is OpenSSL failing, not
         * the chain. */
        return ok < 0 && *ret_err == X509_V_OK ? -EIO : 0;
}

/* Whether the chain verifies against some trust domain other than td. */
static bool chains_elsewhere(const struct ae_rp_bundle *b, const char *td, X509 *leaf,
                             STACK_OF(X509) *chain, int64_t now)
{
        for (size_t i = 0; i < ae_rp_bundle_count(b); i++) {
                int err, depth;

                if (strcmp(ae_rp_bundle_trust_domain(b, i), td) == 0)
                        continue;
                if (chain_verify(ae_rp_bundle_store_at(b, i), leaf, chain, now, &err, &depth) == 1)
                        return true;
        }
        return false;
}

static int refuse(struct ae_rp_result *r, enum ae_rp_reason reason)
{
        r->reason = reason;
        return reason == AE_RP_OK ? 0 : -EACCES;
}

static int verify(const struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule, X509 *leaf,
                  STACK_OF(X509) *chain, int64_t now, struct ae_rp_result *r)
{
        static const struct ae_rp_rule empty_rule;
        enum ae_rp_reason reason;
        X509_STORE *store;
        bool present = false;
        int ok, rc;

        if (!rule)
                rule = &empty_rule;
        if (ae_rp_leaf_check(leaf, &r->id, &reason, &r->id_error) < 0)
                return refuse(r, reason);
        r->has_id = true;

        store = ae_rp_bundle_store(bundle, r->id.trust_domain);
        if (!store)
                return refuse(r, AE_RP_TRUST_DOMAIN_UNKNOWN);
        ok = chain_verify(store, leaf, chain, now, &r->x509_error, &r->x509_depth);
        if (ok < 0)
                return ok;
        if (ok == 0) {
                reason = chain_reason(r->x509_error);
                if (reason == AE_RP_CHAIN_UNTRUSTED &&
                    chains_elsewhere(bundle, r->id.trust_domain, leaf, chain, now))
                        reason = AE_RP_CHAIN_OTHER_TRUST_DOMAIN;
                return refuse(r, reason);
        }

        /* Claims are judged only when the rule asks (rp_rule.h); when it
         * does not, valid claims are still handed to the host. */
        rc = ae_claims_from_cert_explain(leaf, &r->claims, &present, &r->claims_error);
        if (rc == -ENOMEM)
                return rc;
        r->has_claims = rc == 0 && present;
        if (rc < 0 && ae_rp_rule_needs_claims(rule))
                return refuse(r, AE_RP_CLAIMS_INVALID);
        return refuse(r, ae_rp_rule_check(rule, &r->id, r->has_claims ? &r->claims : NULL, now));
}

int ae_rp_verify(const struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule, X509 *leaf,
                 STACK_OF(X509) *chain, int64_t now, struct ae_rp_result *ret)
{
        struct ae_rp_result scratch;
        struct ae_rp_result *r = ret ? ret : &scratch;
        int rc;

        memset(r, 0, sizeof(*r));
        r->reason = AE_RP_INTERNAL;
        r->x509_error = X509_V_OK;
        r->x509_depth = -1;
        ENSURE(bundle && leaf, -EINVAL);
        rc = verify(bundle, rule, leaf, chain, now, r);
        if (rc < 0 && rc != -EACCES)
                r->reason = AE_RP_INTERNAL;
        return rc;
}

void ae_rp_result_describe(const struct ae_rp_result *r, char *buf, size_t size)
{
        char detail[256] = "", id[AE_SPIFFE_ID_SIZE] = "";

        if (!buf || size == 0)
                return;
        if (!r) {
                snprintf(buf, size, "no verification");
                return;
        }
        if (r->x509_error != X509_V_OK)
                snprintf(detail, sizeof(detail), " (OpenSSL: %s, depth %d)",
                         X509_verify_cert_error_string(r->x509_error), r->x509_depth);
        else if (r->reason == AE_RP_LEAF_ID_INVALID)
                snprintf(detail, sizeof(detail), " (%s)", ae_spiffe_id_error_str(r->id_error));
        else if (r->reason == AE_RP_CLAIMS_INVALID)
                snprintf(detail, sizeof(detail), " (%s)", ae_svid_reason_str(r->claims_error));
        if (r->has_id && ae_spiffe_id_format(&r->id, id, sizeof(id), NULL) < 0)
                id[0] = '\0';
        snprintf(buf, size, "%s: %s%s%s%s", ae_rp_reason_id(r->reason), ae_rp_reason_str(r->reason),
                 detail, id[0] ? " id=" : "", id);
}
