# SPIFFE ID parser: whatever parses formats back to the identical bytes.
aegis_fuzz_target(fuzz_spiffe_id SOURCES fuzz_spiffe_id.c LIBS aegis_common)
