# The agent's transport-free core (control-plane/agent/): registration
# entries and matching, the issuer-backed SVID source, Workload API answers.
aegis_unit_test(test_agent_entries
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_entries.c
  LIBS aegis_agent_core)
aegis_unit_test(test_agent_x509
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_x509.c
  LIBS aegis_agent_core)
