// A capture's counters: the live view (Capture::stats(), the metrics endpoint, the status line)
// and the end-of-run report.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"

namespace rlx::live {

struct SymbolCaptureStats {
  std::string symbol;
  uint64_t frames = 0;           // recorded frames of this symbol
  uint64_t snapshots = 0;        // REST snapshots recorded
  uint64_t snapshot_weight = 0;  // request weight spent on them
  uint64_t snapshot_requests = 0;
  uint64_t reconnects = 0;  // of connections that carry its streams
  double frames_per_s = 0;  // over the last 10 seconds
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
  double record_cpu_seconds = 0;  // the record writer's thread: compression, writes, syncs
  double frames_per_s = 0;        // over the last 10 seconds
  double seconds = 0;             // since the capture started
  // --events: "off", "running", "done" or "failed" (events_error says why; the record is whole
  // either way and `rlx reconstruct` of it rebuilds the events).
  std::string events = "off";
  std::string events_error;
  uint64_t events_rows = 0;
  std::vector<SymbolCaptureStats> symbols;

  void write_json(std::string* out) const;
  // Prometheus text exposition of every counter (docs/CAPTURE.md lists the metrics).
  void write_prometheus(std::string* out) const;
};

}  // namespace rlx::live
