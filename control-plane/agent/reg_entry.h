/* Registration entries as the agent holds them: which SPIFFE ID a workload
 * gets when its selectors include all of an entry's (SPIRE's rule: an entry
 * matches when its selectors are a subset of the workload's). Plain data;
 * the server is their source (issue 8), tests and the demo build them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "control-plane/agent/selector_set.h"

#define AE_REG_ENTRY_ID_MAX 64
#define AE_REG_ENTRY_SELECTORS_MAX 16
#define AE_REG_ENTRY_HINT_MAX 64
/* SVID lifetimes an entry may ask for; 0 takes the default. */
#define AE_REG_ENTRY_TTL_MAX (30 * 24 * 3600LL)

struct ae_reg_entry {
        char id[AE_REG_ENTRY_ID_MAX + 1];  /* the server's entry id */
        char spiffe_id[AE_SPIFFE_ID_SIZE]; /* what the workload becomes */
        size_t n_selectors;                /* 1..AE_REG_ENTRY_SELECTORS_MAX */
        char selectors[AE_REG_ENTRY_SELECTORS_MAX][AE_SELECTOR_MAX + 1];
        int64_t x509_svid_ttl;             /* seconds; 0: the issuer's default */
        int64_t jwt_svid_ttl;
        char hint[AE_REG_ENTRY_HINT_MAX + 1]; /* Workload API "hint", may be "" */
};

/* Why an entry is refused. */
enum ae_reg_entry_error {
        AE_REG_ENTRY_OK = 0,
        AE_REG_ENTRY_ID,          /* empty, too long, or not [A-Za-z0-9._-] */
        AE_REG_ENTRY_SPIFFE_ID,   /* not a SPIFFE ID with a path */
        AE_REG_ENTRY_NO_SELECTORS,
        AE_REG_ENTRY_SELECTOR,    /* not "type:value" (selector_set.h) */
        AE_REG_ENTRY_DUPLICATE_SELECTOR,
        AE_REG_ENTRY_TTL,
        AE_REG_ENTRY_HINT,        /* not printable ASCII */
        AE_REG_ENTRY_ERROR_COUNT
};

const char *ae_reg_entry_error_str(enum ae_reg_entry_error err);
const char *ae_reg_entry_error_id(enum ae_reg_entry_error err);

/* Check e against the rules above (the first broken one is returned). */
enum ae_reg_entry_error ae_reg_entry_validate(const struct ae_reg_entry *e);

/* Whether every selector of e is in the workload's sealed set. */
bool ae_reg_entry_matches(const struct ae_reg_entry *e, const struct ae_selector_set *workload);
