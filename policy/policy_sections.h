/* Internal to policy/: one loader per top-level section. Each validates its
 * JSON value (errors carry the JSON path) and fills its part of the policy. */
#pragma once

#include <jansson.h>

#include "common/guard.h"
#include "policy/json_check.h"
#include "policy/policy.h"

AE_MUST_USE int policy_load_ek(struct json_check *c, json_t *ek, const char *base_dir,
                               struct ae_policy *p);
AE_MUST_USE int policy_load_pcrs(struct json_check *c, json_t *pcrs, struct ae_policy *p);
AE_MUST_USE int policy_load_location(struct json_check *c, json_t *location,
                                     const char *base_dir, struct ae_policy *p);

/* Names of golden sets and zones: 1..AE_POLICY_NAME_MAX of [A-Za-z0-9._-]. */
bool policy_name_valid(const char *s);
