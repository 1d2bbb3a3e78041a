/* Reading the daemons' JSON configuration files (jansson): typed members
 * with limits, relative paths taken from the file's directory, unknown
 * members refused, and every error naming its member:
 * "$.listen: expected a string". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/guard.h"

#define AE_CONFIG_FILE_MAX (1024 * 1024)

struct ae_config {
        json_t *root;         /* the object */
        char base_dir[4096];  /* for relative paths */
        char *err;            /* the caller's buffer */
        size_t err_cap;
};

/* Parse text as a JSON object. -EINVAL with the reason in err. */
AE_MUST_USE int ae_config_open(struct ae_config *c, const char *text, size_t len,
                               const char *base_dir, char *err, size_t err_cap);
/* Read a file (at most AE_CONFIG_FILE_MAX) and parse it; base_dir is its
 * directory. -errno for the file, -EINVAL for its contents. */
AE_MUST_USE int ae_config_open_file(struct ae_config *c, const char *path, char *err,
                                    size_t err_cap);
void ae_config_close(struct ae_config *c);

/* Record a problem (printf-style, name the member: "$.key: ...");
 * returns -EINVAL. */
int ae_config_fail(struct ae_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -EINVAL when the object has a member not in the NULL-terminated list. */
AE_MUST_USE int ae_config_only(struct ae_config *c, const char *const *allowed);

/* Each returns 0 and leaves *ret alone when the member is absent and not
 * required; -EINVAL (with err) when required and absent, of the wrong type,
 * or out of its limits. */
AE_MUST_USE int ae_config_string(struct ae_config *c, const char *key, bool required, char *ret,
                                 size_t cap);
/* A path: relative ones are joined to base_dir. */
AE_MUST_USE int ae_config_path(struct ae_config *c, const char *key, bool required, char *ret,
                               size_t cap);
AE_MUST_USE int ae_config_int(struct ae_config *c, const char *key, bool required, int64_t min,
                              int64_t max, int64_t *ret);
AE_MUST_USE int ae_config_bool(struct ae_config *c, const char *key, bool required, bool *ret);
/* An array of at most max strings, each under cap bytes, into ret[max][cap]. */
AE_MUST_USE int ae_config_strings(struct ae_config *c, const char *key, bool required,
                                  char *ret, size_t max, size_t cap, size_t *ret_n);
