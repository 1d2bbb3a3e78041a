# Relying party: X509-SVID verifications per second (chain, claims, rule)
# against OpenSSL's bare ECDSA P-256 verify.
aegis_bench(bench_rp_verify
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_rp_verify.c ${CMAKE_SOURCE_DIR}/test/support/svid_forge.c
  LIBS aegis_svid)
target_include_directories(bench_rp_verify PRIVATE ${CMAKE_SOURCE_DIR}/test/support)
