# The daemons' configuration files, with the shipped examples.
aegis_unit_test(test_daemon_config
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_daemon_config.c
  LIBS aegis_server_core aegis_agent_daemon)
add_test(NAME test_daemon_config_examples
         COMMAND test_daemon_config ${CMAKE_SOURCE_DIR}/examples/deploy)
set_tests_properties(test_daemon_config_examples PROPERTIES LABELS "unit")
