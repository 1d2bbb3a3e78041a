# The agent under faults, each on a TPM of its own (a node of the
# swtpm_attest fixture): the simulator killed and started again.
aegis_fixture_test(agent_tpm_restart FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_tpm_restart.sh $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:aegis-agent>
                           ${CMAKE_SOURCE_DIR}/proto
                   LABELS "tpm;integration;e2e")
set_tests_properties(agent_tpm_restart PROPERTIES TIMEOUT 300)
