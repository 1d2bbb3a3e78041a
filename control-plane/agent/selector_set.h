/* A workload's selectors as a set, for matching registration entries: every
 * selector in SPIRE's "type:value" form ("aegis_exe:sha256:<hex>",
 * "aegis_tpm:geo_zone:eu-de"), sorted and unique so a lookup is a binary
 * search. The agent builds one per Workload API call from the workload
 * attestor's values (type unix) and its own node's attested selectors (type
 * aegis_tpm): an entry may ask for both, "this code, on a node in this
 * zone". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/cleanup.h"
#include "common/guard.h"

/* Longest "type:value" (a cgroup path can be long). */
#define AE_SELECTOR_MAX 512
/* Most selectors one workload is described by (groups, cgroups, node). */
#define AE_SELECTOR_SET_MAX 512

struct ae_selector_set;

AE_MUST_USE int ae_selector_set_new(struct ae_selector_set **ret);
void ae_selector_set_free(struct ae_selector_set *s);
AE_DEFINE_CLEANUP(struct ae_selector_set *, ae_selector_set_free)

/* Add type:value for each of values[0..n) (all of one type). A repeat is
 * ignored. -EINVAL for an empty or ':'-containing type, an empty value or
 * one with a control byte, -ENAMETOOLONG over AE_SELECTOR_MAX, -E2BIG over
 * AE_SELECTOR_SET_MAX; nothing is added then. */
AE_MUST_USE int ae_selector_set_add(struct ae_selector_set *s, const char *type,
                                    const char *const *values, size_t n);

/* Sort for lookups; call after the last add. */
void ae_selector_set_seal(struct ae_selector_set *s);

/* Whether the sealed set holds selector ("type:value"). */
bool ae_selector_set_contains(const struct ae_selector_set *s, const char *selector);

size_t ae_selector_set_count(const struct ae_selector_set *s);
/* The i-th selector in sorted order (sealed set), NULL past the end. */
const char *ae_selector_set_at(const struct ae_selector_set *s, size_t i);

/* Whether text is a selector an entry may name: "type:value", both parts
 * non-empty, type without ':', printable ASCII, at most AE_SELECTOR_MAX. */
bool ae_selector_valid(const char *text);
