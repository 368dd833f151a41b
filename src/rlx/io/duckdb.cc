#include "rlx/io/duckdb.h"

#include <memory>
#include <utility>

namespace rlx::io {

DuckResult::~DuckResult() {
  if (valid_) duckdb_destroy_result(&result_);
}

DuckResult::DuckResult(DuckResult&& other) noexcept
    : result_(other.result_), valid_(std::exchange(other.valid_, false)) {}

DuckResult& DuckResult::operator=(DuckResult&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = other.result_;
    valid_ = std::exchange(other.valid_, false);
  }
  return *this;
}

idx_t DuckResult::column_count() { return duckdb_column_count(&result_); }
std::string DuckResult::column_name(idx_t col) { return duckdb_column_name(&result_, col); }
duckdb_type DuckResult::column_type(idx_t col) { return duckdb_column_type(&result_, col); }
duckdb_data_chunk DuckResult::fetch_chunk() { return duckdb_fetch_chunk(result_); }

DuckDb::DuckDb(const DuckDbOptions& options, const std::string& path) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) {
    throw Error(StatusCode::kInternal, "duckdb: cannot create a configuration");
  }
  const std::string threads = std::to_string(options.threads);
  duckdb_set_config(config, "threads", threads.c_str());
  if (!options.memory_limit.empty()) {
    duckdb_set_config(config, "memory_limit", options.memory_limit.c_str());
  }
  if (!options.temp_directory.empty()) {
    duckdb_set_config(config, "temp_directory", options.temp_directory.c_str());
  }
  char* err = nullptr;
  const duckdb_state state =
      duckdb_open_ext(path.empty() ? nullptr : path.c_str(), &db_, config, &err);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string msg = err ? err : "unknown error";
    duckdb_free(err);
    throw Error(StatusCode::kInternal, "duckdb: cannot open database: " + msg);
  }
  if (duckdb_connect(db_, &conn_) != DuckDBSuccess) {
    duckdb_close(&db_);
    throw Error(StatusCode::kInternal, "duckdb: cannot connect");
  }
}

DuckDb::~DuckDb() {
  if (conn_) duckdb_disconnect(&conn_);
  if (db_) duckdb_close(&db_);
}

DuckResult DuckDb::query(const std::string& sql, StatusCode code) {
  duckdb_result result;
  if (duckdb_query(conn_, sql.c_str(), &result) != DuckDBSuccess) {
    std::string msg = duckdb_result_error(&result);
    duckdb_destroy_result(&result);
    throw Error(code, msg + " (in: " + sql.substr(0, 300) + ")");
  }
  return DuckResult(result);
}

void DuckDb::execute(const std::string& sql, StatusCode code) { query(sql, code); }

namespace {

TextTable text_of(DuckResult& r, uint64_t max_rows) {
  TextTable t;
  const idx_t cols = r.column_count();
  for (idx_t c = 0; c < cols; ++c) t.columns.push_back(r.column_name(c));
  t.total_rows = duckdb_row_count(r.get());
  for (idx_t i = 0; i < t.total_rows && i < max_rows; ++i) {
    std::vector<std::string>& row = t.rows.emplace_back();
    for (idx_t c = 0; c < cols; ++c) {
      if (duckdb_value_is_null(r.get(), c, i)) {
        row.emplace_back("NULL");
      } else {
        char* v = duckdb_value_varchar(r.get(), c, i);
        row.emplace_back(v != nullptr ? v : "");
        duckdb_free(v);
      }
    }
  }
  return t;
}

}  // namespace

TextTable query_text(DuckDb& db, const std::string& sql, uint64_t max_rows, StatusCode code) {
  DuckResult r = db.query(sql, code);
  return text_of(r, max_rows);
}

std::vector<TextTable> query_texts(DuckDb& db, const std::string& sql, uint64_t max_rows,
                                   StatusCode code) {
  duckdb_extracted_statements statements = nullptr;
  const idx_t n = duckdb_extract_statements(db.connection(), sql.c_str(), &statements);
  // Owns the extracted statements until the end of the function.
  const std::unique_ptr<duckdb_extracted_statements, void (*)(duckdb_extracted_statements*)> own(
      &statements, duckdb_destroy_extracted);
  if (n == 0) {
    const char* err = duckdb_extract_statements_error(statements);
    throw Error(code, err != nullptr && *err != '\0'
                          ? std::string(err)
                          : std::string("the query holds no SQL statement"));
  }
  std::vector<TextTable> tables;
  for (idx_t i = 0; i < n; ++i) {
    duckdb_prepared_statement prepared = nullptr;
    const auto fail = [&](const char* err) {
      const std::string msg = err != nullptr ? err : "unknown error";
      duckdb_destroy_prepare(&prepared);
      throw Error(code,
                  "statement " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + msg);
    };
    if (duckdb_prepare_extracted_statement(db.connection(), statements, i, &prepared) !=
        DuckDBSuccess) {
      fail(duckdb_prepare_error(prepared));
    }
    duckdb_result result;
    if (duckdb_execute_prepared(prepared, &result) != DuckDBSuccess) {
      const std::string msg = duckdb_result_error(&result);
      duckdb_destroy_result(&result);
      fail(msg.c_str());
    }
    duckdb_destroy_prepare(&prepared);
    DuckResult r(result);
    tables.push_back(text_of(r, max_rows));
  }
  return tables;
}

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace rlx::io
