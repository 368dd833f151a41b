# rlx_component(NAME DEPS ...): one library per folder under src/rlx.
#   NAME.cc files form the library rlx_NAME; *_test.cc files form the test binary rlx_NAME_test;
#   *_benchmark.cc files each become a benchmark binary. TEST_DEPS link into both. Tests and benchmarks live beside the code.
#   *_fuzz.cc files each become a libFuzzer binary rlx_<file>_fuzz when RLX_BUILD_FUZZERS is on.
set(RLX_WARNINGS -Wall -Wextra -Wpedantic -Wno-pedantic)
if(RLX_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RLX_BUILD_FUZZERS needs clang's libFuzzer: -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  # Every library a fuzzer links is instrumented for coverage, or libFuzzer would fuzz blind.
  # The sanitizers stop at the first report, so a finding is a crash libFuzzer keeps.
  if(NOT RLX_SANITIZE)
    set(RLX_SANITIZE address,undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link -fno-sanitize-recover=all)
endif()
if(RLX_SANITIZE)
  add_compile_options(-fsanitize=${RLX_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${RLX_SANITIZE})
  # simdjson forces inlining whenever __OPTIMIZE__ is set. Under the sanitizers at -O1 a function
  # with twenty on-demand lookups then takes minutes to compile (measured: 210 s against 16 s for
  # one test file); plain `inline` keeps the sanitizer build's compile time in check.
  add_compile_definitions(simdjson_inline=inline)
endif()
# Sources that include Boost.Asio or Beast (C++20 coroutines over TLS) were most of the sanitizer
# build's compile time (local_exchange.cc 576 s, net.cc 361 s), nearly all of it in instrumenting
# Asio's and Beast's own templates: UBSan's alignment, null, pointer-overflow and vptr checks and
# ASan's use-after-scope made up about 80% of net.cc's generated code. Those sources keep ASan
# (heap, stack and global overflows, use-after-free, leaks) and UBSan's other checks (integer
# overflow, shifts, bounds, bool/enum values, ...) and drop these, which cuts their compile time by
# about 70% (net.cc: 459 s of CPU to 124 s). A null dereference there still stops the test (SEGV,
# which ASan reports with its stack); what is lost is UBSan's report of a misaligned access, a
# wrong dynamic type or a wrapped pointer, and ASan's of a stack variable used after its scope.
set(RLX_ASIO_SANITIZE_OPTIONS "")
if(RLX_SANITIZE MATCHES "undefined")
  list(APPEND RLX_ASIO_SANITIZE_OPTIONS -fno-sanitize=alignment,null,pointer-overflow,vptr)
endif()
if(RLX_SANITIZE MATCHES "address")
  list(APPEND RLX_ASIO_SANITIZE_OPTIONS -fno-sanitize-address-use-after-scope)
endif()

function(rlx_component name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB all_cc CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(lib_cc "")
  set(test_cc "")
  set(bench_cc "")
  set(fuzz_cc "")
  foreach(f ${all_cc})
    if(RLX_ASIO_SANITIZE_OPTIONS)
      file(STRINGS ${f} asio_includes REGEX "^#include <boost/(asio|beast)[/.]" LIMIT_COUNT 1)
      if(asio_includes)
        set_property(SOURCE ${f} APPEND PROPERTY COMPILE_OPTIONS ${RLX_ASIO_SANITIZE_OPTIONS})
      endif()
    endif()
    if(f MATCHES "_test\\.cc$")
      list(APPEND test_cc ${f})
    elseif(f MATCHES "_benchmark\\.cc$")
      list(APPEND bench_cc ${f})
    elseif(f MATCHES "_fuzz\\.cc$")
      list(APPEND fuzz_cc ${f})
    elseif(NOT f MATCHES "/main\\.cc$")
      list(APPEND lib_cc ${f})
    endif()
  endforeach()
  if(lib_cc)
    add_library(rlx_${name} STATIC ${lib_cc})
    target_include_directories(rlx_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(rlx_${name} PRIVATE ${RLX_WARNINGS})
    target_link_libraries(rlx_${name} PUBLIC ${ARG_DEPS})
    target_compile_definitions(rlx_${name} PUBLIC RLX_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  else()  # header-only so far
    add_library(rlx_${name} INTERFACE)
    target_include_directories(rlx_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(rlx_${name} INTERFACE ${ARG_DEPS})
  endif()
  if(RLX_BUILD_TESTS AND test_cc)
    add_executable(rlx_${name}_test ${test_cc})
    target_link_libraries(rlx_${name}_test PRIVATE rlx_${name} rlx_testing ${ARG_TEST_DEPS}
                          GTest::gtest GTest::gmock GTest::gtest_main)
    gtest_discover_tests(rlx_${name}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${name})
  endif()
  if(RLX_BUILD_BENCHMARKS)
    foreach(f ${bench_cc})
      get_filename_component(b ${f} NAME_WE)
      add_executable(rlx_${b} ${f})
      target_link_libraries(rlx_${b} PRIVATE rlx_${name} ${ARG_TEST_DEPS} benchmark::benchmark)
    endforeach()
  endif()
  if(RLX_BUILD_FUZZERS)
    foreach(f ${fuzz_cc})
      get_filename_component(b ${f} NAME_WE)
      add_executable(rlx_${b} ${f})
      target_compile_options(rlx_${b} PRIVATE ${RLX_WARNINGS})
      target_link_libraries(rlx_${b} PRIVATE rlx_${name})
      target_link_options(rlx_${b} PRIVATE -fsanitize=fuzzer)
    endforeach()
  endif()
endfunction()
