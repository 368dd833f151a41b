// The raw record of a capture: golden-sample lines `{"capture_ns":..,"stream":..,"data":..}`,
// each frame's `data` bytes exactly as received, in rotated zstd segments.
//
// Contract (docs/CAPTURE.md):
// - A segment is `DIR/capture-NNNNNN.jsonl.zst`: a skippable zstd frame that marks it as an rlx
//   segment, then one zstd frame per flush holding whole lines, then, once closed, a skippable
//   footer frame. Every zstd tool reads it; io::LineReader knows an unclosed one.
// - append() queues a line; a writer thread flushes every `flush_interval_ms`, and sooner once
//   `chunk_bytes` of text are queued: one frame, written and fdatasync'ed. A kill -9 loses at
//   most the lines of the last interval. It can
//   leave a torn last frame only in a segment without its footer, which readers stop before and
//   count; a closed segment must be whole.
// - close() (and the destructor) flushes, writes the footer, fsyncs the segment and the folder.
// - Segments rotate after `rotate_bytes` of text or `rotate_seconds`, whichever comes first.
//   A new recorder in a folder continues the numbering after the segments already there.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rlx/core/log.h"

namespace rlx::live {

struct RecorderOptions {
  std::filesystem::path dir;
  uint32_t flush_interval_ms = 1000;
  uint64_t rotate_bytes = 1ULL << 30;  // uncompressed text per segment
  uint32_t rotate_seconds = 3600;
  // Queued text that wakes the writer before the interval ends: bounds the buffers (reused, so
  // a fast stream does not page-fault fresh memory) and the size of one frame.
  uint64_t chunk_bytes = 4ULL << 20;
  // Level 1: on the real captures it is both faster and smaller than 3 (docs/PERFORMANCE.md).
  int32_t zstd_level = 1;
};

struct RecorderStats {
  uint64_t lines = 0;          // appended
  uint64_t text_bytes = 0;     // appended, uncompressed
  uint64_t flushes = 0;        // frames written and synced
  uint64_t segments = 0;       // opened by this recorder
  uint64_t disk_bytes = 0;     // compressed bytes written
  uint64_t durable_lines = 0;  // lines on stable storage
  uint64_t cpu_ns = 0;         // CPU time of the writer thread (compression, writes, syncs)
};

class Recorder {
 public:
  // Creates `options.dir` if needed and opens the first segment. Throws Error(kIo).
  Recorder(RecorderOptions options, Log log);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Queues one golden-sample line for a frame (cheap: a formatted append under a lock).
  void append(int64_t capture_ns, std::string_view stream, std::string_view data);
  // Queues one line already formatted by format_line (without its newline).
  void append_line(std::string_view line);
  // Flushes what is queued now and waits until it is durable.
  void flush();
  // Flushes, closes the segment with its footer. Idempotent. Throws Error(kIo) if a write failed.
  void close();
  RecorderStats stats() const;

  // The golden-sample line for a frame, without the newline.
  static void format_line(int64_t capture_ns, std::string_view stream, std::string_view data,
                          std::string* out);

 private:
  void run();
  void queued(size_t before);  // counts the line just queued, wakes the writer on a full chunk
  void write_pending(const std::string& chunk, uint64_t lines);
  void open_segment();
  void close_segment();

  RecorderOptions options_;
  Log log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::string pending_;  // lines not yet handed to the writer
  uint64_t pending_lines_ = 0;
  uint64_t flush_requests_ = 0;
  uint64_t flushes_done_ = 0;
  bool stopping_ = false;
  bool closed_ = false;
  std::string error_;  // the writer's first I/O error
  RecorderStats stats_;

  // Writer thread only.
  int fd_ = -1;
  uint32_t segment_index_ = 0;
  uint64_t segment_text_ = 0;
  int64_t segment_opened_ns_ = 0;
  void* cctx_ = nullptr;  // ZSTD_CCtx
  std::string frame_;     // compressed output, reused
  std::thread writer_;
};

// Segment files of a capture folder, in order.
std::vector<std::filesystem::path> list_segments(const std::filesystem::path& dir);

}  // namespace rlx::live
