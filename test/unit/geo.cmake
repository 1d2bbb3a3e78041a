# Geofence zones (policy/geo_*.c), labels "unit;gnss". test_geo_borders and
# geo_shapely_borders need the real borders in ../shared/geo and skip (77)
# without them.
aegis_unit_test(test_geo_zone
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_geo_zone.c
  LIBS aegis_policy m
  LABELS gnss)
aegis_unit_test(test_geo_reject
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_geo_reject.c
  LIBS aegis_policy m
  LABELS gnss)
aegis_unit_test(test_geo_borders
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_geo_borders.c
  LIBS aegis_policy m
  LABELS gnss)

# Agreement with shapely (GEOS) on random points: geo_points answers for
# Aegis, Debian's python3-shapely for the reference (scripts/install-deps).
add_executable(geo_points ${CMAKE_CURRENT_LIST_DIR}/geo_points.c)
aegis_harden(geo_points)
target_link_libraries(geo_points PRIVATE aegis_policy m)
foreach(case constructed borders)
  add_test(NAME geo_shapely_${case}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/geo_shapely_check.py
                   --points-bin $<TARGET_FILE:geo_points> --case ${case})
  set_tests_properties(geo_shapely_${case} PROPERTIES
    LABELS "unit;gnss" SKIP_RETURN_CODE 77
    ENVIRONMENT "AEGIS_SHARED_DIR=${AEGIS_SHARED_DIR}")
endforeach()
