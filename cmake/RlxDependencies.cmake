# Every dependency comes from Debian bookworm packages, except DuckDB, which scripts/bootstrap
# installs from the npm registry into .deps/duckdb (pinned in third_party/duckdb/package-lock.json).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

set(RLX_DUCKDB_DIR "${CMAKE_SOURCE_DIR}/.deps/duckdb/node_modules" CACHE PATH "npm install root of DuckDB")
find_library(DUCKDB_LIBRARY duckdb PATHS "${RLX_DUCKDB_DIR}/@duckdb/node-bindings-linux-x64" NO_DEFAULT_PATH)
find_path(DUCKDB_INCLUDE_DIR duckdb.h PATHS "${RLX_DUCKDB_DIR}/duckdb/src/duckdb/src/include" NO_DEFAULT_PATH)
if(NOT DUCKDB_LIBRARY OR NOT DUCKDB_INCLUDE_DIR)
  message(FATAL_ERROR "DuckDB 1.4.4 not found under ${RLX_DUCKDB_DIR}: run scripts/bootstrap --deps")
endif()
add_library(duckdb_shared SHARED IMPORTED GLOBAL)
set_target_properties(duckdb_shared PROPERTIES IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  IMPORTED_NO_SONAME TRUE)
# What components link: DuckDB's headers, and the library itself unless the target being linked
# sets RLX_OWN_DUCKDB (the Python module, which links a private copy under another name so that
# it cannot meet another DuckDB loaded in the same process; see src/rlx/python). duckdb.hpp sits
# beside duckdb.h; SYSTEM, so its warnings are not ours.
add_library(duckdb INTERFACE)
target_include_directories(duckdb SYSTEM INTERFACE "${DUCKDB_INCLUDE_DIR}")
target_link_libraries(duckdb INTERFACE
  "$<$<NOT:$<BOOL:$<TARGET_PROPERTY:RLX_OWN_DUCKDB>>>:duckdb_shared>")
get_filename_component(RLX_DUCKDB_LIBDIR "${DUCKDB_LIBRARY}" DIRECTORY)
set(CMAKE_BUILD_RPATH "${RLX_DUCKDB_LIBDIR}")
set(CMAKE_INSTALL_RPATH "${RLX_DUCKDB_LIBDIR}")

if(RLX_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(RLX_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# The Python module (src/rlx/python): pybind11 and numpy from Debian's packages, built for
# Debian's python3 unless Python_EXECUTABLE names another. Not in sanitizer or fuzzer builds: a
# Python process would need the sanitizer runtime preloaded.
option(RLX_BUILD_PYTHON "Build the Python module rlx (pybind11, numpy)" ON)
if(RLX_BUILD_PYTHON AND NOT RLX_SANITIZE AND NOT RLX_BUILD_FUZZERS)
  if(NOT Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module NumPy)
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.10 REQUIRED CONFIG)
else()
  set(RLX_BUILD_PYTHON OFF)
endif()
