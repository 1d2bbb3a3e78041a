# The SPIFFE Workload API (control-plane/agent/workload_api.c) against
# Debian's grpcio with stubs from the standard workload.proto.
add_executable(workload_api_server ${CMAKE_CURRENT_LIST_DIR}/workload_api_server.c)
aegis_harden(workload_api_server)
target_link_libraries(workload_api_server PRIVATE aegis_agent_core)
add_test(NAME workload_api_interop
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/workload_api_interop.py
                 --server $<TARGET_FILE:workload_api_server>
                 --proto-root ${CMAKE_SOURCE_DIR}/proto)
set_tests_properties(workload_api_interop PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77
                     TIMEOUT 120)

# 1,000 FetchX509SVID streams from another process for 60 s, with a
# rotation every 10 s on each; and the Workload API's figures (bench).
add_executable(workload_api_load ${CMAKE_CURRENT_LIST_DIR}/workload_api_load.c)
aegis_harden(workload_api_load)
target_link_libraries(workload_api_load PRIVATE aegis_agent_core)
add_test(NAME workload_api_load COMMAND workload_api_load load 60 1000)
set_tests_properties(workload_api_load PROPERTIES LABELS "integration" TIMEOUT 300)
add_test(NAME bench_workload_api COMMAND workload_api_load bench)
set_tests_properties(bench_workload_api PROPERTIES LABELS "bench" TIMEOUT 300)
