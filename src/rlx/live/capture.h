// `rlx capture`: records live Binance market data as golden samples (docs/CAPTURE.md).
//
// One io thread runs every connection (Boost.Asio coroutines). Each frame is stamped with its
// receive time, de-duplicated per stream by its update or trade id (so an overlapping second
// connection adds nothing twice), written to the raw record (live/recorder.h) exactly as
// received, and applied to the symbol's live book: the same book::BookEngine `rlx reconstruct`
// runs, fed the same messages in the record's order, so the two cannot disagree.
//
// The live book is the authority on sync: a symbol whose book is not synced (no snapshot yet,
// a gap, or a snapshot that did not bridge the stream) gets a REST snapshot, paced by the
// venue's request-weight budget and backing off on 429 and 418. A gap resyncs only its symbol.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/log.h"
#include "rlx/core/message.h"

namespace rlx::live {

struct CaptureOptions {
  Market market = Market::kSpot;
  std::vector<std::string> symbols;  // upper case
  std::vector<std::string> streams = {"depth@100ms", "trade", "bookTicker"};
  std::filesystem::path out_dir;
  double duration_s = 0;        // 0: until stop()
  std::string ws_base;          // empty: the venue's
  std::string rest_base;        // empty: the venue's
  std::string ca_file;          // empty: the system's CA bundle
  uint32_t snapshot_limit = 0;  // 0: the venue's (5000 spot, 1000 futures)
  uint32_t flush_interval_ms = 1000;
  uint64_t rotate_bytes = 1ULL << 30;
  uint32_t rotate_seconds = 3600;
  uint32_t max_streams_per_connection = 0;  // 0: the venue's
  double rollover_after_s = 23.5 * 3600;    // a replacement connection before the 24 h limit
  double overlap_timeout_s = 30;            // longest overlap before the old one closes
  uint32_t reconnect_base_ms = 250;
  uint32_t reconnect_max_ms = 30'000;
  uint32_t breaker_failures = 10;  // consecutive failures that open the breaker
  uint32_t breaker_cooldown_ms = 60'000;
  uint32_t connect_timeout_ms = 10'000;
  uint64_t seed = 0;  // jitter
  // --events: the live book's events through reconstruct's Parquet sink (live/live_events.h);
  // empty: none.
  std::filesystem::path events_dir;
  uint64_t events_max_queued_bytes = 256ULL << 20;
  Log log;
};

struct SymbolCaptureStats {
  std::string symbol;
  uint64_t frames = 0;           // recorded frames of this symbol
  uint64_t snapshots = 0;        // REST snapshots recorded
  uint64_t snapshot_weight = 0;  // request weight spent on them
  uint64_t snapshot_requests = 0;
  int64_t last_lag_ns = 0;  // capture_ns - event time of the last frame with one
  int64_t max_lag_ns = 0;
  book::BookStats book;  // the live book's counters (gaps, resyncs, ticker checks)
  bool synced = false;
  // "synced", "awaiting_bridge" (a snapshot applied, no diff after it yet), "unsynced" (a gap or
  // a snapshot that did not bridge, a new one on its way) or "no_snapshot".
  std::string sync_state = "no_snapshot";
};

struct CaptureStats {
  uint64_t frames = 0;       // recorded
  uint64_t duplicates = 0;   // dropped by the per-stream id check (connection overlap)
  uint64_t malformed = 0;    // recorded, but not parseable
  uint64_t unsupported = 0;  // recorded streams rlx does not read (kline, ...)
  uint64_t control = 0;      // subscription replies and venue notices, recorded
  uint64_t connects = 0;
  uint64_t reconnects = 0;
  uint64_t rollovers = 0;  // planned replacements (24 h limit, shutdown notices)
  uint64_t breaker_trips = 0;
  uint64_t rest_429 = 0;
  uint64_t rest_418 = 0;
  uint64_t rest_errors = 0;
  uint64_t record_lines = 0;
  uint64_t record_durable_lines = 0;
  // --events: "off", "running", "done" or "failed" (events_error says why; the record is whole
  // either way and `rlx reconstruct` of it rebuilds the events).
  std::string events = "off";
  std::string events_error;
  uint64_t events_rows = 0;
  std::vector<SymbolCaptureStats> symbols;

  void write_json(std::string* out) const;
};

class Capture {
 public:
  // Checks the options and opens the record (out_dir locked, Error(kUsage) if in use).
  explicit Capture(CaptureOptions options);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Runs until the duration passes or stop() is called; flushes and closes the record, writes
  // report.json, and returns the counters.
  CaptureStats run();
  // From any thread (a signal watcher): ends run() cleanly.
  void stop();
  // A consistent copy of the counters, from any thread.
  CaptureStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::live
