// The Parquet sink: one row per event with the book's state after it (best bid/ask, mid,
// spread, top-N levels per side), written as Hive-partitioned, zstd-compressed Parquet
//   <root>/exchange=<E>/symbol=<S>/date=<YYYY-MM-DD>/part-NNNNN.parquet
// Each part is written under ".part-NNNNN.parquet.tmp", fsynced, renamed and its directory
// fsynced, so a visible part is always complete. The schema is docs/SCHEMA.md (version 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/book/order_book.h"
#include "rlx/core/event.h"
#include "rlx/core/message.h"

namespace rlx::sink {

inline constexpr int32_t kSchemaVersion = 1;
inline constexpr int32_t kMaxTopN = 50;

// One committed part file.
struct FileInfo {
  std::string path;  // relative to the root, '/'-separated
  std::string exchange;
  std::string symbol;
  std::string date;  // YYYY-MM-DD partition
  int64_t rows = 0;
  int64_t first_event_seq = 0;
  int64_t last_event_seq = 0;
  int64_t min_origin_time = kNull;  // kNull when every row's origin_time is NULL
  int64_t max_origin_time = kNull;
  uint64_t bytes = 0;
  uint64_t xxh3 = 0;  // XXH3-64 of the file's bytes
  // The part's thin copy (thin_part.h), at thin_path(path); thin_bytes 0: none was written.
  uint64_t thin_bytes = 0;
  uint64_t thin_xxh3 = 0;
};

// One symbol's Hive partition folder, relative to the output root: "exchange=E/symbol=S".
std::string symbol_partition(const std::string& exchange, const std::string& symbol);

struct ParquetSinkOptions {
  std::filesystem::path root;         // output root; created if missing
  std::string exchange;               // partition value and `exchange` column
  std::string symbol;                 // partition value and `symbol` column
  int32_t top_n = 5;                  // levels per side in bid_i_*/ask_i_* columns, 0..kMaxTopN
  int64_t rows_per_file = 1'000'000;  // a new part also starts at a UTC date change
  // Rows per Parquet row group, at most; also capped at ~8 MB of uncompressed column data
  // (top_n = 5: 16,384 rows; top_n = 50: 2,048 rows) so memory stays bounded. Rounded up to a
  // multiple of 2048 rows.
  int64_t row_group_size = 122'880;
  int32_t zstd_level = 1;  // zstd level (1..22); 3 is ~3% smaller and ~20% slower
  // Filled row groups waiting for the writer (each up to ~8 MB, see row_group_size).
  size_t queue_row_groups = 1;
  // DuckDB threads encoding and compressing row groups in parallel (1..64). The files are
  // byte-identical for any value; 2 suits a 2-core machine (the caller's thread is the third).
  // 0: 2 for top_n <= 10, else 1 (with 2 threads DuckDB buffers more of a wide row group:
  // top_n = 50 peaked near 1 GB).
  int32_t writer_threads = 0;
  // DuckDB's memory limit for the writer: bounds how far its batch COPY runs ahead and what it
  // keeps between parts, so memory stays flat whatever the input size. Empty: derived from the
  // column count and writer_threads (writer_memory_limit_bytes), the least that still lets every
  // thread encode; below it DuckDB's batch COPY runs on one thread whatever writer_threads says.
  std::string memory_limit;
  // Also write each part's thin copy (thin_part.h) beside it, for `rlx validate`.
  bool write_thin = false;

  // Resuming a run after a crash. `committed`: the parts an earlier attempt of this run already
  // committed for this exchange/symbol (in commit order); files() starts with them, rows()
  // counts them, and part numbering per date continues after them. `skip_below_seq`: append()
  // ignores rows whose event_seq is below it (they are in `committed`). Fed the same events
  // from the start, the sink then writes the same parts, byte for byte, as an uninterrupted run.
  std::vector<FileInfo> committed;
  int64_t skip_below_seq = 0;
};

class ParquetSink final : public book::EventConsumer {
 public:
  // Throws Error(kInvalidArgument) for bad options, Error(kIo) when the root cannot be created.
  explicit ParquetSink(ParquetSinkOptions options);
  // Without finish(), the open part is abandoned: its temporary file is removed, nothing is
  // committed. Never throws.
  ~ParquetSink() override;
  ParquetSink(const ParquetSink&) = delete;
  ParquetSink& operator=(const ParquetSink&) = delete;

  void on_event(const Event& event, const book::OrderBook& book) override { append(event, book); }

  // Appends one row; `book` is the state after the event. Throws Error(kIo) on a write failure
  // (also one that happened earlier on the writer thread), Error(kInvalidArgument) if a part file
  // exists.
  void append(const Event& event, const book::OrderBook& book);
  // The same with the book given as its levels, best first; only the first top_n are read.
  void append(const Event& event, std::span<const Level> bids, std::span<const Level> asks);
  // Commits the open part. Idempotent; append() after finish() throws. After a write failure
  // the sink is failed for good: append() and finish() throw Error(kIo).
  void finish();
  // Commits the open part now (if any); the next row starts a new part. Used at checkpoints
  // that must not leave rows outside committed parts.
  void commit_open_part();

  // Committed parts, in commit order.
  const std::vector<FileInfo>& files() const;
  int64_t rows() const;  // rows appended so far, the committed parts' included

  // The open part, so a caller can tell whether the next rows may close it (it closes when a
  // row arrives for another UTC day or it already holds rows_per_file rows).
  int64_t open_part_rows() const;          // rows in the open part; 0 if none is open
  bool open_part_day(int64_t* day) const;  // its UTC day (days since 1970-01-01); false if none

  // The memory limit an empty ParquetSinkOptions::memory_limit stands for.
  static int64_t writer_memory_limit_bytes(int32_t top_n, int32_t writer_threads);

  // Column names in file order for a given top_n (partition column `date` excluded).
  static std::vector<std::string> column_names(int32_t top_n);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::sink
