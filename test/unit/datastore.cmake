# aegis-server's datastore (control-plane/server/datastore.h): SQLite in a
# fresh temporary directory per test.
aegis_unit_test(test_datastore
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore.c
  LIBS aegis_datastore)
