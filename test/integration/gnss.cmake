# GNSS integration tests against the gpsd fixture (test/fixtures/gnss.cmake).
add_executable(smoke_gnss_fix ${CMAKE_CURRENT_LIST_DIR}/smoke_gnss_fix.c)
aegis_harden(smoke_gnss_fix)
target_link_libraries(smoke_gnss_fix PRIVATE aegis_gnss aegis_test_support m)
aegis_fixture_test(smoke_gnss_fix FIXTURES gpsd_smoke
                   COMMAND $<TARGET_FILE:smoke_gnss_fix> LABELS "gnss;integration")

# Proof of Geofencing end to end: swtpm quotes claims built from gpsd's fixes.
add_executable(attest_geo ${CMAKE_CURRENT_LIST_DIR}/attest_geo.c)
aegis_harden(attest_geo)
target_link_libraries(attest_geo PRIVATE aegis_tpm aegis_gnss aegis_node_verify aegis_policy
                      aegis_test_support m)
aegis_fixture_test(attest_geo FIXTURES swtpm_smoke gpsd_smoke
                   COMMAND $<TARGET_FILE:attest_geo> LABELS "gnss;tpm;integration")
aegis_fixture_test(attest_geo_border FIXTURES swtpm_smoke gpsd_smoke
                   COMMAND $<TARGET_FILE:attest_geo> border LABELS "gnss;tpm;integration")

# Real receivers' recordings (../shared/gnss) through gpsfake and gpsd.
add_executable(real_receivers ${CMAKE_CURRENT_LIST_DIR}/real_receivers.c)
aegis_harden(real_receivers)
target_link_libraries(real_receivers PRIVATE aegis_gnss aegis_node_verify aegis_policy
                      aegis_test_support PkgConfig::JANSSON m)
aegis_fixture_test(real_receivers FIXTURES gpsd_real COMMAND $<TARGET_FILE:real_receivers>
                   LABELS "gnss;integration")
