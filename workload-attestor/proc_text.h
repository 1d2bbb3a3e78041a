/* Bounded scanning of /proc text. Everything in /proc/<pid>/ is untrusted:
 * a process names its own comm (any bytes but NUL, ')' included) and, in a
 * delegated subtree, its own cgroups. Lines and fields are spans into the
 * caller's buffer; nothing here needs NUL termination. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cursor.h"
#include "common/guard.h"

struct ae_wl_span {
        const char *p;
        size_t len;
};

/* The next line, without its '\n' (the last line may lack one). -ENODATA
 * when the cursor is at the end. */
AE_MUST_USE int ae_wl_next_line(struct ae_cursor *c, struct ae_wl_span *ret);

/* The next field of s separated by spaces or tabs; s advances past it.
 * False when only separators remain. */
bool ae_wl_next_field(struct ae_wl_span *s, struct ae_wl_span *ret);

/* If s begins with key (e.g. "Uid:"), the rest of it. */
bool ae_wl_strip_prefix(struct ae_wl_span s, const char *key, struct ae_wl_span *ret_rest);

/* The whole span as a decimal number: digits only, no sign, no overflow.
 * Anything else: -EINVAL. */
AE_MUST_USE int ae_wl_parse_u64(struct ae_wl_span s, uint64_t *ret);
/* As ae_wl_parse_u64 with an optional leading '-', within int64_t. */
AE_MUST_USE int ae_wl_parse_i64(struct ae_wl_span s, int64_t *ret);

bool ae_wl_span_eq(struct ae_wl_span s, const char *text);
