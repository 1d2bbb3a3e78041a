# JWT-SVIDs against PyJWT (Debian's python3-jwt and python3-cryptography,
# run by /usr/bin/python3): tokens both ways, keys through both JWK Set
# readers, the alg-confusion and "none" attacks. jwt_tool is the test's
# driver for the library, not the product CLI.
add_executable(jwt_tool ${CMAKE_CURRENT_LIST_DIR}/jwt_tool.c)
aegis_harden(jwt_tool)
target_link_libraries(jwt_tool PRIVATE aegis_svid)
add_test(NAME jwt_pyjwt_interop
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/jwt_pyjwt_interop.py
                 --tool $<TARGET_FILE:jwt_tool>)
set_tests_properties(jwt_pyjwt_interop PROPERTIES LABELS "integration" SKIP_RETURN_CODE 77)
