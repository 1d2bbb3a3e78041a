# The workload attestor against real processes (workload-attestor/): needs
# root for credentials, cgroups and clone3(set_tid). One CTest entry per
# concern; the cgroup and kernel-thread cases skip (77) on their own where
# the host does not allow them.
foreach(bin identity races cached)
  add_executable(test_workload_${bin}
    ${CMAKE_CURRENT_LIST_DIR}/test_workload_${bin}.c
    ${CMAKE_CURRENT_LIST_DIR}/workload_harness.c
    ${CMAKE_CURRENT_LIST_DIR}/workload_spawn.c)
  aegis_harden(test_workload_${bin})
  target_link_libraries(test_workload_${bin} PRIVATE aegis_workload aegis_test_support)
endforeach()
add_test(NAME workload_attest_identity COMMAND test_workload_identity identity)
add_test(NAME workload_attest_cgroup COMMAND test_workload_identity cgroup)
add_test(NAME workload_attest_kthread COMMAND test_workload_identity kthread)
add_test(NAME workload_attest_races COMMAND test_workload_races)
add_test(NAME workload_attest_cache COMMAND test_workload_cached)
set_tests_properties(workload_attest_identity workload_attest_cgroup workload_attest_kthread
  workload_attest_races workload_attest_cache PROPERTIES
  LABELS "integration" SKIP_RETURN_CODE 77)
