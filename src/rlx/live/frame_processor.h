// What `rlx capture` does with each frame it reads, apart from the network: classify it, parse
// it (binance::PayloadParser), drop it if its stream already has its id (an overlapping
// connection), record it exactly as received (and hand it to --events), and apply it to its
// symbol's live book. Capture drives it from its network thread; benchmarks drive it from memory.
//
// One thread calls on_frame() and on_snapshot(); mutex() guards what other threads read
// (counters, each symbol's stats and book) through fill_stats().
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rlx/binance/payload_parser.h"
#include "rlx/book/book_engine.h"
#include "rlx/live/capture_stats.h"

namespace rlx::live {

class LiveEvents;
class Recorder;

// Last id per stream name, looked up by string_view without building a string per frame.
struct StreamHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StreamIds = std::unordered_map<std::string, int64_t, StreamHash, std::equal_to<>>;

struct SymbolState {
  SymbolCaptureStats stats;
  book::BookEngine engine;
  bool has_depth = false;              // a diff arrived: the book needs a snapshot
  bool inflight = false;               // a snapshot request is on its way (network thread)
  uint32_t attempts = 0;               // snapshots in a row that did not sync the book
  std::deque<uint64_t> recent_frames;  // frames at each of the last rate ticks
};

enum class FrameKind : uint8_t {
  kMarketData,      // recorded and, for an asked symbol, applied to its book
  kDuplicate,       // its stream already has this id: not recorded
  kControl,         // a reply to SUBSCRIBE or a venue notice: recorded
  kShutdownNotice,  // the venue will close this connection: recorded
  kMalformed,       // recorded as received, counted
  kUnsupported,     // a stream rlx does not read: recorded, counted
};

class FrameProcessor {
 public:
  // `events` may be null. Neither is owned; both outlive the processor.
  FrameProcessor(Market market, const std::vector<std::string>& symbols, Recorder& recorder,
                 LiveEvents* events);

  // One frame read from a connection whose last id per stream is `seen`. For market data of an
  // asked symbol, *symbol is its state (else null).
  FrameKind on_frame(std::string_view text, int64_t capture_ns, StreamIds& seen,
                     SymbolState** symbol);
  // A REST depth snapshot of `symbol` (its body, fetched from `url_target`): recorded, then
  // applied. False (with problem()) when the body is no snapshot.
  bool on_snapshot(const std::string& symbol, std::string_view url_target, std::string_view body,
                   int64_t capture_ns);
  // Records one line exactly as given, and hands it to --events.
  void record(int64_t capture_ns, std::string_view stream, std::string_view data);

  // The symbol's state, or null for a symbol not asked for. Never inserts.
  SymbolState* find(const std::string& symbol);
  std::map<std::string, SymbolState>& symbols() { return symbols_; }
  // The last recorded id of `stream` (kNull if none yet).
  int64_t last_id(std::string_view stream) const;
  const std::string& problem() const { return parser_.problem().what; }

  std::mutex& mutex() const { return mu_; }
  // Adds the frame counters and every symbol's stats to *out (locks mutex()).
  void fill_stats(CaptureStats* out) const;
  // Updates frames per second over the last 10 ticks (called once a second).
  void tick_rates();
  // The end of the record is the end of the books' input, as for `rlx reconstruct`.
  void finish();

 private:
  void count(uint64_t* counter);

  Market market_;
  Recorder& recorder_;
  LiveEvents* events_;
  std::unique_ptr<book::EventConsumer> no_rows_;
  binance::PayloadParser parser_;
  Message message_;
  std::string events_line_;
  std::map<std::string, SymbolState> symbols_;
  StreamIds last_id_;  // per stream: the last recorded id
  mutable std::mutex mu_;
  CaptureStats counters_;  // frames, duplicates, malformed, unsupported, control, frames_per_s
  std::deque<uint64_t> recent_frames_;
};

}  // namespace rlx::live
