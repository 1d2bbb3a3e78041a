/* What the minting benchmarks share: removing the CA directory they made.
 * Their claims are the unit tests' fixed PoR claims (ca_test_util.h:
 * ctu_claims). */
#pragma once

void bench_remove_ca(const char *dir);
