# aegis ca / svid mint / svid inspect through the real binary, from a real
# attestation (swtpm + gpsd) to certificates openssl verifies.
aegis_fixture_test(svid_cli FIXTURES swtpm_attest gpsd_smoke
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/svid_cli.sh $<TARGET_FILE:aegis>
                   LABELS "integration")
