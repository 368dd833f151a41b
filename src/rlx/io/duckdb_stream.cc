#include "rlx/io/duckdb_stream.h"

#include <utility>

namespace rlx::io {

DuckResult query_streaming(DuckDb& db, const std::string& sql, StatusCode code) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(db.connection(), sql.c_str(), &stmt) != DuckDBSuccess) {
    std::string msg = duckdb_prepare_error(stmt);
    duckdb_destroy_prepare(&stmt);
    throw Error(code, msg + " (in: " + sql.substr(0, 300) + ")");
  }
  // The streaming variants are marked deprecated in 1.4 but remain the C API's only way to
  // avoid materialising a whole result.
  duckdb_pending_result pending = nullptr;
  const duckdb_state ps = duckdb_pending_prepared_streaming(stmt, &pending);
  duckdb_destroy_prepare(&stmt);
  if (ps != DuckDBSuccess) {
    std::string msg = duckdb_pending_error(pending);
    duckdb_destroy_pending(&pending);
    throw Error(code, msg + " (in: " + sql.substr(0, 300) + ")");
  }
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) != DuckDBSuccess) {
    std::string msg = duckdb_result_error(&result);
    duckdb_destroy_result(&result);
    duckdb_destroy_pending(&pending);
    throw Error(code, msg + " (in: " + sql.substr(0, 300) + ")");
  }
  duckdb_destroy_pending(&pending);
  return DuckResult(result);
}

RowCursor::RowCursor(DuckResult result, std::string what)
    : result_(std::move(result)), what_(std::move(what)) {
  const idx_t n = result_.column_count();
  data_.assign(n, nullptr);
  validity_.assign(n, nullptr);
}

RowCursor::~RowCursor() {
  if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
}

bool RowCursor::next() {
  if (done_) return false;
  if (chunk_ != nullptr && pos_ + 1 < size_) {
    ++pos_;
    ++row_;
    return true;
  }
  while (true) {
    if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
    chunk_ = duckdb_fetch_chunk(*result_.get());
    if (chunk_ == nullptr) {
      done_ = true;
      const char* err = duckdb_result_error(result_.get());
      if (err != nullptr && *err != '\0') {
        throw Error(StatusCode::kBadInput, Location{what_, row_ + 1, ""},
                    std::string("cannot read: ") + err);
      }
      return false;
    }
    size_ = duckdb_data_chunk_get_size(chunk_);
    if (size_ == 0) continue;
    for (idx_t c = 0; c < data_.size(); ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk_, c);
      data_[c] = duckdb_vector_get_data(v);
      validity_[c] = duckdb_vector_get_validity(v);
    }
    pos_ = 0;
    ++row_;
    return true;
  }
}

}  // namespace rlx::io
