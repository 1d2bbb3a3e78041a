/* An SVID source (svid_source.h) backed by the issuer library and a loaded
 * CA: it mints each entry's X.509-SVID with a fresh key on first use and
 * again once the SVID is past half its lifetime, so a workload always holds
 * one with time to spare. With node claims (the agent's latest accepted
 * attestation: level, TPM, location), SVIDs carry the attestation claims;
 * their grc.workload code hash comes from the entry's
 * "aegis_exe:sha256:<hex>" selector, and an entry without one gets an SVID
 * without claims (nothing would vouch for the code). Thread-safe. */
#pragma once

#include "common/cleanup.h"
#include "common/guard.h"
#include "control-plane/agent/svid_source.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"

struct ae_issuer_source;

/* ca is borrowed and must outlive the source. node_claims (may be NULL) is
 * copied; its workload part is ignored. key_type: the workload keys'. */
AE_MUST_USE int ae_issuer_source_new(const struct ae_ca *ca, const struct ae_claims *node_claims,
                                     enum ae_ca_key_type key_type, struct ae_issuer_source **ret);
void ae_issuer_source_free(struct ae_issuer_source *s);
AE_DEFINE_CLEANUP(struct ae_issuer_source *, ae_issuer_source_free)

/* The source's face for the agent (valid while s lives). */
struct ae_svid_source ae_issuer_source_as_source(struct ae_issuer_source *s);

/* How many SVIDs it has minted, for tests and logs. */
uint64_t ae_issuer_source_mints(struct ae_issuer_source *s);
