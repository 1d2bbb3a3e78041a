# Relying party against the openssl CLI: our server context with s_client,
# our client context with s_server, SVIDs forged in C and one made by the
# openssl CLI. Needs only the openssl binary (skips without it).
add_executable(rp_peer ${CMAKE_CURRENT_LIST_DIR}/rp_peer.c
  ${CMAKE_SOURCE_DIR}/test/support/svid_forge.c)
aegis_harden(rp_peer)
target_link_libraries(rp_peer PRIVATE aegis_svid aegis_test_support)
add_test(NAME rp_peer COMMAND rp_peer)
set_tests_properties(rp_peer PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 600)
