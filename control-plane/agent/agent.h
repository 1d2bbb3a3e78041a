/* aegis-agent: attests its node to aegis-server, keeps its workloads'
 * SVIDs fresh, and serves the Workload API (DESIGN.md sections 2 and 3).
 *
 * One loop thread does everything that talks to the server or the TPM:
 *   - attest at start and every reattest_interval_s (and when the agent
 *     SVID is past half its life): open the TPM, take a GNSS fix when PoG
 *     is configured, AttestAgent; the TPM is closed between attestations,
 *     so a TPM that goes away and comes back only delays one attempt;
 *   - sync every sync_interval_s: entries, bundle, an X.509-SVID per entry
 *     (server_source.h);
 *   - on a refused attestation (a tampered or relocated node), drop every
 *     entry and SVID at once, so workloads lose their identities, and keep
 *     trying; on a server or TPM that cannot be reached, keep serving what
 *     is cached and retry with backoff (1 s doubling to 60 s).
 * The Workload API (workload_api.h) answers from the cache, never waiting on
 * the server: Unavailable until the first sync. */
#pragma once

#include "common/cleanup.h"
#include "common/guard.h"
#include "control-plane/agent/agent_config.h"

struct ae_agent;

/* What the loop has done (for tests and the log). */
struct ae_agent_stats {
        uint64_t attestations, refusals, failures, syncs;
        bool attested; /* holds an identity the server accepted */
};

AE_MUST_USE int ae_agent_new(const struct ae_agent_config *cfg, struct ae_agent **ret, char *err,
                             size_t err_cap);
/* Binds the Workload API socket and starts the loop. */
AE_MUST_USE int ae_agent_start(struct ae_agent *a);
void ae_agent_stop(struct ae_agent *a);
void ae_agent_free(struct ae_agent *a);
AE_DEFINE_CLEANUP(struct ae_agent *, ae_agent_free)
void ae_agent_stats(struct ae_agent *a, struct ae_agent_stats *ret);
