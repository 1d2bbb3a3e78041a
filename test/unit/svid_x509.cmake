# The signing CA and X.509-SVID minting (svid-issuer/ca*.c, x509_svid.c,
# key_gen.c). Certificates the tests build themselves come from
# ca_test_util.c, which uses OpenSSL's own extension code, not the issuer's.
add_library(aegis_ca_test_util STATIC ${CMAKE_CURRENT_LIST_DIR}/ca_test_util.c)
aegis_harden(aegis_ca_test_util)
target_link_libraries(aegis_ca_test_util PUBLIC aegis_svid aegis_test_support)
target_include_directories(aegis_ca_test_util PUBLIC ${CMAKE_CURRENT_LIST_DIR})
aegis_unit_test(test_ca
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ca.c
  LIBS aegis_ca_test_util aegis_svid)
aegis_unit_test(test_x509_svid
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_x509_svid.c
  LIBS aegis_ca_test_util aegis_svid)
aegis_unit_test(test_csr
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_csr.c
  LIBS aegis_ca_test_util aegis_svid)
