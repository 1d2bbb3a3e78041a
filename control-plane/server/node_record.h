/* An accepted node attestation as the datastore keeps it: the verifier's
 * result (node_verifier.h) turned into the row GetAuthorizedEntries and the
 * claims of every later SVID are decided from. */
#pragma once

#include "common/guard.h"
#include "control-plane/server/datastore.h"
#include "node-attestor/verify/node_verifier.h"

/* -EINVAL for a result the datastore's limits refuse (none the verifier
 * produces). */
AE_MUST_USE int ae_server_node_record(const struct ae_node_result *res, struct ae_ds_node *ret);
