# Verify area: TPM public areas (EK, AK) arrive from agents as untrusted bytes.
aegis_fuzz_target(fuzz_tpm_public SOURCES fuzz_tpm_public.c LIBS aegis_node_verify)
