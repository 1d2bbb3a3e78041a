# Workload attestation: cold hash throughput against OpenSSL's in-memory
# SHA-256, warm attestation latency against hashing on every call.
aegis_bench(bench_workload
  SOURCES bench_workload.c ${CMAKE_SOURCE_DIR}/test/integration/workload_spawn.c
  LIBS aegis_workload)
target_include_directories(bench_workload PRIVATE ${CMAKE_SOURCE_DIR}/test/integration)
