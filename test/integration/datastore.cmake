# aegis-server's datastore under SIGKILL: a writer (the same binary with
# --writer) is killed at random moments; what it reported committed must be
# there and whole. No timing is asserted.
add_executable(datastore_sigkill ${CMAKE_CURRENT_LIST_DIR}/datastore_sigkill.c)
aegis_harden(datastore_sigkill)
target_link_libraries(datastore_sigkill PRIVATE aegis_datastore aegis_test_support)
add_test(NAME datastore_sigkill COMMAND datastore_sigkill)
set_tests_properties(datastore_sigkill PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77
  TIMEOUT 600)
