# SPIRE's server API protos (proto/spire, aegis_proto_spire): field numbers
# and method paths against upstream's, and protobuf-c against Debian's Python
# protobuf runtime with stubs generated at test time by python3-grpc-tools.
add_executable(spire_proto_roundtrip ${CMAKE_CURRENT_LIST_DIR}/spire_proto_roundtrip.c)
aegis_harden(spire_proto_roundtrip)
target_link_libraries(spire_proto_roundtrip PRIVATE aegis_proto_spire)
add_test(NAME spire_proto_interop
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/spire_proto_interop.py
                 --roundtrip $<TARGET_FILE:spire_proto_roundtrip>
                 --proto-root ${CMAKE_SOURCE_DIR}/proto)
set_tests_properties(spire_proto_interop PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77
                     TIMEOUT 120)
