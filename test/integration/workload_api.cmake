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
