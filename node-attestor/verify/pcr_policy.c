#include "node-attestor/verify/pcr_policy.h"

#include <string.h>

static bool set_matches(const struct ae_policy_pcr_set *set, const struct ae_pcr_values *values)
{
        for (size_t i = 0; i < set->values.count; i++) {
                const struct ae_pcr_value *want = &set->values.v[i];
                const struct ae_pcr_value *got =
                        ae_pcr_values_find(values, want->bank, want->index);

                /* PCR values are public measurements: no need for constant time. */
                if (!got || got->size != want->size ||
                    memcmp(got->digest, want->digest, want->size) != 0)
                        return false;
        }
        return true;
}

const struct ae_policy_pcr_set *ae_pcr_policy_match(const struct ae_policy *policy,
                                                    const struct ae_pcr_values *values)
{
        for (size_t i = 0; i < policy->n_golden; i++)
                if (set_matches(&policy->golden[i], values))
                        return &policy->golden[i];
        return NULL;
}
