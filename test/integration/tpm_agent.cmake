# TPM agent: keys (EK, AK, persistence) and operations (PCR_Read, Quote,
# ActivateCredential) against swtpm, cross-checked with tpm2-tools
# (tpm2_createek, tpm2_createak, tpm2_checkquote, tpm2_makecredential,
# tpm2_pcrread) and OpenSSL.
add_library(tpm_agent_util STATIC tpm_agent_util.c)
aegis_harden(tpm_agent_util)
target_link_libraries(tpm_agent_util PUBLIC aegis_tpm aegis_test_support PkgConfig::LIBCRYPTO)

foreach(t tpm_agent_keys tpm_agent_ops)
  add_executable(${t} ${t}.c)
  aegis_harden(${t})
  target_link_libraries(${t} PRIVATE tpm_agent_util)
  aegis_fixture_test(${t} FIXTURES swtpm_smoke COMMAND $<TARGET_FILE:${t}>
                     LABELS "tpm;integration")
endforeach()

# glibc's per-thread cache keeps freed chunks counted as in use by
# mallinfo2(); without it tpm_agent_ops's heap figures are exact.
set_property(TEST tpm_agent_ops APPEND PROPERTY ENVIRONMENT
             "GLIBC_TUNABLES=glibc.malloc.tcache_count=0")
