/* Internal to policy/: walking a jansson document while keeping the JSON
 * path of where we are, so every validation error can name it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/guard.h"
#include "policy/policy.h"

struct json_check {
        struct ae_policy_error *err; /* may be NULL */
        char path[256];
        size_t len;
};

void json_check_init(struct json_check *c, struct ae_policy_error *err);

/* Descend into an object member / array element; json_check_up returns. */
void json_check_key(struct json_check *c, const char *key);
void json_check_index(struct json_check *c, size_t index);
void json_check_up(struct json_check *c, size_t saved_len);

/* Record an error at the current path (printf-style); returns -EINVAL. */
int json_check_fail(struct json_check *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Typed member access; each fails (with the member's path) when the type is
 * wrong, and the required ones when the member is absent. */
AE_MUST_USE int json_check_object(struct json_check *c, json_t *v);
/* Every key of obj must be one of the NULL-terminated list. */
AE_MUST_USE int json_check_keys(struct json_check *c, json_t *obj, const char *const *allowed);
AE_MUST_USE int json_check_string(struct json_check *c, json_t *obj, const char *key,
                                  bool required, const char **ret);
AE_MUST_USE int json_check_member(struct json_check *c, json_t *obj, const char *key,
                                  json_type type, bool required, json_t **ret);
