/* The agent's SVID source in production (svid_source.h): entries, SVIDs and
 * the bundle as aegis-server last handed them out.
 *
 * The agent's sync loop calls ae_server_source_sync on a connection that
 * speaks as the agent: it replaces the entry cache with the authorised
 * entries, refreshes the bundle, and fetches an X.509-SVID (with a key made
 * here) for every entry that has none or whose SVID is past half its life,
 * up to AE_SERVER_BATCH_MAX of them per BatchNewX509SVID call.
 * The Workload API only reads what was fetched: a workload never waits on
 * the server for an X.509-SVID, and while the server is away the cached
 * SVIDs are served until they expire. JWT-SVIDs are minted per request
 * through the connection last given (ae_server_source_set_conn).
 *
 * Node selectors: the server sends only entries whose aegis_tpm selectors
 * the node's latest attestation satisfies (and checks again when signing),
 * so those selectors are dropped here and entries are matched on their
 * workload selectors alone. An entry left with none is skipped: it would
 * match every process.
 *
 * Thread-safe: the Workload API's workers and its pusher call in while the
 * sync loop syncs; sync and clear themselves come from that one loop. */
#pragma once

#include <stdint.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/grpc_client.h"
#include "common/guard.h"
#include "control-plane/agent/svid_source.h"

struct ae_entry_cache;
struct ae_server_conn;
struct ae_server_source;

/* entries is borrowed (the Workload API reads the same cache). */
AE_MUST_USE int ae_server_source_new(struct ae_entry_cache *entries,
                                     struct ae_server_source **ret);
void ae_server_source_free(struct ae_server_source *s);
AE_DEFINE_CLEANUP(struct ae_server_source *, ae_server_source_free)

/* The source as the Workload API takes it. */
struct ae_svid_source ae_server_source_ops(struct ae_server_source *s);

/* The connection JWT-SVIDs are minted through (borrowed until replaced or
 * NULL). Waits for JWT calls in progress on the old one. */
void ae_server_source_set_conn(struct ae_server_source *s, struct ae_server_conn *conn);

/* One sync (see above). On a failure what is cached stays and the error
 * is returned (st, may be NULL, holds the server's status). Entries the
 * server no longer sends lose their SVIDs. */
AE_MUST_USE int ae_server_source_sync(struct ae_server_source *s, struct ae_server_conn *conn,
                                      time_t now, struct ae_grpc_status *st);

/* Forget every entry and SVID (the node lost its standing): workloads get
 * PermissionDenied from then on, and open streams end. */
void ae_server_source_clear(struct ae_server_source *s);

/* X.509-SVIDs held now, and how many were fetched since creation. */
size_t ae_server_source_svids(struct ae_server_source *s);
uint64_t ae_server_source_fetches(struct ae_server_source *s);
