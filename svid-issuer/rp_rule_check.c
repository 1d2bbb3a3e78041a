/* Judging one peer against a rule (rp_rule.h): pure, no allocation, no
 * clock of its own. */
#include "svid-issuer/rp_rule.h"

#include <string.h>

static bool in_set(const char *s, const void *set, size_t stride, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, (const char *)set + i * stride) == 0)
                        return true;
        return false;
}

#define IN_SET(s, arr, n) in_set((s), (arr), sizeof((arr)[0]), (n))

static bool any_zone_in_set(const struct ae_claims *c, const struct ae_rp_rule *rule)
{
        if (!c->geo.present)
                return false;
        for (size_t i = 0; i < c->geo.n_zones && i < AE_CLAIMS_ZONES_MAX; i++)
                if (IN_SET(c->geo.zones[i], rule->zones, rule->n_zones))
                        return true;
        return false;
}

/* attested_at against now: at most AE_RP_RULE_CLOCK_SKEW ahead, at most
 * max_age behind. Written so that no operand can overflow: attested_at is
 * >= 0 once the claims were validated, and is checked again here. */
static enum ae_rp_reason attestation_age(int64_t attested_at, int64_t now, int64_t max_age)
{
        if (attested_at < 0)
                return AE_RP_ATTESTATION_STALE;
        if (attested_at - AE_RP_RULE_CLOCK_SKEW > now)
                return AE_RP_ATTESTATION_FUTURE;
        if (now > attested_at && now - attested_at > max_age)
                return AE_RP_ATTESTATION_STALE;
        return AE_RP_OK;
}

enum ae_rp_reason ae_rp_rule_check(const struct ae_rp_rule *rule, const struct ae_spiffe_id *id,
                                   const struct ae_claims *claims, int64_t now)
{
        char text[AE_SPIFFE_ID_SIZE];

        if (!rule || !id || ae_spiffe_id_format(id, text, sizeof(text), NULL) < 0)
                return AE_RP_INTERNAL;
        if (rule->n_trust_domains > 0 &&
            !IN_SET(id->trust_domain, rule->trust_domains, rule->n_trust_domains))
                return AE_RP_RULE_TRUST_DOMAIN;
        if (rule->n_ids > 0 && !IN_SET(text, rule->ids, rule->n_ids))
                return AE_RP_RULE_ID;
        if (!ae_rp_rule_needs_claims(rule))
                return AE_RP_OK;

        if (!claims)
                return AE_RP_CLAIMS_ABSENT;
        /* Claims copied from another SVID must not vouch for this one. */
        if (strcmp(claims->workload.workload_id, text) != 0)
                return AE_RP_CLAIMS_ID_MISMATCH;
        if (rule->has_level && rule->level == AE_CLAIMS_POG && claims->level != AE_CLAIMS_POG)
                return AE_RP_RULE_LEVEL;
        if (rule->n_zones > 0 && !any_zone_in_set(claims, rule))
                return AE_RP_RULE_ZONE;
        if (rule->n_code_hashes > 0 &&
            !IN_SET(claims->workload.code_hash, rule->code_hashes, rule->n_code_hashes))
                return AE_RP_RULE_CODE_HASH;
        if (rule->n_ek_hashes > 0 &&
            (!claims->tpm.present || !IN_SET(claims->tpm.ek_hash, rule->ek_hashes, rule->n_ek_hashes)))
                return AE_RP_RULE_EK_HASH;
        if (rule->max_age > 0) {
                if (!claims->tpm.present)
                        return AE_RP_ATTESTATION_STALE;
                return attestation_age(claims->tpm.attested_at, now, rule->max_age);
        }
        return AE_RP_OK;
}
