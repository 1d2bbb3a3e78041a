# Verify area: the server's TPM crypto checked against the TPM itself
# (swtpm driven by tpm2-tools), an implementation Aegis did not write.
add_executable(make_credential_interop make_credential_interop.c)
aegis_harden(make_credential_interop)
target_link_libraries(make_credential_interop PRIVATE aegis_node_verify aegis_test_support)
aegis_fixture_test(make_credential_interop FIXTURES swtpm_smoke
                   COMMAND $<TARGET_FILE:make_credential_interop> LABELS "tpm;integration")
