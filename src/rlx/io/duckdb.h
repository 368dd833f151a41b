// A small RAII layer over DuckDB's C API: one database, one connection, queries that throw
// rlx::Error with the failing SQL, and result access by chunk.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rlx/core/error.h"

namespace rlx::io {

struct DuckDbOptions {
  int32_t threads = 1;         // 1 keeps output deterministic and order-preserving
  std::string memory_limit;    // e.g. "512MB"; empty: DuckDB's default
  std::string temp_directory;  // spill directory; empty: none
};

// A result set, read chunk by chunk.
class DuckResult {
 public:
  DuckResult() = default;
  explicit DuckResult(duckdb_result result) : result_(result), valid_(true) {}
  ~DuckResult();
  DuckResult(DuckResult&& other) noexcept;
  DuckResult& operator=(DuckResult&& other) noexcept;
  DuckResult(const DuckResult&) = delete;
  DuckResult& operator=(const DuckResult&) = delete;

  duckdb_result* get() { return &result_; }
  idx_t column_count();
  std::string column_name(idx_t col);
  duckdb_type column_type(idx_t col);
  // Next chunk, or nullptr at the end. The caller owns it (duckdb_destroy_data_chunk).
  duckdb_data_chunk fetch_chunk();

 private:
  duckdb_result result_{};
  bool valid_ = false;
};

class DuckDb {
 public:
  // In-memory database unless `path` is given.
  explicit DuckDb(const DuckDbOptions& options = {}, const std::string& path = "");
  ~DuckDb();
  DuckDb(const DuckDb&) = delete;
  DuckDb& operator=(const DuckDb&) = delete;

  duckdb_connection connection() { return conn_; }
  // Runs `sql`, discarding any result. Throws Error(code) naming the SQL on failure.
  void execute(const std::string& sql, StatusCode code = StatusCode::kInternal);
  DuckResult query(const std::string& sql, StatusCode code = StatusCode::kInternal);

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection conn_ = nullptr;
};

// A query's result as text: NULL as "NULL", every other value as DuckDB casts it to VARCHAR
// (decimals keep all 18 digits). For small results: the CLI's `sql` command and tests.
struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  uint64_t total_rows = 0;  // rows in the result, also those beyond max_rows
};
TextTable query_text(DuckDb& db, const std::string& sql, uint64_t max_rows = UINT64_MAX,
                     StatusCode code = StatusCode::kInternal);
// Every statement of `sql` in turn (`a; b; c`), one table each; Error(code) when `sql` holds no
// statement or one fails (naming it; the statements before it have run).
std::vector<TextTable> query_texts(DuckDb& db, const std::string& sql, uint64_t max_rows,
                                   StatusCode code);

// Quotes a string as an SQL literal: 'it''s'.
std::string sql_quote(const std::string& s);

}  // namespace rlx::io
