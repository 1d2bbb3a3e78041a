/* Which registration entries an attested node may have SVIDs for, the
 * server's one rule for GetAuthorizedEntries and for every signing call:
 *
 *   1. the entry's parent is the node's agent ID, or the ID of a node
 *      alias: an entry whose parent is the server
 *      (spiffe://<td>/spire/server) and whose selectors are all among the
 *      node's attested selectors (SPIRE's node entries); and
 *   2. every selector of the entry of the node attestor's type (aegis_tpm)
 *      is among the node's attested selectors, so an entry may ask for
 *      "aegis_tpm:geo_zone:eu-de" next to its workload selectors and only
 *      nodes attested in that zone get it.
 *
 * Node selectors are those of the node's latest accepted attestation: a
 * node re-attested elsewhere loses the entries of its old zone at once.
 * The agent matches the remaining (workload) selectors against each
 * process; the node-type ones have been decided here.
 *
 * More than AE_SERVER_ALIASES_MAX aliases matching one node is a
 * registration mistake: the ones after it, in entry id order, are not
 * honoured, rather than failing the node. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/guard.h"
#include "control-plane/server/datastore.h"

#define AE_SERVER_ALIASES_MAX 256

/* Whether every selector of e that is of type type_filter (NULL: all of
 * them) is among node's. */
bool ae_server_node_has_selectors(const struct ae_ds_node *node, const struct ae_ds_entry *e,
                                  const char *type_filter);

/* Calls fn for each entry authorised for node (in id order), stopping at
 * the first negative return, which is returned. server_id is the trust
 * domain's server ID. Datastore errors as ae_ds_entry_list. */
AE_MUST_USE int ae_server_authorized_foreach(struct ae_ds *ds, const struct ae_ds_node *node,
                                             const char *server_id,
                                             int (*fn)(const struct ae_ds_entry *e, void *ud),
                                             void *ud);

/* Whether the entry with this id is authorised for node now: 1 yes, 0 no
 * (also for an unknown id), negative errno. On 1, *ret (may be NULL) gets
 * the entry. The same rule as ae_server_authorized_foreach, at the cost of
 * one entry read: the server's own entries (the aliases) are read only
 * when the entry's parent is not the node's agent ID. */
AE_MUST_USE int ae_server_authorized_entry(struct ae_ds *ds, const struct ae_ds_node *node,
                                           const char *server_id, const char *entry_id,
                                           struct ae_ds_entry *ret);
