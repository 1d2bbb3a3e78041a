# The attestation-claims JSON and X.509 extension (svid-issuer/claims*.c).
aegis_unit_test(test_claims
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_claims.c
  LIBS aegis_svid m)
