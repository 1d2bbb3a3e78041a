# Workload attestor (workload-attestor/): the /proc parsers and container
# ids, and the digest of an fd with its bounded cache.
aegis_unit_test(test_workload_proc
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_workload_proc.c
  LIBS aegis_workload)
aegis_unit_test(test_workload_cache
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_workload_cache.c
  LIBS aegis_workload)
