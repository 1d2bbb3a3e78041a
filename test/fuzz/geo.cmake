# Geofence zones: GeoJSON / circle zones from untrusted JSON (policy/geo_zone.h).
aegis_fuzz_target(fuzz_geojson SOURCES fuzz_geojson.c LIBS aegis_policy m)
