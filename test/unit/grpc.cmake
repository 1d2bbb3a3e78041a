# The gRPC layer (common/grpc_*): a test service of our own (grpc_echo.proto,
# compiled with protoc-c here; the Python interop test generates its own
# stubs from the same file) served over a real Unix socket.
set(grpc_echo_gen ${CMAKE_BINARY_DIR}/test-proto-gen)
add_custom_command(
  OUTPUT ${grpc_echo_gen}/grpc_echo.pb-c.c ${grpc_echo_gen}/grpc_echo.pb-c.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${grpc_echo_gen}
  COMMAND ${PROTOC_C} --proto_path=${CMAKE_CURRENT_LIST_DIR} --c_out=${grpc_echo_gen}
          ${CMAKE_CURRENT_LIST_DIR}/grpc_echo.proto
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/grpc_echo.proto
  COMMENT "protoc-c grpc_echo.proto"
  VERBATIM)
add_library(aegis_grpc_echo_proto STATIC ${grpc_echo_gen}/grpc_echo.pb-c.c)
target_include_directories(aegis_grpc_echo_proto PUBLIC ${grpc_echo_gen})
target_link_libraries(aegis_grpc_echo_proto PUBLIC PkgConfig::PROTOBUF_C PRIVATE aegis_hardening)

# The Echo service and the per-test server environment.
add_library(aegis_grpc_echo STATIC
  ${CMAKE_CURRENT_LIST_DIR}/grpc_echo_service.c
  ${CMAKE_CURRENT_LIST_DIR}/grpc_test_env.c)
aegis_harden(aegis_grpc_echo)
target_include_directories(aegis_grpc_echo PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(aegis_grpc_echo PUBLIC aegis_grpc aegis_grpc_echo_proto aegis_test_support)

aegis_unit_test(test_grpc_unary
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_grpc_unary.c
  LIBS aegis_grpc_echo)
aegis_unit_test(test_grpc_peer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_grpc_peer.c
  LIBS aegis_grpc_echo)
aegis_unit_test(test_grpc_stream
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_grpc_stream.c
  LIBS aegis_grpc_echo)
aegis_unit_test(test_grpc_tls
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_grpc_tls.c
  LIBS aegis_grpc_echo PkgConfig::LIBCRYPTO)
