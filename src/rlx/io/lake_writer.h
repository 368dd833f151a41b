// Writes Crypto Lake tables (`trades`, `book`, `book_delta_v2`) for one exchange and symbol in
// the Lake layout, as Lake does: float64 prices and sizes, int64 ns times, the renamed column
// names, one Parquet file per table per dt partition:
//   <root>/<table>/exchange=E/symbol=S/dt=YYYY-MM-DD/part-0.parquet
// Rows are staged in an on-disk DuckDB database (bounded memory) and written on close(), each
// file to a temporary name, fsynced, then renamed over any previous file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rlx/core/message.h"

namespace rlx::io {

struct LakeWriterOptions {
  std::filesystem::path root;
  std::string exchange;  // the exchange= folder
  std::string symbol;    // the symbol= folder
  // The dt partition is the UTC date of origin_time (received_time when origin_time is null),
  // or of received_time when this is set.
  bool partition_by_received_time = false;
  std::string compression = "zstd";
  std::string memory_limit = "256MB";
  // Where the staging database lives; empty: a hidden folder under root, removed on close.
  std::filesystem::path staging_dir;
};

struct LakeWriterStats {
  uint64_t trade_rows = 0;
  uint64_t book_rows = 0;
  uint64_t delta_rows = 0;
  // Prices/sizes that float64 cannot hold exactly (the Decimal read back differs): Lake's
  // format loses them; counted so the loss is never silent.
  uint64_t inexact_values = 0;
};

class LakeWriter {
 public:
  static constexpr int32_t kBookDepth = 20;  // levels per side in a `book` row

  // Throws Error(kIo) if the staging database cannot be created.
  explicit LakeWriter(LakeWriterOptions options);
  // Without close(), the staged rows are discarded and no file is written.
  ~LakeWriter();
  LakeWriter(const LakeWriter&) = delete;
  LakeWriter& operator=(const LakeWriter&) = delete;

  // A kTrade: side (kBuy/kSell), size -> quantity, price, trade_id (empty: NULL), times.
  void add_trade(const Message& trade);
  // A kDelta: one row per level (side kBid/kAsk), update_id -> sequence_number.
  void add_delta(const Message& delta);
  // One `book` row: levels best first, at most kBookDepth a side; missing levels are NULL.
  void add_book(int64_t origin_time, int64_t received_time, int64_t sequence_number,
                std::span<const Level> bids, std::span<const Level> asks);
  // A kSnapshot as one `book` row: its best kBookDepth levels per side (update_id ->
  // sequence_number). Deeper levels are not part of Lake's `book` table.
  void add_book(const Message& snapshot);

  // Writes every staged partition and returns the files written, sorted. Throws Error(kIo).
  std::vector<std::filesystem::path> close();
  const LakeWriterStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::io
