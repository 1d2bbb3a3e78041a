/* The SPIFFE Workload API on a Unix socket (workload.proto, DESIGN.md
 * section 3): every call needs the "workload.spiffe.io: true" header
 * (InvalidArgument otherwise); the caller's pid, taken by the socket layer
 * at accept with a pidfd, goes to the workload attestor; its selectors and
 * the node's go to the entry cache; the matching entries' SVIDs come from
 * the SVID source, the first entry's the default.
 *
 *   FetchX509SVID    stream: the caller's X.509-SVIDs, again on rotation
 *   FetchX509Bundles stream: the trust bundle, again when it changes
 *   FetchJWTSVID     unary: JWT-SVIDs for the requested audience
 *   FetchJWTBundles  stream: the JWT bundle (a JWK Set)
 *   ValidateJWTSVID  unary: a token's SPIFFE ID and claims
 *
 * Status codes: InvalidArgument (header, request), PermissionDenied (the
 * caller has no identity: attestation refused it, or no entry matches),
 * Unavailable (the source cannot serve yet). Attesting and minting may take
 * time (a first hash of a large binary), so calls are served by worker
 * threads, never on the gRPC loop; a pusher thread ticks the source and
 * re-sends on every stream when the source's or the entries' generation
 * changes. A stream that does not read loses its own stream when its send
 * queue fills (grpc_server.h); nobody else waits on it.
 *
 * SPIFFE_ENDPOINT_SOCKET: clients find the socket through this variable,
 * "unix:///abs/path" (SPIFFE Workload Endpoint standard); the agent's
 * configuration names the same path. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/grpc_reason.h"
#include "common/guard.h"
#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/svid_source.h"

struct ae_workload_attestor;
struct ae_workload_api;

struct ae_workload_api_config {
        const char *socket_path;                  /* absolute */
        struct ae_workload_attestor *attestor;    /* borrowed */
        struct ae_entry_cache *entries;           /* borrowed */
        struct ae_svid_source source;             /* borrowed */
        /* This node's attested selector values (type aegis_tpm), copied;
         * entries may ask for them next to the workload's. */
        const char *const *node_selectors;
        size_t n_node_selectors;
        uint32_t workers;          /* threads serving calls; 0: 2 */
        uint32_t push_interval_ms; /* how often rotation is looked for; 0: 1000 */
        uint32_t max_connections;  /* 0: the gRPC layer's default */
        /* A connection's deadlines (grpc_server.h); 0: the layer's default. */
        uint32_t first_call_timeout_ms, idle_timeout_ms;
};

AE_MUST_USE int ae_workload_api_new(const struct ae_workload_api_config *cfg,
                                    struct ae_workload_api **ret);
/* Binds the socket and starts serving. Errors of ae_grpc_server_start. */
AE_MUST_USE int ae_workload_api_start(struct ae_workload_api *api);
/* Graceful: calls in progress get grace_ms, streams are then cancelled. */
void ae_workload_api_stop(struct ae_workload_api *api, uint32_t grace_ms);
/* Stops if needed; NULL-safe. */
void ae_workload_api_free(struct ae_workload_api *api);
AE_DEFINE_CLEANUP(struct ae_workload_api *, ae_workload_api_free)

/* Open streams now (for tests and metrics). */
size_t ae_workload_api_streams(struct ae_workload_api *api);
/* How often the gRPC layer turned a connection or call away for reason. */
uint64_t ae_workload_api_refusals(struct ae_workload_api *api, enum ae_grpc_reason reason);
