# Relying party (svid-issuer/rp_*.c): rules, trust bundles, the X509-SVID
# verifier and its OpenSSL mTLS contexts, on certificates forged in C
# (test/support/svid_forge.c) independently of the issuer's minting; and
# (minted) on what the issuer's CA really writes.
set(AEGIS_SVID_FORGE ${CMAKE_SOURCE_DIR}/test/support/svid_forge.c)
foreach(t rule bundle verify ssl minted)
  aegis_unit_test(test_rp_${t}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_rp_${t}.c ${AEGIS_SVID_FORGE}
    LIBS aegis_svid)
endforeach()
# Its own SVID from the Workload API: the response decoder.
aegis_unit_test(test_rp_workload
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_rp_workload.c ${AEGIS_SVID_FORGE}
  LIBS aegis_rp_workload)
