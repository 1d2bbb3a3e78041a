/* Matching a node's quoted PCR values against the policy's golden sets. */
#pragma once

#include "node-attestor/pcrs.h"
#include "policy/policy.h"

/* The first golden set (in policy order) every PCR of which has exactly the
 * reported value, or NULL when none matches. */
const struct ae_policy_pcr_set *ae_pcr_policy_match(const struct ae_policy *policy,
                                                    const struct ae_pcr_values *values);
