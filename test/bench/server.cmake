# The daemons through their real protocols, on the swtpm_attest fixture
# (bench_server.sh sets up aegis-server as the daemon tests do).
#
# BatchNewX509SVID throughput at aegis-server (batches of 1 and 50, one and
# four mTLS connections of an attested agent) against the issuer library's
# own mint rate.
add_executable(bench_server_svid ${CMAKE_CURRENT_LIST_DIR}/bench_server_svid.c
  ${CMAKE_CURRENT_LIST_DIR}/bench_ca.c)
aegis_harden(bench_server_svid)
target_link_libraries(bench_server_svid PRIVATE aegis_agent_client aegis_ca_test_util)
aegis_fixture_test(bench_server_svid FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_server.sh svid $<TARGET_FILE:aegis>
                           $<TARGET_FILE:aegis-server> $<TARGET_FILE:bench_server_svid>
                   LABELS bench)
set_tests_properties(bench_server_svid PROPERTIES TIMEOUT 300)

# Exec of aegis-agent to a workload's first X.509-SVID, 10 runs, split by
# the agent's log, against the same steps done in-process.
add_executable(bench_agent_start ${CMAKE_CURRENT_LIST_DIR}/bench_agent_start.c)
aegis_harden(bench_agent_start)
target_link_libraries(bench_agent_start PRIVATE aegis_agent_client)
aegis_fixture_test(bench_agent_start FIXTURES swtpm_attest
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_server.sh agent_start
                           $<TARGET_FILE:aegis> $<TARGET_FILE:aegis-server>
                           $<TARGET_FILE:aegis-agent> $<TARGET_FILE:bench_agent_start>
                   LABELS bench)
set_tests_properties(bench_agent_start PROPERTIES TIMEOUT 300)
