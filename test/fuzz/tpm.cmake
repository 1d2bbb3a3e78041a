# TPM area: EK certificates arrive from agents as untrusted DER.
aegis_fuzz_target(fuzz_ek_cert SOURCES fuzz_ek_cert.c LIBS aegis_node_verify)
