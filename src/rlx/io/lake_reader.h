// Crypto Lake tables (`trades`, `book`, `book_delta_v2`) for one symbol, read through DuckDB
// from Parquet, CSV or CSV.gz in the files' own row order with bounded memory.
//
// trades -> kTrade; book (one row, up to 20 levels a side) -> kSnapshot, bids then asks;
// book_delta_v2 -> kDelta, consecutive rows sharing (received_time, sequence_number) being one
// message. Raw (`amount`, `id`, `timestamp`, `receipt_timestamp`) and renamed column names are
// both accepted; times may be int64 ns, DuckDB timestamps, or float64 seconds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/message.h"
#include "rlx/io/reader.h"

namespace rlx::io {

enum class LakeTable : uint8_t { kTrades = 0, kBook = 1, kBookDelta = 2 };
const char* lake_table_name(LakeTable table);  // "trades", "book", "book_delta_v2"
bool parse_lake_table(std::string_view name, LakeTable* out);

// One dt partition of one table in the Lake layout.
struct LakePartition {
  std::string table;  // folder name: trades, book, book_delta_v2 (or any other table present)
  std::string exchange;
  std::string symbol;
  std::string date;                          // YYYY-MM-DD
  std::vector<std::filesystem::path> files;  // *.parquet, *.csv, *.csv.gz in natural name order
};

// Every partition under `root` (`{table}/exchange=E/symbol=S/dt=D/`), sorted by table,
// exchange, symbol, date. Folders that do not follow the layout are ignored.
std::vector<LakePartition> list_lake_partitions(const std::filesystem::path& root);

struct LakeReaderOptions {
  LakeTable table = LakeTable::kTrades;
  // Either explicit files, read in this order ...
  std::vector<std::filesystem::path> files;
  // ... or the layout: every dt partition of `table` for `exchange` / `symbol` under `root`,
  // with date_from <= dt <= date_to when given (YYYY-MM-DD).
  std::filesystem::path root;
  std::string date_from;
  std::string date_to;
  // Message.exchange / symbol. Required with `root`; with explicit files they default to the
  // `exchange=` / `symbol=` folders in the path.
  std::string exchange;
  std::string symbol;
  uint32_t source = 0;  // Message.source
  BadRowPolicy bad_rows = BadRowPolicy::kFail;
  // Times stored as float64 seconds carry ~0.24 us of noise at today's epoch: they are rounded
  // to this resolution (1000: microseconds) and the rows where that changed the value counted.
  int64_t float_time_resolution_ns = 1000;
  std::string memory_limit = "256MB";  // DuckDB's, for the scan
};

// What the reader saw that is not bad input but worth reporting.
struct LakeReaderStats {
  uint64_t files = 0;
  uint64_t rows = 0;                     // rows scanned, quarantined ones included
  uint64_t messages = 0;                 // messages returned
  uint64_t float_time_values = 0;        // times read from float64 seconds
  uint64_t float_time_rounded = 0;       // of those, values with sub-resolution noise, rounded
  uint64_t origin_time_backwards = 0;    // rows whose origin_time < the previous row's (kept)
  uint64_t received_time_backwards = 0;  // rows whose received_time < the previous row's (kept)
  uint64_t crossed_books = 0;  // book rows with best bid >= best ask (kept: the book decides)
  uint64_t nan_levels = 0;     // book levels whose price and size are both NaN: absent (pandas)
};

class LakeReader : public MessageReader {
 public:
  // Resolves the files and checks every file's columns before any row is read: a missing
  // column, an unreadable or corrupt file is an Error(kBadInput) naming file and column.
  explicit LakeReader(LakeReaderOptions options);
  ~LakeReader() override;

  // Bad rows (NaN, null or negative price/size, sequence_number going backwards, a repeated
  // sequence_number with a different received_time, an unknown side) throw Error(kBadInput)
  // with file, row (1-based in that file) and field, or are skipped and counted in
  // quarantine() under BadRowPolicy::kQuarantine. Message.source_row is the 1-based row in the
  // whole table scan (all files, in order).
  bool next(Message* out) override;
  // Seekable: a resume reopens the file it was in at the row it had reached (Parquet skips the
  // row groups before it unread; CSV parses its way there).
  std::shared_ptr<const ReaderPosition> position() const override;
  void seek(BinaryReader& saved) override;
  const Quarantine& quarantine() const override;
  const LakeReaderStats& stats() const;
  const std::vector<std::filesystem::path>& files() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::io
