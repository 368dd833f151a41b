// Reading an rlx output: the committed parts listed in its manifest.json, filtered by symbol,
// time and column, as batches of typed columns in output order (per symbol, by event_seq).
//
//   rlx::ReadOptions options;
//   options.symbols = {"BTCUSDT"};
//   std::unique_ptr<rlx::OutputReader> reader;
//   rlx::Status s = rlx::OutputReader::open("out", options, &reader);
//   rlx::ColumnBatch batch;
//   while (s.ok() && (s = reader->next(&batch)).ok() && batch.rows > 0) { ... }
//
// Values are exactly what DuckDB reads from the files: prices and sizes as the unscaled 128-bit
// integers of DECIMAL(38,18), times as int64 nanoseconds, NULL as a cleared validity byte.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/status.h"

namespace rlx {

struct ReadOptions {
  std::vector<std::string> symbols;  // empty: every symbol in the output
  // Rows whose time (origin_time, else received_time) is in [start_ns, end_ns); rows with
  // neither time are kept when no bound is set and dropped otherwise.
  std::optional<int64_t> start_ns;
  std::optional<int64_t> end_ns;
  std::vector<std::string> columns;  // empty: every column of docs/SCHEMA.md, in its order
  uint32_t batch_rows = 65'536;      // rows per batch, at most (1-16,777,216)
  int32_t threads = 2;               // DuckDB threads decoding a part (order is kept)
};

enum class ColumnType : uint8_t {
  kString,   // VARCHAR
  kInt64,    // BIGINT
  kUInt32,   // UINTEGER
  kBool,     // BOOLEAN
  kDecimal,  // DECIMAL(38,18): the unscaled value, value = raw / 10^18
  kDate,     // DATE: days since 1970-01-01
};

// One column of a batch. The vector matching `type` holds one value per row; a NULL row holds
// 0 (or an empty string) there and 0 in `valid`.
struct Column {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  std::vector<int64_t> int64s;     // kInt64
  std::vector<uint32_t> uint32s;   // kUInt32
  std::vector<uint8_t> bools;      // kBool: 0 or 1
  std::vector<__int128> decimals;  // kDecimal
  std::vector<int32_t> dates;      // kDate
  std::vector<uint32_t> offsets;   // kString: row i is chars[offsets[i], offsets[i + 1])
  std::string chars;               // kString
  std::vector<uint8_t> valid;      // 1: a value, 0: NULL; empty when no row is NULL

  bool is_null(size_t row) const { return !valid.empty() && valid[row] == 0; }
  void clear_values();  // every value gone; name and type kept
  std::string_view string(size_t row) const {
    return std::string_view(chars).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

// Where a batch's rows come from: rows [first_row, next run's first_row) of the batch are from
// `file` (the output folder joined with the part's path in the manifest); `file_rows` gives each
// row's 1-based row in its file.
struct FileRun {
  std::string file;
  uint64_t first_row = 0;
};

struct ColumnBatch {
  uint64_t rows = 0;
  std::vector<Column> columns;  // in the order asked for
  std::vector<FileRun> runs;
  std::vector<uint64_t> file_rows;

  // The file and row that batch row `row` was read from, and `field`: for errors.
  Location where(uint64_t row, std::string_view field) const;
  const Column* find(std::string_view name) const;
  // Appends `more`'s rows (the same columns). kInvalidArgument when a string column would pass
  // 4 GB, which its 32-bit offsets cannot address.
  Status append(ColumnBatch more);
};

// An output opened for reading. Not thread-safe; one reader per thread.
class OutputReader {
 public:
  // Reads <out_dir>/manifest.json and selects the parts that may hold the rows asked for.
  // kInvalidArgument: no manifest, an unknown symbol or column, a bad option.
  static Status open(const std::filesystem::path& out_dir, const ReadOptions& options,
                     std::unique_ptr<OutputReader>* reader);
  ~OutputReader();
  OutputReader(const OutputReader&) = delete;
  OutputReader& operator=(const OutputReader&) = delete;

  // The columns every batch holds (values empty).
  const std::vector<Column>& schema() const;
  uint64_t parts() const;                    // parts selected
  std::vector<std::string> symbols() const;  // the symbols of the selected parts, sorted
  uint64_t listed_rows() const;              // rows in the selected parts, before the time filter

  // The next batch (up to batch_rows rows; fewer at the end of a symbol is not promised), or a
  // batch of 0 rows at the end. kBadInput names the part that cannot be read.
  Status next(ColumnBatch* batch);

 private:
  struct Impl;
  explicit OutputReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx
