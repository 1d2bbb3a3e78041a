/* aegis-server: verifies nodes and signs (DESIGN.md sections 2-4).
 *
 * Two gRPC servers on the layer of common/grpc_server.h:
 *   - agents, on TCP with TLS (the server's own SVID, with the configured
 *     DNS names): spire.api.server.agent.v1.Agent/AttestAgent and
 *     RenewAgent, entry.v1.Entry/GetAuthorizedEntries,
 *     svid.v1.SVID/BatchNewX509SVID and NewJWTSVID,
 *     bundle.v1.Bundle/GetBundle. AttestAgent needs no client certificate;
 *     every other call is made with the agent SVID it returned (mTLS);
 *   - operators, on a Unix socket of mode 0600 (root and the server's own
 *     user): entry.v1.Entry/BatchCreateEntry, BatchDeleteEntry, GetEntry,
 *     ListEntries, agent.v1.Agent/BanAgent, and bundle.v1.Bundle/GetBundle.
 *
 * Work that takes time (verifying a node, signing, the datastore) runs on a
 * pool of worker threads, never on a gRPC loop. */
#pragma once

#include "common/cleanup.h"
#include "common/guard.h"
#include "control-plane/server/server_config.h"

struct ae_server;

/* Load everything cfg names: the policy, the CA, the datastore (created or
 * migrated), and mint the server's TLS certificate. -errno with the reason
 * in err. Nothing listens before ae_server_start. */
AE_MUST_USE int ae_server_new(const struct ae_server_config *cfg, struct ae_server **ret,
                              char *err, size_t err_cap);

/* Bind and serve. -EADDRINUSE / -EADDRNOTAVAIL as the gRPC layer says. */
AE_MUST_USE int ae_server_start(struct ae_server *s);

/* The TCP port agents reach (the configured one, or the one given for
 * port 0). */
AE_MUST_USE int ae_server_port(const struct ae_server *s, int *ret_port);

/* Graceful stop: calls in progress get grace_ms, then are cancelled. */
void ae_server_stop(struct ae_server *s, uint32_t grace_ms);

/* Stops if needed and frees. NULL-safe. */
void ae_server_free(struct ae_server *s);
AE_DEFINE_CLEANUP(struct ae_server *, ae_server_free)
