/* What the minting benchmarks share: the claims every benchmark SVID
 * carries (PoR with a TPM section, fixed values) and removing the CA
 * directory they made. */
#pragma once

#include "svid-issuer/claims.h"

void bench_claims(struct ae_claims *c, const char *workload_id);
void bench_remove_ca(const char *dir);
