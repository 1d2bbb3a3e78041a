# The demo's story (scripts/demo-scenario) as a test: its own fixtures (two
# nodes' swtpms, a rogue one, gpsd in Berlin and Paris), aegis-server, an
# agent per node, the demo services over the Workload API and mTLS.
add_test(NAME demo_scenario
         COMMAND ${CMAKE_SOURCE_DIR}/scripts/demo-scenario ${CMAKE_BINARY_DIR})
set_tests_properties(demo_scenario PROPERTIES LABELS "tpm;gnss;integration;e2e" TIMEOUT 300)
