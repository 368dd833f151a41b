// Streaming DuckDB results, read row by row: the readers' way to scan a file with bounded
// memory (DuckDbOptions::memory_limit) in the file's own row order (threads = 1, no ORDER BY).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/io/duckdb.h"

namespace rlx::io {

// Runs `sql` as a streaming query: chunks are produced as they are fetched, never all at once.
// Throws Error(code) with DuckDB's message and the SQL on failure.
DuckResult query_streaming(DuckDb& db, const std::string& sql, StatusCode code);

// Walks a (streaming) result row by row. Accessors read the current row; the caller checks
// is_null first and reads a column with the accessor matching its DuckDB type.
class RowCursor {
 public:
  // `what` names the input in errors raised while fetching (a DuckDB error mid-stream).
  RowCursor(DuckResult result, std::string what);
  ~RowCursor();
  RowCursor(const RowCursor&) = delete;
  RowCursor& operator=(const RowCursor&) = delete;

  // Advances to the next row; false at the end. Throws Error(kBadInput) if DuckDB fails.
  bool next();
  uint64_t row() const { return row_; }  // 1-based row of the current row in this result

  bool is_null(idx_t col) const {
    return validity_[col] != nullptr && !duckdb_validity_row_is_valid(validity_[col], pos_);
  }
  int64_t get_int64(idx_t col) const { return static_cast<const int64_t*>(data_[col])[pos_]; }
  double get_double(idx_t col) const { return static_cast<const double*>(data_[col])[pos_]; }
  float get_float(idx_t col) const { return static_cast<const float*>(data_[col])[pos_]; }
  // DECIMAL(38,18) and HUGEINT columns: the unscaled 128-bit value.
  __int128 get_hugeint(idx_t col) const {
    const duckdb_hugeint h = static_cast<const duckdb_hugeint*>(data_[col])[pos_];
    return static_cast<__int128>(
        (static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64) | h.lower);
  }
  bool get_bool(idx_t col) const { return static_cast<const bool*>(data_[col])[pos_]; }
  std::string_view get_string(idx_t col) const {
    auto* s = static_cast<duckdb_string_t*>(data_[col]) + pos_;
    return std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
  }

 private:
  DuckResult result_;
  std::string what_;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t pos_ = 0;
  idx_t size_ = 0;
  uint64_t row_ = 0;
  bool done_ = false;
  std::vector<void*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace rlx::io
