# Node attestation end to end on the swtpm_attest fixture (its own TPM pair:
# the tests extend and reset PCR 16 and keep an AK persistent there): the
# agent and server steps with every refusal's exact reason, and the aegis
# attest command's exit codes and state file.
add_executable(attest_tpm attest_tpm.c attest_tpm_identity.c attest_tpm_answer.c
  attest_tpm_messages.c attest_harness.c)
aegis_harden(attest_tpm)
target_link_libraries(attest_tpm PRIVATE aegis_tpm aegis_node_verify aegis_policy
  aegis_test_support PkgConfig::JANSSON PkgConfig::LIBCRYPTO)
aegis_fixture_test(attest_tpm FIXTURES swtpm_attest COMMAND $<TARGET_FILE:attest_tpm>
                   LABELS "tpm;integration")
aegis_fixture_test(attest_cli FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/attest_cli.sh $<TARGET_FILE:aegis>
                   LABELS "tpm;integration")

# aegis policy check on the shipped example and a broken copy.
add_test(NAME cli_policy
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli_policy.sh $<TARGET_FILE:aegis>
                 ${CMAKE_SOURCE_DIR}/policy/examples/edge-node.json)
set_tests_properties(cli_policy PROPERTIES LABELS "unit")
