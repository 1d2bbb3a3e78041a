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

# The Workload API against clients that misbehave (issue 7, robustness):
# oversized and malformed requests, half-open connections, streams never
# read, connect cycles, callers that exit during attestation or carry too
# many selectors. One CTest entry per check. The connect cycles run 10,000
# times in both builds (about 20 s, 80 s under the sanitizers, on 2 cores).
add_executable(workload_api_robust
  ${CMAKE_CURRENT_LIST_DIR}/workload_api_robust.c
  ${CMAKE_CURRENT_LIST_DIR}/workload_api_robust_host.c
  ${CMAKE_CURRENT_LIST_DIR}/workload_api_robust_client.c)
aegis_harden(workload_api_robust)
target_link_libraries(workload_api_robust PRIVATE aegis_agent_core aegis_test_support)
# caller_exited makes the caller exit at the attestor's first name lookup
# (see the test): getpwuid_r is wrapped in this binary only.
target_link_options(workload_api_robust PRIVATE -Wl,--wrap=getpwuid_r)
foreach(check oversized malformed half_open deadlines no_read caller_exited
        too_many_selectors)
  add_test(NAME workload_api_robust_${check} COMMAND workload_api_robust ${check})
  set_tests_properties(workload_api_robust_${check} PROPERTIES
    LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
add_test(NAME workload_api_robust_cycles COMMAND workload_api_robust cycles 10000)
set_tests_properties(workload_api_robust_cycles PROPERTIES LABELS "integration" TIMEOUT 900)
