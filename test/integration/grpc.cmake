# The gRPC layer (common/grpc_*) against grpcio, a client we did not write
# (Debian's python3-grpcio run by /usr/bin/python3, stubs generated at test
# time by python3-grpc-tools from test/unit/grpc_echo.proto), and its
# endurance: connect/disconnect cycles without fd growth.
add_executable(grpc_echo_server ${CMAKE_CURRENT_LIST_DIR}/grpc_echo_server.c)
aegis_harden(grpc_echo_server)
target_link_libraries(grpc_echo_server PRIVATE aegis_grpc_echo)
add_test(NAME grpc_python_interop
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/grpc_python_interop.py
                 --server $<TARGET_FILE:grpc_echo_server>
                 --proto ${CMAKE_SOURCE_DIR}/test/unit/grpc_echo.proto)
set_tests_properties(grpc_python_interop PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77)
add_executable(test_grpc_cycles ${CMAKE_CURRENT_LIST_DIR}/test_grpc_cycles.c)
aegis_harden(test_grpc_cycles)
target_link_libraries(test_grpc_cycles PRIVATE aegis_grpc_echo)
add_test(NAME grpc_connect_cycles COMMAND test_grpc_cycles)
set_tests_properties(grpc_connect_cycles PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77)
