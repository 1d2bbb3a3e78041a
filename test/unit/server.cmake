# aegis-server's own logic below its gRPC handlers (control-plane/server/).

# The server's rule for which entries a node may have SVIDs for
# (control-plane/server/authorized.h) on a real datastore: the list and the
# per-entry check agree, through aliases, zones and the alias limit.
aegis_unit_test(test_authorized
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_authorized.c
  LIBS aegis_server_core)

# The server's memo of parsed client certificates (caller_memo.h).
aegis_unit_test(test_caller_memo
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_caller_memo.c
  LIBS aegis_server_core)
