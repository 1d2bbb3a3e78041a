# aegis_proto_library(<target> <proto files relative to proto/>...)
# Runs protoc-c on the sources in proto/ and builds the generated C into a
# static library. Output goes to the build tree only, mirroring proto/'s layout,
# so code includes e.g. "spiffe/workload.pb-c.h".
function(aegis_proto_library target)
  set(proto_root ${CMAKE_SOURCE_DIR}/proto)
  set(out_root ${CMAKE_BINARY_DIR}/proto-gen)
  set(sources)
  foreach(rel IN LISTS ARGN)
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(c ${out_root}/${stem}.pb-c.c)
    set(h ${out_root}/${stem}.pb-c.h)
    add_custom_command(
      OUTPUT ${c} ${h}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_root}
      COMMAND ${PROTOC_C} --proto_path=${proto_root} --c_out=${out_root} ${proto_root}/${rel}
      DEPENDS ${proto_root}/${rel}
      COMMENT "protoc-c ${rel}"
      VERBATIM)
    list(APPEND sources ${c})
  endforeach()
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${out_root})
  target_link_libraries(${target} PUBLIC PkgConfig::PROTOBUF_C PRIVATE aegis_hardening)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
