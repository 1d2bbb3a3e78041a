# GNSS unit tests: the NMEA log writer (a test fixture itself) and what
# aegis_gnss believes of gpsd's reports.
aegis_unit_test(test_nmea_writer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_nmea_writer.c
  LIBS aegis_nmea_writer
  LABELS gnss)
aegis_unit_test(test_gnss_tpv
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gnss_tpv.c
  LIBS aegis_gnss
  LABELS gnss)
aegis_unit_test(test_gnss_report
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gnss_report.c
  LIBS aegis_gnss
  LABELS gnss)
