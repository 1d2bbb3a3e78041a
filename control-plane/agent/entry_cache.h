/* The registration entries this agent may issue for, as last synced from
 * the server (or set by a test): replaced whole, read by every Workload API
 * call. Thread-safe: readers copy out what matched, so a sync never pulls
 * an entry from under a call. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "control-plane/agent/reg_entry.h"

#define AE_ENTRY_CACHE_MAX 4096

struct ae_entry_cache;

AE_MUST_USE int ae_entry_cache_new(struct ae_entry_cache **ret);
void ae_entry_cache_free(struct ae_entry_cache *c);
AE_DEFINE_CLEANUP(struct ae_entry_cache *, ae_entry_cache_free)

/* Replace every entry with entries[0..n), in that order. All or nothing:
 * an invalid entry or a repeated entry id refuses the whole set (-EINVAL;
 * *ret_err and *ret_index, both optional, say which and why: a repeated id
 * is AE_REG_ENTRY_ID), -E2BIG over AE_ENTRY_CACHE_MAX, -ENOMEM. */
AE_MUST_USE int ae_entry_cache_set(struct ae_entry_cache *c, const struct ae_reg_entry *entries,
                                   size_t n, enum ae_reg_entry_error *ret_err, size_t *ret_index);

/* Copies of the entries the workload's sealed selector set matches, in the
 * cache's order (the first is the workload's default identity). *ret is
 * malloc'd (NULL when none match), *ret_n its length. -ENOMEM. */
AE_MUST_USE int ae_entry_cache_match(struct ae_entry_cache *c, const struct ae_selector_set *s,
                                     struct ae_reg_entry **ret, size_t *ret_n);

/* Changes with every successful set: streams compare it to know when to
 * look again. */
uint64_t ae_entry_cache_generation(struct ae_entry_cache *c);
