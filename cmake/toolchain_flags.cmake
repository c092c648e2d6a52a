# Warnings and sanitizer flags shared by every converge target.
add_library(converge_flags INTERFACE)
target_compile_options(converge_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wformat=2 -Wundef)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false positives inside libstdc++ at -O2 (PR 105329, 106199).
  target_compile_options(converge_flags INTERFACE -Wno-restrict -Wno-stringop-overflow -Wno-array-bounds -Wno-maybe-uninitialized -Wno-null-dereference)
endif()
if(CONVERGE_WERROR)
  target_compile_options(converge_flags INTERFACE -Werror)
endif()

if(CONVERGE_SANITIZE OR CONVERGE_FUZZ)
  set(converge_san_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${converge_san_flags})
  add_link_options(${converge_san_flags})
endif()
if(CONVERGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CONVERGE_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  # Instrument everything for coverage; only fuzz executables link the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
