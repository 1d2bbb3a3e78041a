# Geofence checks per second against a plain scan of every edge; Germany
# from ../shared/geo when present, a generated 100,000-vertex zone otherwise.
aegis_bench(bench_geo SOURCES bench_geo.c LIBS aegis_policy m)
set_tests_properties(bench_geo PROPERTIES ENVIRONMENT "AEGIS_SHARED_DIR=${AEGIS_SHARED_DIR}")
