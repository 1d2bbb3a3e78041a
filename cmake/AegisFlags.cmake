# Compiler and linker flags (STYLE.md "Build types"). Hardening applies to
# every target, generated code included; warnings-as-errors to our own code
# through aegis_harden(), so protoc-c output is not held to our warning set.

add_library(aegis_hardening INTERFACE)
target_compile_options(aegis_hardening INTERFACE -fstack-protector-strong)
target_link_options(aegis_hardening INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

add_library(aegis_warnings INTERFACE)
target_compile_options(aegis_warnings INTERFACE
  -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes)

if(AEGIS_SANITIZE OR AEGIS_FUZZ)
  # The sanitizers want frame pointers and no fortify (it hides overflows from ASan).
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -O1 -g)
  add_link_options(-fsanitize=address,undefined)
else()
  target_compile_definitions(aegis_hardening INTERFACE _FORTIFY_SOURCE=2)
endif()

if(AEGIS_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "AEGIS_FUZZ needs clang (configure with CC=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# aegis_harden(<target>): our own code: hardening plus warnings as errors.
function(aegis_harden target)
  target_link_libraries(${target} PRIVATE aegis_hardening aegis_warnings)
endfunction()
