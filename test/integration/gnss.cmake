# GNSS integration tests against the gpsd fixture (test/fixtures/gnss.cmake).
add_executable(smoke_gnss_fix ${CMAKE_CURRENT_LIST_DIR}/smoke_gnss_fix.c)
aegis_harden(smoke_gnss_fix)
target_link_libraries(smoke_gnss_fix PRIVATE aegis_gnss aegis_test_support m)
aegis_fixture_test(smoke_gnss_fix FIXTURES gpsd_smoke
                   COMMAND $<TARGET_FILE:smoke_gnss_fix> LABELS "gnss;integration")
