# SPIFFE ID parser: whatever parses formats back to the identical bytes.
aegis_fuzz_target(fuzz_spiffe_id SOURCES fuzz_spiffe_id.c LIBS aegis_common)
# The gRPC layer's scan for strings with a NUL byte in every message it
# receives (common/proto_strings.c).
aegis_fuzz_target(fuzz_proto_strings SOURCES fuzz_proto_strings.c LIBS aegis_grpc
  aegis_proto_spiffe)
