# Verify area: the server's TPM crypto for node attestation (no TPM needed).
set(AEGIS_TPM_PUBLIC_CORPUS "${CMAKE_SOURCE_DIR}/test/fuzz/corpus/fuzz_tpm_public")

aegis_unit_test(test_kdf SOURCES test_kdf.c LIBS aegis_node_verify LABELS tpm)
aegis_unit_test(test_tpm_public SOURCES test_tpm_public.c soft_tpm_key.c
                LIBS aegis_node_verify LABELS tpm)
target_compile_definitions(test_tpm_public PRIVATE
  AE_TPM_PUBLIC_CORPUS="${AEGIS_TPM_PUBLIC_CORPUS}")
aegis_unit_test(test_make_credential SOURCES test_make_credential.c soft_tpm_key.c
                LIBS aegis_node_verify LABELS tpm)
target_compile_definitions(test_make_credential PRIVATE
  AE_TPM_PUBLIC_CORPUS="${AEGIS_TPM_PUBLIC_CORPUS}")
aegis_unit_test(test_ek_cache SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ek_cache.c LIBS aegis_node_verify LABELS tpm)
