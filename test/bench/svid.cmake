# X.509-SVID minting against OpenSSL's raw ECDSA P-256 signing rate.
aegis_bench(bench_svid_mint SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_svid_mint.c
  ${CMAKE_CURRENT_LIST_DIR}/bench_ca.c LIBS aegis_ca_test_util aegis_svid)
