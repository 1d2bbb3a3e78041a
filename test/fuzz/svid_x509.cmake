# The CA's PEM files and the checks on them (svid-issuer/ca_pem.c,
# ca_check.c): upstream certificates and chains, bundles, keys.
aegis_fuzz_target(fuzz_ca_pem SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_ca_pem.c LIBS aegis_svid)
# CSRs from agents (svid-issuer/csr.c).
aegis_fuzz_target(fuzz_csr SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_csr.c LIBS aegis_svid)
