/* Building the selector list of a result: "type:value" strings gathered in
 * one growing buffer, then packed with the result into a single allocation
 * (ae_workload_result_free is free()). */
#pragma once

#include <stddef.h>

#include "common/guard.h"

struct ae_workload_result;

struct ae_wl_selectors {
        char *buf;
        size_t len, cap;
        size_t n;
};

/* Append "type:" followed by value_len bytes of value (which may hold any
 * byte but NUL: a path or cgroup name is not text the process promised). */
AE_MUST_USE int ae_wl_sel_add(struct ae_wl_selectors *s, const char *type, const char *value,
                              size_t value_len);
AE_MUST_USE int ae_wl_sel_add_u32(struct ae_wl_selectors *s, const char *type, unsigned long v);
/* True when exactly "type:value" is already in the list. */
int ae_wl_sel_has(const struct ae_wl_selectors *s, const char *type, const char *value,
                  size_t value_len);
void ae_wl_sel_fini(struct ae_wl_selectors *s);

/* Copy *tmpl and the selectors into one allocation; the result's path
 * points at the value of the first "path:" selector (or ""). */
AE_MUST_USE int ae_wl_sel_pack(const struct ae_wl_selectors *s,
                               const struct ae_workload_result *tmpl,
                               struct ae_workload_result **ret);
