# TPM area: the agent's TSS layer and the server's EK checks.
aegis_unit_test(test_tpm_error SOURCES test_tpm_error.c LIBS aegis_tpm LABELS tpm)
aegis_unit_test(test_ek_trust SOURCES test_ek_trust.c LIBS aegis_node_verify LABELS tpm)
