/* An accepted node attestation as JSON, both ways: `aegis attest --json`
 * writes it, `aegis svid mint --node FILE` reads it back into the SVID's
 * attestation claims (grc.tpm-attestation, grc.geolocation). The file is
 * the operator's own record of a verification they ran; the reader is
 * strict about its shape but cannot tell whether it was edited, which is
 * why the server (not this file) feeds claims in production. */
#pragma once

#include <jansson.h>

#include "common/guard.h"
#include "node-attestor/verify/node_verifier.h"
#include "svid-issuer/claims.h"

struct ae_policy;

/* The result and the policy it was judged by. NULL on allocation failure. */
json_t *ae_cli_node_result_json(const struct ae_node_result *res, const struct ae_policy *policy);

/* Fill c's level, tpm and geo parts from such JSON (its workload part is
 * left alone). -EBADMSG naming the member in *ret_why for anything missing,
 * mistyped or refused (not accepted, bad hex, too many zones). */
AE_MUST_USE int ae_cli_node_result_claims(const json_t *j, struct ae_claims *c,
                                          const char **ret_why);
