// `rlx capture --events DIR`: the live book's unified events, written while the capture runs.
//
// The capture hands each golden-sample line it records, in record order, to a feed that
// `rlx reconstruct`'s own pipeline reads on a thread of its own: the same reader, book engine,
// enrichment and Parquet sink. So the events equal, byte for byte, those of `rlx reconstruct` of
// the record, and `received_time` is the capture time.
//
// The feed never blocks the capture: past `max_queued_bytes` of lines not yet read (the events
// thread cannot keep up) the events run is abandoned and says why in the report; the record goes
// on, and `rlx reconstruct` of it rebuilds the events. The run is not durable: after a kill the
// events folder is incomplete and is rebuilt from the record the same way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "rlx/core/log.h"

namespace rlx::live {

class LineFeed;

struct LiveEventsOptions {
  std::filesystem::path out_dir;  // must be empty or absent
  uint64_t max_queued_bytes = 256ULL << 20;
  int32_t top_n = 5;
  uint64_t rows_per_file = 1'000'000;
  Log log;
};

struct LiveEventsResult {
  bool ok = false;
  std::string error;  // why the events run failed or was abandoned
  uint64_t messages = 0;
  uint64_t rows = 0;
  uint64_t quarantined = 0;
};

class LiveEvents {
 public:
  // Refuses (Error(kInvalidArgument)) a folder that is not empty, then starts the events thread.
  explicit LiveEvents(LiveEventsOptions options);
  ~LiveEvents();  // finish() if not called
  LiveEvents(const LiveEvents&) = delete;
  LiveEvents& operator=(const LiveEvents&) = delete;

  // One golden-sample line (no newline), in record order. Never blocks.
  void push(std::string_view line);
  // The feed ends: waits until the events are written (manifest.json, report.json).
  LiveEventsResult finish();
  // Lines handed over but not yet read by the events thread.
  uint64_t queued_bytes() const;

 private:
  std::shared_ptr<LineFeed> feed_;
  LiveEventsOptions options_;
  std::unique_ptr<LiveEventsResult> result_;  // set by the thread at its end
  std::thread thread_;
  bool finished_ = false;
};

}  // namespace rlx::live
