#include "rlx/api/reader.h"

#include <duckdb.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/core/event.h"
#include "rlx/io/duckdb.h"
#include "rlx/io/duckdb_stream.h"
#include "rlx/sink/manifest.h"

namespace rlx {
namespace fs = std::filesystem;

Location ColumnBatch::where(uint64_t row, std::string_view field) const {
  Location at;
  at.field = std::string(field);
  auto run = std::upper_bound(runs.begin(), runs.end(), row,
                              [](uint64_t r, const FileRun& f) { return r < f.first_row; });
  if (run != runs.begin()) at.file = std::prev(run)->file;
  if (row < file_rows.size()) at.row = file_rows[row];
  return at;
}

void Column::clear_values() {
  int64s.clear();
  uint32s.clear();
  bools.clear();
  decimals.clear();
  dates.clear();
  offsets.clear();
  chars.clear();
  valid.clear();
}

Status ColumnBatch::append(ColumnBatch more) {
  if (columns.empty()) {
    *this = std::move(more);
    return Status();
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& b = more.columns[c];
    if (columns[c].chars.size() + b.chars.size() > UINT32_MAX) {
      return Status(StatusCode::kInvalidArgument,
                    "column '" + b.name + "' would hold over 4 GB of text: read it in batches");
    }
  }
  for (const FileRun& r : more.runs) runs.push_back(FileRun{r.file, rows + r.first_row});
  file_rows.insert(file_rows.end(), more.file_rows.begin(), more.file_rows.end());
  for (size_t c = 0; c < columns.size(); ++c) {
    Column& a = columns[c];
    const Column& b = more.columns[c];
    a.int64s.insert(a.int64s.end(), b.int64s.begin(), b.int64s.end());
    a.uint32s.insert(a.uint32s.end(), b.uint32s.begin(), b.uint32s.end());
    a.bools.insert(a.bools.end(), b.bools.begin(), b.bools.end());
    a.decimals.insert(a.decimals.end(), b.decimals.begin(), b.decimals.end());
    a.dates.insert(a.dates.end(), b.dates.begin(), b.dates.end());
    if (!b.offsets.empty()) {
      if (a.offsets.empty()) a.offsets.push_back(0);
      const auto base = static_cast<uint32_t>(a.chars.size());
      for (size_t i = 1; i < b.offsets.size(); ++i) a.offsets.push_back(base + b.offsets[i]);
      a.chars += b.chars;
    }
    if (!b.valid.empty() || !a.valid.empty()) {
      a.valid.resize(rows, 1);
      if (b.valid.empty()) {
        a.valid.resize(rows + more.rows, 1);
      } else {
        a.valid.insert(a.valid.end(), b.valid.begin(), b.valid.end());
      }
    }
  }
  rows += more.rows;
  return Status();
}

const Column* ColumnBatch::find(std::string_view name) const {
  for (const Column& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// The reader's type for a result column; Error(kBadInput) for a type rlx never writes.
ColumnType column_type(duckdb_result* result, idx_t col, const std::string& file) {
  switch (duckdb_column_type(result, col)) {
    case DUCKDB_TYPE_VARCHAR:
      return ColumnType::kString;
    case DUCKDB_TYPE_BIGINT:
      return ColumnType::kInt64;
    case DUCKDB_TYPE_UINTEGER:
      return ColumnType::kUInt32;
    case DUCKDB_TYPE_BOOLEAN:
      return ColumnType::kBool;
    case DUCKDB_TYPE_DATE:
      return ColumnType::kDate;
    case DUCKDB_TYPE_DECIMAL: {
      duckdb_logical_type t = duckdb_column_logical_type(result, col);
      const bool exact = duckdb_decimal_width(t) == 38 && duckdb_decimal_scale(t) == 18 &&
                         duckdb_decimal_internal_type(t) == DUCKDB_TYPE_HUGEINT;
      duckdb_destroy_logical_type(&t);
      if (exact) return ColumnType::kDecimal;
      break;
    }
    default:
      break;
  }
  throw bad_input(Location{file, 0, duckdb_column_name(result, col)},
                  "a column type rlx does not write (docs/SCHEMA.md)");
}

// Appends rows [from, from + n) of one DuckDB vector to `column`, which holds `have` rows. A
// NULL row's slot holds whatever DuckDB left there (a string's may point anywhere): it is never
// read, and 0 (an empty string) is stored instead.
void append_rows(Column& column, duckdb_vector vector, idx_t from, idx_t n, uint64_t have) {
  const void* data = duckdb_vector_get_data(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  auto is_valid = [&](idx_t i) {
    return validity == nullptr || duckdb_validity_row_is_valid(validity, from + i);
  };
  switch (column.type) {
    case ColumnType::kInt64: {
      const auto* p = static_cast<const int64_t*>(data) + from;
      for (idx_t i = 0; i < n; ++i) column.int64s.push_back(is_valid(i) ? p[i] : 0);
      break;
    }
    case ColumnType::kUInt32: {
      const auto* p = static_cast<const uint32_t*>(data) + from;
      for (idx_t i = 0; i < n; ++i) column.uint32s.push_back(is_valid(i) ? p[i] : 0);
      break;
    }
    case ColumnType::kBool: {
      const auto* p = static_cast<const bool*>(data) + from;
      for (idx_t i = 0; i < n; ++i) column.bools.push_back(is_valid(i) && p[i] ? 1 : 0);
      break;
    }
    case ColumnType::kDate: {
      const auto* p = static_cast<const duckdb_date*>(data) + from;
      for (idx_t i = 0; i < n; ++i) column.dates.push_back(is_valid(i) ? p[i].days : 0);
      break;
    }
    case ColumnType::kDecimal: {
      // duckdb_hugeint is {uint64 lower; int64 upper}: a little-endian int128's layout.
      static_assert(sizeof(duckdb_hugeint) == sizeof(__int128));
      const size_t old = column.decimals.size();
      column.decimals.resize(old + n);
      std::memcpy(column.decimals.data() + old, static_cast<const duckdb_hugeint*>(data) + from,
                  n * sizeof(__int128));
      if (validity != nullptr) {
        for (idx_t i = 0; i < n; ++i) {
          if (!is_valid(i)) column.decimals[old + i] = 0;
        }
      }
      break;
    }
    case ColumnType::kString: {
      auto* p = static_cast<duckdb_string_t*>(const_cast<void*>(data)) + from;
      if (column.offsets.empty()) column.offsets.push_back(0);
      for (idx_t i = 0; i < n; ++i) {
        if (is_valid(i)) {
          column.chars.append(duckdb_string_t_data(p + i), duckdb_string_t_length(p[i]));
        }
        column.offsets.push_back(static_cast<uint32_t>(column.chars.size()));
      }
      break;
    }
  }
  bool any_null = false;
  for (idx_t i = 0; i < n && !any_null; ++i) any_null = !is_valid(i);
  if (!any_null) {
    if (!column.valid.empty()) column.valid.resize(have + n, 1);
    return;
  }
  column.valid.resize(have, 1);  // the rows before were all present
  for (idx_t i = 0; i < n; ++i) column.valid.push_back(is_valid(i) ? 1 : 0);
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

struct OutputReader::Impl {
  fs::path root;
  ReadOptions options;
  std::vector<sink::FileInfo> parts;
  std::vector<Column> schema;
  std::string select;  // the SELECT list, file_row_number last
  io::DuckDb db;

  // The part being read.
  size_t next_part = 0;
  std::string part;       // relative path
  std::string part_path;  // root / part, as errors and FileRun name it
  io::DuckResult result;
  bool reading = false;
  duckdb_data_chunk chunk = nullptr;
  idx_t chunk_pos = 0;
  idx_t chunk_size = 0;

  explicit Impl(const ReadOptions& o) : options(o), db(io::DuckDbOptions{o.threads, "", ""}) {}
  ~Impl() { drop_chunk(); }

  void drop_chunk() {
    if (chunk != nullptr) duckdb_destroy_data_chunk(&chunk);
    chunk = nullptr;
    chunk_pos = chunk_size = 0;
  }

  std::string source(const std::string& file, const char* extra) const {
    return "read_parquet(" + io::sql_quote((root / file).string()) + ", hive_partitioning=true" +
           extra + ")";
  }

  void select_parts(std::vector<sink::FileInfo> listed);
  void read_schema(const std::string& file);
  void start_part();
  bool fill(ColumnBatch* batch);
};

void OutputReader::Impl::select_parts(std::vector<sink::FileInfo> listed) {
  std::set<std::string> present;
  for (const sink::FileInfo& f : listed) present.insert(f.symbol);
  for (const std::string& s : options.symbols) {
    if (present.count(s) == 0) {
      throw Error(StatusCode::kInvalidArgument, "symbol '" + s + "' is not in " +
                                                    (root / sink::kManifestName).string() +
                                                    " (it holds: " + join(present) + ")");
    }
  }
  const std::set<std::string> wanted(options.symbols.begin(), options.symbols.end());
  for (sink::FileInfo& f : listed) {
    if (!wanted.empty() && wanted.count(f.symbol) == 0) continue;
    // A part without origin times holds no row a time bound keeps.
    const bool timed = options.start_ns || options.end_ns;
    if (timed && f.min_origin_time == kNull) continue;
    if (options.start_ns && f.max_origin_time < *options.start_ns) continue;
    if (options.end_ns && f.min_origin_time >= *options.end_ns) continue;
    parts.push_back(std::move(f));
  }
}

// The columns asked for, typed from `file` (a part of the output, relative to the root).
void OutputReader::Impl::read_schema(const std::string& file) {
  io::DuckResult r =
      db.query("SELECT * FROM " + source(file, "") + " LIMIT 0", StatusCode::kBadInput);
  std::vector<Column> all;
  std::set<std::string> names;
  for (idx_t c = 0; c < r.column_count(); ++c) {
    Column col;
    col.name = r.column_name(c);
    col.type = column_type(r.get(), c, file);
    names.insert(col.name);
    all.push_back(std::move(col));
  }
  if (options.columns.empty()) {
    schema = all;
  } else {
    for (const std::string& name : options.columns) {
      auto it =
          std::find_if(all.begin(), all.end(), [&](const Column& c) { return c.name == name; });
      if (it == all.end()) {
        std::string what = "no column '" + name + "' in ";
        what.append(file).append(" (it has: ").append(join(names)).append(")");
        throw Error(StatusCode::kInvalidArgument, what);
      }
      schema.push_back(*it);
    }
  }
  for (const Column& c : schema) select += quote_identifier(c.name) + ", ";
  select += "file_row_number";
}

void OutputReader::Impl::start_part() {
  part = parts[next_part++].path;
  part_path = (root / part).string();
  std::string sql = "SELECT " + select + " FROM " + source(part, ", file_row_number=true");
  std::string where;
  if (options.start_ns) where += "origin_time >= " + std::to_string(*options.start_ns);
  if (options.end_ns) {
    where += (where.empty() ? "" : " AND ") + ("origin_time < " + std::to_string(*options.end_ns));
  }
  if (!where.empty()) sql += " WHERE " + where;
  result = io::query_streaming(db, sql, StatusCode::kBadInput);
  reading = true;
}

// Moves rows into `batch` until it is full or the parts are done; false when nothing is left.
bool OutputReader::Impl::fill(ColumnBatch* batch) {
  const size_t file_row_col = schema.size();
  while (batch->rows < options.batch_rows) {
    if (chunk_pos == chunk_size) {
      drop_chunk();
      if (!reading) {
        if (next_part == parts.size()) return batch->rows > 0;
        start_part();
      }
      chunk = duckdb_fetch_chunk(*result.get());
      if (chunk == nullptr) {
        const char* err = duckdb_result_error(result.get());
        if (err != nullptr && *err != '\0') {
          throw bad_input(Location{part_path, 0, ""}, std::string("cannot read: ") + err);
        }
        reading = false;
        continue;
      }
      chunk_size = duckdb_data_chunk_get_size(chunk);
      continue;
    }
    const idx_t n = std::min<idx_t>(chunk_size - chunk_pos, options.batch_rows - batch->rows);
    if (batch->runs.empty() || batch->runs.back().file != part_path) {
      batch->runs.push_back(FileRun{part_path, batch->rows});
    }
    for (size_t c = 0; c < schema.size(); ++c) {
      append_rows(batch->columns[c], duckdb_data_chunk_get_vector(chunk, c), chunk_pos, n,
                  batch->rows);
    }
    const auto* file_rows = static_cast<const int64_t*>(
        duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, file_row_col)));
    for (idx_t i = 0; i < n; ++i) {
      batch->file_rows.push_back(static_cast<uint64_t>(file_rows[chunk_pos + i]) + 1);
    }
    batch->rows += n;
    chunk_pos += n;
  }
  return true;
}

OutputReader::OutputReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutputReader::~OutputReader() = default;

Status OutputReader::open(const fs::path& out_dir, const ReadOptions& options,
                          std::unique_ptr<OutputReader>* reader) {
  try {
    if (options.batch_rows == 0 || options.batch_rows > (1u << 24)) {
      return Status(StatusCode::kInvalidArgument, "batch_rows must be 1-16777216");
    }
    if (options.threads < 1 || options.threads > 256) {
      return Status(StatusCode::kInvalidArgument, "threads must be 1-256");
    }
    if (!fs::exists(out_dir / sink::kManifestName)) {
      return Status(StatusCode::kInvalidArgument,
                    (out_dir / sink::kManifestName).string() +
                        " does not exist: not an rlx output folder (rlx reconstruct --out)");
    }
    auto impl = std::make_unique<Impl>(options);
    impl->root = out_dir;
    std::vector<sink::FileInfo> listed = sink::read_manifest(out_dir);
    if (listed.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    (out_dir / sink::kManifestName).string() + " lists no part");
    }
    impl->read_schema(listed.front().path);  // whatever the filters keep
    impl->select_parts(std::move(listed));
    reader->reset(new OutputReader(std::move(impl)));
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

const std::vector<Column>& OutputReader::schema() const { return impl_->schema; }
uint64_t OutputReader::parts() const { return impl_->parts.size(); }
std::vector<std::string> OutputReader::symbols() const {
  std::set<std::string> names;
  for (const sink::FileInfo& f : impl_->parts) names.insert(f.symbol);
  return std::vector<std::string>(names.begin(), names.end());
}

uint64_t OutputReader::listed_rows() const {
  uint64_t rows = 0;
  for (const sink::FileInfo& f : impl_->parts) rows += static_cast<uint64_t>(f.rows);
  return rows;
}

Status OutputReader::next(ColumnBatch* batch) {
  try {
    batch->rows = 0;
    batch->runs.clear();
    batch->file_rows.clear();
    if (batch->columns.size() != impl_->schema.size()) {
      batch->columns = impl_->schema;
    } else {
      for (size_t c = 0; c < batch->columns.size(); ++c) {
        batch->columns[c].name = impl_->schema[c].name;
        batch->columns[c].type = impl_->schema[c].type;
      }
    }
    for (Column& c : batch->columns) c.clear_values();
    impl_->fill(batch);
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

}  // namespace rlx
