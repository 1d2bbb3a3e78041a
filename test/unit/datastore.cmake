# aegis-server's datastore (control-plane/server/datastore.h): SQLite in a
# fresh temporary directory per test.
aegis_unit_test(test_datastore
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore.c
  LIBS aegis_datastore)

# The server's rule for which entries a node may have SVIDs for
# (control-plane/server/authorized.h) on a real datastore: the list and the
# per-entry check agree, through aliases, zones and the alias limit.
aegis_unit_test(test_authorized
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_authorized.c
  LIBS aegis_server_core)
