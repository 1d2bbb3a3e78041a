# aegis-server's refusals, each with its exact status and reason, and the
# datastore unchanged by them: AttestAgent out of order, bad CSRs, oversized
# batches, a stale or banned node ('aegis agent ban'), an operator of
# another uid, ListEntries filters it does not have (server_refusals.sh,
# requests built by server_refusals.c; server_probe for the agent's own
# steps).
add_executable(server_refusals ${CMAKE_CURRENT_LIST_DIR}/server_refusals.c)
aegis_harden(server_refusals)
target_link_libraries(server_refusals PRIVATE aegis_tpm aegis_node_shared aegis_proto_spire aegis_grpc
  aegis_common
  PkgConfig::LIBCRYPTO)
aegis_fixture_test(server_refusals FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/server_refusals.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:server_probe>
                           $<TARGET_FILE:server_refusals>
                   LABELS "tpm;integration;e2e")
set_tests_properties(server_refusals PROPERTIES TIMEOUT 300)
