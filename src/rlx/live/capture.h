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

#include "rlx/core/log.h"
#include "rlx/core/message.h"
#include "rlx/live/capture_stats.h"

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
  // Prometheus metrics at http://metrics_host:metrics_port/metrics (live/metrics_server.h);
  // -1: off, 0: any free port (Capture::metrics_port() says which).
  int32_t metrics_port = -1;
  std::string metrics_host = "127.0.0.1";
  Log log;
};

class Capture {
 public:
  // Checks the options and opens the record (out_dir locked, Error(kInvalidArgument) if in use).
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
  // The metrics endpoint's port (0 when off).
  uint16_t metrics_port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::live
