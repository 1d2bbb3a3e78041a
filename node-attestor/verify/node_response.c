/* Step 2 of node attestation on the server: response in, identity out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ct.h"
#include "common/hex.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/qualifying_data.h"
#include "node-attestor/verify/node_internal.h"
#include "node-attestor/verify/pcr_policy.h"
#include "node-attestor/verify/quote_check.h"
#include "policy/policy.h"

/* The reported PCR values as data: known bank, index, exact digest size,
 * each PCR once. */
static bool read_values(const AeResponseMsg *m, struct ae_pcr_values *ret)
{
        memset(ret, 0, sizeof(*ret));
        for (size_t i = 0; i < m->n_pcr_values; i++) {
                const AePcrValueMsg *pv = m->pcr_values[i];

                if (pv->hash_alg > 0xffff || pv->index >= AE_PCR_COUNT ||
                    ae_pcr_values_add(ret, (TPMI_ALG_HASH)pv->hash_alg, pv->index,
                                      pv->digest.data, pv->digest.len) < 0)
                        return false;
        }
        return true;
}

/* "<kind>:<value>", SPIRE's selector value form. */
static int add_selector(struct ae_node_result *res, const char *kind, const char *value)
{
        int n;

        ENSURE(res->n_selectors < AE_NODE_SELECTORS_MAX, -ENOBUFS);
        n = snprintf(res->selectors[res->n_selectors], AE_NODE_SELECTOR_MAX, "%s:%s", kind,
                     value);
        ENSURE(n > 0 && n < AE_NODE_SELECTOR_MAX, -ENOBUFS);
        res->n_selectors++;
        return 0;
}

static int add_location(const struct ae_node_verifier *v, const struct ae_location_outcome *loc,
                        struct ae_node_result *res)
{
        res->level = loc->level;
        res->por_reason = loc->por_reason;
        GUARD(add_selector(res, "level", ae_attest_level_name(loc->level)));
        for (size_t i = 0; i < loc->n_zones; i++) {
                GUARD(add_selector(res, "geo_zone", loc->zones[i]));
                snprintf(res->zones[i], sizeof(res->zones[i]), "%s", loc->zones[i]);
        }
        res->n_zones = loc->n_zones;
        /* Coordinates are personal data on a vehicle or a phone: they leave
         * the verifier only where the policy says so. */
        if (loc->has_fix && v->policy->location.share_coordinates) {
                res->has_coordinates = true;
                res->latitude = loc->claim.latitude;
                res->longitude = loc->claim.longitude;
        }
        return 0;
}

static int build_result(const struct ae_node_verifier *v, const struct ae_node_pending *p,
                        const char *pcr_policy, const struct ae_quote_info *quote,
                        const struct ae_location_outcome *loc,
                        const struct ae_node_replay_state *state, time_t now,
                        struct ae_node_result *res)
{
        char hex[AE_HEX_SIZE(32)];
        int n;

        memset(res, 0, sizeof(*res));
        GUARD(ae_hex_encode(p->id.ek_id, 32, hex, sizeof(hex)));
        n = snprintf(res->spiffe_id, sizeof(res->spiffe_id), "spiffe://%s/spire/agent/%s/%s",
                     v->policy->trust_domain, AE_NODE_ATTESTOR_TYPE, hex);
        ENSURE(n > 0 && (size_t)n < sizeof(res->spiffe_id), -ENAMETOOLONG);
        memcpy(res->ek_id, p->id.ek_id, 32);
        GUARD(add_selector(res, "ek_hash", hex));
        if (p->id.have_anchor) {
                GUARD(ae_hex_encode(p->id.anchor_id, 32, hex, sizeof(hex)));
                GUARD(add_selector(res, "ek_ca", hex));
        }
        if (p->id.manufacturer[0])
                GUARD(add_selector(res, "tpm_manufacturer", p->id.manufacturer));
        GUARD(add_selector(res, "pcr_policy", pcr_policy));
        snprintf(res->pcr_policy, sizeof(res->pcr_policy), "%s", pcr_policy);
        GUARD(add_location(v, loc, res));
        res->state = *state;
        memcpy(res->ak_name, p->id.ak_name, p->id.ak_name_len);
        res->ak_name_len = p->id.ak_name_len;
        memcpy(res->pcr_digest, quote->pcr_digest, quote->pcr_digest_len);
        res->pcr_digest_len = quote->pcr_digest_len;
        res->attested_at = now;
        if (loc->has_fix) {
                res->has_fix = true;
                res->fix_time_ms = loc->claim.timestamp_ms;
                res->sensor = loc->claim.sensor;
        }
        res->location_claim = p->location_claim;
        res->location_claim_len = p->location_claim_len;
        return 0;
}

/* Everything after decoding; the first failing check is the reason. */
static int check(struct ae_node_verifier *v, struct ae_node_pending *p, const AeResponseMsg *m,
                 const struct ae_node_replay_state *prev, time_t now,
                 struct ae_node_result *ret_result, enum ae_attest_reason *ret_reason)
{
        struct ae_pcr_values values;
        struct ae_quote_info info;
        struct ae_node_replay_state next;
        struct ae_location_outcome loc;
        const struct ae_policy_pcr_set *set;
        uint8_t extra[AE_QUALIFYING_DATA_LEN];
        enum ae_attest_reason reason;

        /* Only the TPM holding the EK could decrypt the secret, and it only
         * releases it for an object with the AK's name. */
        if (!ae_ct_equal_len(m->activated_secret.data, m->activated_secret.len, p->secret,
                             sizeof(p->secret))) {
                *ret_reason = AE_ATTEST_CREDENTIAL_MISMATCH;
                return 0;
        }
        if (p->location_required && m->location_claim.len == 0) {
                *ret_reason = AE_ATTEST_LOCATION_MISSING;
                return 0;
        }
        if (!read_values(m, &values)) {
                *ret_reason = AE_ATTEST_MESSAGE_MALFORMED;
                return 0;
        }
        GUARD(ae_attest_qualifying_data(p->nonce, m->location_claim.data, m->location_claim.len,
                                        extra));
        GUARD(ae_quote_check(&p->id.ak, p->id.ak_key, m->quote.data, m->quote.len,
                             m->quote_signature.data, m->quote_signature.len, extra,
                             sizeof(extra), &p->selection, &values, &info, &reason));
        if (reason == AE_ATTEST_OK)
                reason = ae_replay_check(prev, &info.clock, &next);
        if (reason != AE_ATTEST_OK) {
                *ret_reason = reason;
                return 0;
        }
        set = ae_pcr_policy_match(v->policy, &values);
        if (!set) {
                *ret_reason = AE_ATTEST_PCR_POLICY_NO_MATCH;
                return 0;
        }
        GUARD(ae_location_check(v->policy, p->sensor, p->sensor_len, m->location_claim.data,
                                m->location_claim.len, now, prev, &next, &loc, &reason));
        if (reason != AE_ATTEST_OK) {
                *ret_reason = reason;
                return 0;
        }
        if (m->location_claim.len) {
                p->location_claim = malloc(m->location_claim.len);
                ENSURE_ALLOC(p->location_claim);
                memcpy(p->location_claim, m->location_claim.data, m->location_claim.len);
                p->location_claim_len = m->location_claim.len;
        }
        GUARD(build_result(v, p, set->name, &info, &loc, &next, now, ret_result));
        *ret_reason = AE_ATTEST_OK;
        return 0;
}

int ae_node_verify(struct ae_node_verifier *v, struct ae_node_pending *pending,
                   const uint8_t *response, size_t response_len,
                   const struct ae_node_replay_state *prev, time_t now,
                   struct ae_node_result *ret_result, enum ae_attest_reason *ret_reason)
{
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
        int r;

        ENSURE(v && pending && (response || response_len == 0) && ret_result && ret_reason,
               -EINVAL);
        /* One answer per challenge, whatever the answer: a retry needs a new
         * challenge, so a nonce is never accepted twice. */
        if (pending->used) {
                *ret_reason = AE_ATTEST_CHALLENGE_USED;
                return 0;
        }
        pending->used = true;

        r = ae_attest_response_decode(response, response_len, &m);
        if (r < 0) {
                *ret_reason = r == -EMSGSIZE          ? AE_ATTEST_MESSAGE_TOO_LARGE
                              : r == -EPROTONOSUPPORT ? AE_ATTEST_VERSION_UNSUPPORTED
                                                      : AE_ATTEST_MESSAGE_MALFORMED;
                return 0;
        }
        return check(v, pending, m, prev, now, ret_result, ret_reason);
}
