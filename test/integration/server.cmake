# aegis-server end to end on the swtpm_attest fixture: attestation through
# the TPM over TLS, entries over the admin socket, SVIDs over mTLS, a rogue
# TPM, a tampered node, a restart (server_e2e.sh).
add_executable(server_probe ${CMAKE_CURRENT_LIST_DIR}/server_probe.c)
aegis_harden(server_probe)
target_link_libraries(server_probe PRIVATE aegis_agent_client)
aegis_fixture_test(server_e2e FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/server_e2e.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:server_probe>
                   LABELS "tpm;integration;e2e")

# The whole chain: aegis-server, aegis-agent on the fixture's TPM, a workload
# fetching through Debian's grpcio; a server restart, tampering, healing.
aegis_fixture_test(agent_e2e FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_e2e.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto
                   LABELS "tpm;integration;e2e")
set_tests_properties(agent_e2e PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
# The operator's commands, aegis entry create/show/delete and aegis bundle
# show, against aegis-server's admin socket; no TPM (server_cli.sh).
add_test(NAME server_cli
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/server_cli.sh $<TARGET_FILE:aegis>
                 $<TARGET_FILE:aegis-server>)
set_tests_properties(server_cli PROPERTIES LABELS "integration" TIMEOUT 300)

# Proof of Geofencing through the daemons: a fix from the gpsd fixture in
# every quote, a zone-bound entry, and a relocation refused.
aegis_fixture_test(agent_pog_e2e FIXTURES swtpm_attest gpsd_smoke
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_pog_e2e.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto
                   LABELS "tpm;gnss;integration;e2e")
set_tests_properties(agent_pog_e2e PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
