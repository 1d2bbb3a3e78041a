# JWT-SVIDs, JWK Sets and the attestation claims (svid-issuer/): every
# parser of untrusted bytes the SVID code has. The JWT targets share fixed
# keys so inputs can carry valid signatures.
add_library(aegis_fuzz_jwt_keys STATIC ${CMAKE_CURRENT_LIST_DIR}/jwt_fuzz_keys.c)
target_link_libraries(aegis_fuzz_jwt_keys PUBLIC aegis_svid)
aegis_harden(aegis_fuzz_jwt_keys)
aegis_fuzz_target(fuzz_jwt_svid SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_jwt_svid.c
                  LIBS aegis_fuzz_jwt_keys)
aegis_fuzz_target(fuzz_jwks SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_jwks.c LIBS aegis_svid)
aegis_fuzz_target(fuzz_claims SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_claims.c LIBS aegis_svid m)
