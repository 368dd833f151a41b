// An impostor libduckdb.so for test_isolation.py: it exports the DuckDB C API entry points that
// rlx calls first, and each ends the process with exit code 42, naming itself. A process that
// loads it globally before importing rlx must never reach it.
#include <cstdio>
#include <cstdlib>

#define RLX_IMPOSTOR(name)                                       \
  extern "C" __attribute__((visibility("default"))) int name() { \
    std::fprintf(stderr, "impostor DuckDB called: %s\n", #name); \
    std::fflush(stderr);                                         \
    std::_Exit(42);                                              \
  }

RLX_IMPOSTOR(duckdb_create_config)
RLX_IMPOSTOR(duckdb_set_config)
RLX_IMPOSTOR(duckdb_open_ext)
RLX_IMPOSTOR(duckdb_open)
RLX_IMPOSTOR(duckdb_connect)
RLX_IMPOSTOR(duckdb_query)
RLX_IMPOSTOR(duckdb_prepare)
RLX_IMPOSTOR(duckdb_fetch_chunk)
