# JWS algorithms, JWK Sets and JWT-SVIDs (svid-issuer/jwt_*.c). test_jwt_alg
# also checks PS256 and ES384 against the openssl CLI.
aegis_unit_test(test_jwt_alg
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_jwt_alg.c
  LIBS aegis_svid)
aegis_unit_test(test_jwks
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_jwks.c
  LIBS aegis_svid)
aegis_unit_test(test_jwt_svid
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_jwt_svid.c
          ${CMAKE_CURRENT_LIST_DIR}/test_jwt_svid_reject.c
          ${CMAKE_CURRENT_LIST_DIR}/jwt_forge.c
          ${CMAKE_CURRENT_LIST_DIR}/jwt_test_env.c
  LIBS aegis_svid)
