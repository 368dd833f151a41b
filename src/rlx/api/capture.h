// Recording live Binance data from a program (`rlx capture`, docs/CAPTURE.md): open a session,
// run it on one thread, stop it from any other. No signal handling: the caller decides what
// stops it (the command line stops it on SIGINT/SIGTERM, the Python module on Ctrl-C).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/core/progress.h"
#include "rlx/core/status.h"

namespace rlx {

struct CaptureRequest {
  std::string market = "spot";       // spot, usdm or coinm
  std::vector<std::string> symbols;  // any case
  std::vector<std::string> streams = {"depth@100ms", "trade", "bookTicker"};
  std::filesystem::path out_dir;     // the raw record (capture-NNNNNN.jsonl.zst), report.json
  std::filesystem::path events_dir;  // also the live book's events as Parquet; empty: none
  double duration_s = 0;             // 0: until stop()
  std::string ws_url;                // empty: the venue's (a local exchange in tests)
  std::string rest_url;
  std::string ca_file;  // empty: the system's CA bundle; certificates are always verified
  // Tuning (docs/CAPTURE.md; the defaults are live::CaptureOptions', checked by capture_test).
  uint32_t flush_interval_ms = 1000;        // write and fsync the record this often
  uint64_t rotate_bytes = 1ULL << 30;       // a new segment after this much text
  uint32_t rotate_seconds = 3600;           // or this long
  uint32_t snapshot_limit = 0;              // levels per REST snapshot; 0: the venue's most
  uint32_t max_streams_per_connection = 0;  // 0: the venue's limit
  double rollover_after_s = 23.5 * 3600;    // a replacement connection before the 24 h limit
  uint64_t seed = 0;                        // reconnect jitter
  int32_t metrics_port = -1;                // Prometheus /metrics: -1 off, 0 any free port
  std::string metrics_host = "127.0.0.1";
  Log log;
  // A status line ("12s  1,234 frames (56/s)  2/2 synced  0 gaps ...") every 250 ms while
  // run() records, and a final one; null: none (progress() can be polled instead).
  ProgressSink* progress = nullptr;
};

struct CaptureSymbolResult {
  std::string symbol;
  uint64_t frames = 0;
  std::string sync_state;  // "synced" once the book is exact
  uint64_t gaps = 0;
  uint64_t resyncs = 0;
  uint64_t snapshots = 0;
};

struct CaptureResult {
  uint64_t frames = 0;  // recorded
  uint64_t durable_lines = 0;
  uint64_t reconnects = 0;
  uint64_t duplicates = 0;  // dropped: the same update or trade id twice
  uint64_t malformed = 0;   // recorded, not parseable
  double seconds = 0;
  double frames_per_s = 0;     // over the last 10 seconds
  std::string events = "off";  // off, running, done or failed (events_error says why)
  std::string events_error;
  uint64_t events_rows = 0;
  std::vector<CaptureSymbolResult> symbols;
};

class CaptureSession {
 public:
  // Checks the request and opens the record (kInvalidArgument: options, or out_dir in use).
  static Status open(const CaptureRequest& request, std::unique_ptr<CaptureSession>* session);
  ~CaptureSession();
  CaptureSession(const CaptureSession&) = delete;
  CaptureSession& operator=(const CaptureSession&) = delete;

  // Records until the duration passes or stop() is called, then closes the record and writes
  // report.json. Call once.
  Status run(CaptureResult* result);
  void stop();                     // from any thread
  CaptureResult progress() const;  // the counters so far, from any thread
  // The one-line status the progress sink gets.
  static std::string status_line(const CaptureResult& result);

 private:
  struct Impl;
  explicit CaptureSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx
