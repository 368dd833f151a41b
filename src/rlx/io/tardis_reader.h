// Tardis.dev normalized CSV (.csv or .csv.gz), read through DuckDB as text so no float touches
// a price: incremental_book_L2, book_snapshot_N (25, 5, ...), trades, and quotes (as kTicker).
// The file kind comes from the header. Timestamps are microseconds; messages carry ns.
//
// incremental_book_L2: consecutive rows sharing local_timestamp and is_snapshot form one
// message. A change from is_snapshot=false to true starts a new book (kSnapshot); snapshot rows
// that continue a snapshot under a later local_timestamp are sent as kDelta (Tardis: the book is
// only reset on a false -> true change), counted in stats().snapshot_continuations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rlx/core/message.h"
#include "rlx/io/reader.h"

namespace rlx::io {

enum class TardisKind : uint8_t {
  kIncrementalBookL2 = 0,
  kBookSnapshot = 1,  // book_snapshot_25, book_snapshot_5, ...: one kSnapshot per row
  kTrades = 2,
  kQuotes = 3,  // best bid/ask: kTicker with levels {bid, ask} (absent sides left out)
};
const char* tardis_kind_name(TardisKind kind);

struct TardisReaderOptions {
  std::filesystem::path file;
  // Message.exchange / symbol; empty: the file's exchange / symbol columns.
  std::string exchange;
  std::string symbol;
  uint32_t source = 0;  // Message.source
  BadRowPolicy bad_rows = BadRowPolicy::kFail;
  // A row whose exchange or symbol cannot name an output folder (core/message.h) is a bad row.
  // false: it passes through, for a caller that fails that symbol alone (the router).
  bool check_names = true;
  std::vector<std::string> symbols;    // the run's --symbols: only their names are checked
  std::string memory_limit = "256MB";  // DuckDB's, for the scan
};

struct TardisReaderStats {
  uint64_t rows = 0;                       // data rows scanned, quarantined ones included
  uint64_t messages = 0;                   // messages returned
  uint64_t snapshots = 0;                  // kSnapshot messages (book resets)
  uint64_t snapshot_continuations = 0;     // is_snapshot=true groups sent as kDelta (see above)
  uint64_t local_timestamp_backwards = 0;  // rows whose local_timestamp < the previous (kept)
  uint64_t unknown_side_trades = 0;        // trades with side "unknown": Side::kNone (kept)
};

class TardisReader : public MessageReader {
 public:
  // Reads the header: an unreadable file, an unknown header or a missing column is an
  // Error(kBadInput) naming the file (and column) before any row is read.
  explicit TardisReader(TardisReaderOptions options);
  ~TardisReader() override;

  // Bad rows (unparsable or negative price/amount, bad timestamp, unknown side or
  // is_snapshot) throw Error(kBadInput) naming file, line (the header is line 1) and column, or
  // are skipped and counted under BadRowPolicy::kQuarantine. Message.source_row is the line of
  // the message's first row.
  bool next(Message* out) override;
  const Quarantine& quarantine() const override;
  const TardisReaderStats& stats() const;
  TardisKind kind() const;
  int32_t depth() const;  // book_snapshot_N: N; otherwise 0

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::io
