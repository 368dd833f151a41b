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
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  IMPORTED_NO_SONAME TRUE)
# duckdb.hpp sits beside duckdb.h; mark it SYSTEM so its warnings are not ours.
target_include_directories(duckdb SYSTEM INTERFACE "${DUCKDB_INCLUDE_DIR}")
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
