# The agent under faults, each on a TPM of its own (a node of the
# swtpm_attest fixture): the simulator killed and started again.
aegis_fixture_test(agent_tpm_restart FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_tpm_restart.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto
                   LABELS "tpm;integration;e2e")
set_tests_properties(agent_tpm_restart PROPERTIES TIMEOUT 300)

# gpsd killed under the agent: PoG lapses, PoR continues; refused where the
# policy requires a location. Its gpsd is its own (gpsd-fixture --only).
aegis_fixture_test(agent_gpsd_loss FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_gpsd_loss.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto $<TARGET_FILE:ae-nmea-scenario>
                   LABELS "tpm;gnss;integration;e2e")
set_tests_properties(agent_gpsd_loss PROPERTIES TIMEOUT 300)

# A fleet: 20 agents, each on a swtpm of its own, attesting to one server
# at once; all accepted, all serving.
aegis_fixture_test(agent_fleet FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_fleet.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto 20
                   LABELS "tpm;integration;e2e")
set_tests_properties(agent_fleet PROPERTIES TIMEOUT 600)

# aegis-server killed with SIGKILL while entries are written and deleted
# through its admin socket: nothing acknowledged is lost or undone.
add_test(NAME server_sigkill
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/server_sigkill.sh $<TARGET_FILE:aegis>
                 $<TARGET_FILE:aegis-server> 10)
set_tests_properties(server_sigkill PROPERTIES LABELS "integration;e2e" TIMEOUT 300
                     SKIP_RETURN_CODE 77)
