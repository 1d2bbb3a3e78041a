# Relying party: the rule text, a peer's leaf certificate, trust bundles, its
# own SVID as the Workload API delivers it.
aegis_fuzz_target(fuzz_rp_rule SOURCES fuzz_rp_rule.c LIBS aegis_svid)
aegis_fuzz_target(fuzz_rp_leaf SOURCES fuzz_rp_leaf.c LIBS aegis_svid)
aegis_fuzz_target(fuzz_rp_bundle SOURCES fuzz_rp_bundle.c LIBS aegis_svid)
aegis_fuzz_target(fuzz_workload_svid SOURCES fuzz_workload_svid.c LIBS aegis_rp_workload)
