# GNSS area: gpsd's JSON reports as aegis_gnss checks and decodes them (gnss_line.h).
aegis_fuzz_target(fuzz_gnss_report SOURCES fuzz_gnss_report.c LIBS aegis_gnss)
