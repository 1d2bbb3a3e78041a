# TPM integration: the agent's ESAPI code against swtpm, the server's EK
# checks against the certificates the fixture's manufacturer CA issued.
add_executable(smoke_tpm_ek smoke_tpm_ek.c)
aegis_harden(smoke_tpm_ek)
target_link_libraries(smoke_tpm_ek PRIVATE aegis_tpm aegis_node_verify aegis_test_support)
aegis_fixture_test(smoke_tpm_ek FIXTURES swtpm_smoke COMMAND $<TARGET_FILE:smoke_tpm_ek>
                   LABELS "tpm;integration")
