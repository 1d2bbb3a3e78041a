/* Registration entries between the datastore's struct and SPIRE's
 * spire.api.types.Entry, both ways: the server sends entries to agents
 * (GetAuthorizedEntries) and operators (GetEntry, ListEntries), and reads
 * them from operators (BatchCreateEntry). */
#pragma once

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "control-plane/server/datastore.h"
#include "spire/api/types/entry.pb-c.h"

/* An Entry message whose strings point into the ae_ds_entry it was made
 * from (which must outlive it) or into this struct. */
struct ae_entry_msg {
        Spire__Api__Types__Entry entry;
        Spire__Api__Types__SPIFFEID id, parent;
        struct ae_spiffe_id id_parts, parent_parts;
        Spire__Api__Types__Selector selectors[AE_DS_ENTRY_SELECTORS_MAX];
        Spire__Api__Types__Selector *selector_ptrs[AE_DS_ENTRY_SELECTORS_MAX];
        char *dns_ptrs[AE_DS_DNS_NAMES_MAX];
};

/* -EINVAL for an entry whose IDs do not parse (none the datastore holds). */
AE_MUST_USE int ae_entry_msg_fill(struct ae_entry_msg *m, const struct ae_ds_entry *e);

/* An operator's Entry as the datastore takes it (its id, created_at and
 * revision are the datastore's to set). -EINVAL with *ret_why for what
 * cannot be represented: a missing or invalid SPIFFE ID or parent ID, more
 * selectors or DNS names than the datastore holds, a value too long,
 * negative TTLs; the rest is for ae_ds_entry_validate. */
AE_MUST_USE int ae_entry_from_msg(const Spire__Api__Types__Entry *m, struct ae_ds_entry *ret,
                                  const char **ret_why);
