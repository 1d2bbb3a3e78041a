# Test registration helpers. Every test gets a label (STYLE.md): unit, tpm,
# gnss, integration, fuzz-smoke, bench; fixture start/stop tests get "fixture".
# Exit code 77 means "skipped" (e.g. ../shared/ test data absent).

set(AEGIS_SHARED_DIR "${CMAKE_SOURCE_DIR}/../shared" CACHE PATH
    "Shared test data (geo/, gnss/); tests that need it skip when it is absent")
set(AEGIS_FIXTURE_ROOT "${CMAKE_BINARY_DIR}/fixtures")
set(AEGIS_FIXTURE_SCRIPTS "${CMAKE_SOURCE_DIR}/test/fixtures")

# aegis_unit_test(<name> SOURCES ... [LIBS ...] [LABELS ...])
function(aegis_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  aegis_harden(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} aegis_test_support)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    LABELS "unit;${T_LABELS}" SKIP_RETURN_CODE 77
    ENVIRONMENT "AEGIS_SHARED_DIR=${AEGIS_SHARED_DIR}")
endfunction()

# aegis_swtpm_fixture(<name>): a fresh pair of TPMs (provisioned + rogue) with
# their manufacturer CAs. Tests require fixture "swtpm_<name>".
function(aegis_swtpm_fixture name)
  set(dir "${AEGIS_FIXTURE_ROOT}/swtpm_${name}")
  add_test(NAME fixture.swtpm_${name}.start
           COMMAND ${AEGIS_FIXTURE_SCRIPTS}/swtpm-fixture start ${dir})
  add_test(NAME fixture.swtpm_${name}.stop
           COMMAND ${AEGIS_FIXTURE_SCRIPTS}/swtpm-fixture stop ${dir})
  set_tests_properties(fixture.swtpm_${name}.start PROPERTIES
    FIXTURES_SETUP swtpm_${name} LABELS fixture)
  set_tests_properties(fixture.swtpm_${name}.stop PROPERTIES
    FIXTURES_CLEANUP swtpm_${name} LABELS fixture)
endfunction()

# aegis_gpsd_fixture(<name> [--captures DIR]): one gpsd (fed by gpsfake) per
# NMEA scenario, and per real receiver recording in DIR when given.
# Tests require fixture "gpsd_<name>".
function(aegis_gpsd_fixture name)
  set(dir "${AEGIS_FIXTURE_ROOT}/gpsd_${name}")
  add_test(NAME fixture.gpsd_${name}.start
           COMMAND ${AEGIS_FIXTURE_SCRIPTS}/gpsd-fixture start ${dir}
                   $<TARGET_FILE:ae-nmea-scenario> ${ARGN})
  add_test(NAME fixture.gpsd_${name}.stop
           COMMAND ${AEGIS_FIXTURE_SCRIPTS}/gpsd-fixture stop ${dir})
  set_tests_properties(fixture.gpsd_${name}.start PROPERTIES
    FIXTURES_SETUP gpsd_${name} LABELS fixture)
  set_tests_properties(fixture.gpsd_${name}.stop PROPERTIES
    FIXTURES_CLEANUP gpsd_${name} LABELS fixture)
endfunction()

# aegis_fixture_test(<name> FIXTURES <fixture>... COMMAND <cmd>... [LABELS ...])
# Runs <cmd> with each fixture's fixture.env exported. swtpm fixtures are also
# resource locks: a TPM serves one client at a time.
function(aegis_fixture_test name)
  cmake_parse_arguments(T "" "" "FIXTURES;COMMAND;LABELS" ${ARGN})
  set(envs)
  set(locks)
  foreach(f IN LISTS T_FIXTURES)
    list(APPEND envs "${AEGIS_FIXTURE_ROOT}/${f}/fixture.env")
    if(f MATCHES "^swtpm_")
      list(APPEND locks ${f})
    endif()
  endforeach()
  add_test(NAME ${name}
           COMMAND ${AEGIS_FIXTURE_SCRIPTS}/with-fixtures ${envs} -- ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES
    FIXTURES_REQUIRED "${T_FIXTURES}" LABELS "${T_LABELS}" SKIP_RETURN_CODE 77
    ENVIRONMENT "AEGIS_SHARED_DIR=${AEGIS_SHARED_DIR}")
  if(locks)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK "${locks}")
  endif()
endfunction()

# aegis_fuzz_target(<name> SOURCES ... [LIBS ...])
# With AEGIS_FUZZ: a libFuzzer binary run for AEGIS_FUZZ_SECONDS from the seed
# corpus. Without: the same entry point linked to a replay driver that feeds
# every seed file once, so each build checks the corpus still parses cleanly.
function(aegis_fuzz_target name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  set(corpus "${CMAKE_SOURCE_DIR}/test/fuzz/corpus/${name}")
  if(AEGIS_FUZZ)
    add_executable(${name} ${T_SOURCES})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${name}
             COMMAND ${CMAKE_SOURCE_DIR}/test/fuzz/run-libfuzzer
                     $<TARGET_FILE:${name}> ${corpus} ${AEGIS_FUZZ_SECONDS})
  else()
    add_executable(${name} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/test/fuzz/replay_main.c)
    add_test(NAME ${name} COMMAND ${name} ${corpus})
  endif()
  aegis_harden(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz-smoke)
endfunction()

# aegis_bench(<name> SOURCES ... [LIBS ...]): prints BENCH lines, asserts nothing
# about time.
function(aegis_bench name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  aegis_harden(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS bench)
endfunction()
