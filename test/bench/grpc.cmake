# gRPC layer: unary latency on a Unix socket (warm connection, and a fresh
# connection per call) against the same bytes echoed over a bare Unix socket.
aegis_bench(bench_grpc_unary
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_grpc_unary.c
  LIBS aegis_grpc_echo)
