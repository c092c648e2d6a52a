# converge_module(NAME SOURCES ... [DEPS ...] [PROTOS ...])
#   A static library converge_<NAME>; its headers are included as "<module>/<file>.hpp"
#   from the src/ root. PROTOS are compiled with protoc (lite runtime).
function(converge_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PROTOS" ${ARGN})
  add_library(converge_${name} STATIC ${M_SOURCES})
  target_include_directories(converge_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(converge_${name} PUBLIC ${M_DEPS} PRIVATE converge_flags)
  if(M_PROTOS)
    add_library(converge_${name}_proto STATIC ${M_PROTOS})
    # protoc names each file relative to the module folder (CMake 3.25 puts
    # CMAKE_CURRENT_SOURCE_DIR first on its -I path), so generate into
    # gen/<module>/: code includes "<module>/x.pb.h", and protos of one module
    # import each other by bare file name.
    file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/gen/${name})
    protobuf_generate(TARGET converge_${name}_proto LANGUAGE cpp
      IMPORT_DIRS ${CMAKE_CURRENT_SOURCE_DIR}
      PROTOC_OUT_DIR ${PROJECT_BINARY_DIR}/gen/${name})
    # Generated code is not ours: include it as a system header, no -Werror.
    target_include_directories(converge_${name}_proto SYSTEM PUBLIC ${PROJECT_BINARY_DIR}/gen)
    target_link_libraries(converge_${name}_proto PUBLIC protobuf::libprotobuf-lite)
    target_link_libraries(converge_${name} PUBLIC converge_${name}_proto)
  endif()
endfunction()

# converge_test(NAME SOURCES ... DEPS ...): a GoogleTest executable, each test its own CTest case.
function(converge_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(test_${name} ${T_SOURCES})
  target_link_libraries(test_${name} PRIVATE ${T_DEPS} converge_flags GTest::gtest GTest::gtest_main GTest::gmock)
  include(GoogleTest)
  gtest_discover_tests(test_${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "CONVERGE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# converge_fuzzer(NAME SOURCE DEPS ...): fuzz/<name>. With CONVERGE_FUZZ it links libFuzzer;
# otherwise it links a small main that replays the seed corpus. Either way CTest runs that
# replay (libFuzzer's -runs=0 runs each corpus input once), so every fuzz target compiles
# and its corpus passes in every build with tests.
function(converge_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(fuzz_${name} ${F_SOURCES})
  target_link_libraries(fuzz_${name} PRIVATE ${F_DEPS} converge_flags)
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  if(CONVERGE_FUZZ)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    if(CONVERGE_TESTS)
      add_test(NAME fuzz_replay.${name} COMMAND fuzz_${name} -runs=0 ${corpus})
    endif()
  else()
    target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    if(CONVERGE_TESTS)
      add_test(NAME fuzz_replay.${name} COMMAND fuzz_${name} ${corpus})
    endif()
  endif()
  set_property(GLOBAL APPEND PROPERTY CONVERGE_FUZZERS ${name})
endfunction()
