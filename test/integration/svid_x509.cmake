# X.509-SVIDs and the CA judged by the openssl CLI: chains verify with
# `openssl verify`, the X509-SVID rules read back with `openssl x509 -ext`,
# an upstream CA played by `openssl x509 -req`, rotation with overlap.
add_executable(ae-svid-x509-tool ${CMAKE_CURRENT_LIST_DIR}/svid_x509_tool.c)
aegis_harden(ae-svid-x509-tool)
target_link_libraries(ae-svid-x509-tool PRIVATE aegis_ca_test_util aegis_svid)
add_test(NAME svid_x509_openssl
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/svid_x509_openssl.sh $<TARGET_FILE:ae-svid-x509-tool>)
set_tests_properties(svid_x509_openssl PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
