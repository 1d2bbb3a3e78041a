# SPIFFE IDs (common/spiffe_id.c): the standard's valid and invalid examples.
aegis_unit_test(test_spiffe_id
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_spiffe_id.c
  LIBS aegis_common)
