/* The attestation claims a workload SVID carries (DESIGN.md section 6),
 * put together by the server at signing time: grc.workload from the
 * registration entry, grc.tpm-attestation and grc.geolocation from the
 * calling agent's latest accepted attestation as the datastore holds it.
 * The issuer learns them as plain data (claims.h); nothing here looks at
 * attestor code. */
#pragma once

#include <stdint.h>

#include "common/guard.h"
#include "control-plane/server/datastore.h"
#include "svid-issuer/claims.h"

/* The workload attestor's selector type and the prefix of the selector
 * value naming the code: aegis_exe:sha256:<hex>. */
#define AE_SERVER_CODE_HASH_TYPE "aegis_exe"
#define AE_SERVER_CODE_HASH_PREFIX "sha256:"

/* The hex sha256 an entry's aegis_exe:sha256:<hex> selector names, or NULL
 * when it has none (the SVID then carries no claims: nothing vouches for
 * the code). */
const char *ae_server_entry_code_hash(const struct ae_ds_entry *e);

/* Claims for spiffe_id running code_hash (64 lowercase hex) on node, under
 * the policy whose digest is policy_digest (geolocation's policy_digest).
 * PoR claims no zone; a PoR node's fix, when the quote covered one, is
 * still claimed with its sensor and time. -EINVAL for a node the claims
 * rules refuse (ae_claims_validate). */
AE_MUST_USE int ae_server_node_claims(const struct ae_ds_node *node, const char *spiffe_id,
                                      const char *code_hash, const uint8_t policy_digest[32],
                                      struct ae_claims *ret);
