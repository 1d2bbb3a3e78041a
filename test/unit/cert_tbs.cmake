# The certificate pieces minting leans on (svid-issuer/cert_tbs.c,
# cert_tbs_sign.c, cert_time.c, cert_serial.c, cert_pubkey.c), each judged
# by OpenSSL's own encoders and verifier.
aegis_unit_test(test_cert_tbs
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cert_tbs.c
  LIBS aegis_ca_test_util aegis_svid)
