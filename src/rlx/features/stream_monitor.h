// Tier-1 fidelity statistics (../shared/FIDELITY.md §4), computed in O(1) time and memory per
// event so that `rlx reconstruct --validate` can keep them inline: sequence gaps and resyncs, the
// message-rate anomaly, streaming quantiles and the microstructure-noise test, per fixed window
// of market time and for the whole stream.
#pragma once

#include <array>
#include <cstdint>
#include <deque>

#include "rlx/book/book_engine.h"
#include "rlx/features/stream_summary.h"
#include "rlx/stats/quantile_sketch.h"

namespace rlx {
class BinaryWriter;
class BinaryReader;
}  // namespace rlx

namespace rlx::features {

struct StreamOptions {
  int64_t window_ns = 60'000'000'000;  // windows anchored at the epoch
  double anomaly_z = 5;                // robust z beyond which a 1 s bin is an anomaly
  uint32_t rate_history = 60;          // bins in the rolling median / MAD
};

class StreamMonitor final : public book::EventConsumer {
 public:
  // Throws Error(kInvalidArgument) on a window <= 0.
  explicit StreamMonitor(StreamOptions options = {});
  void on_event(const Event& event, const book::OrderBook& book) override;
  StreamSummary finish();

  // Every piece of state, exactly: a monitor loaded from a checkpoint and fed the same events
  // ends with the same summary as one that was never interrupted. load throws rlx::Error
  // (kInternal) on a short read or a wrong tag.
  void save(BinaryWriter& w) const;
  static StreamMonitor load(BinaryReader& r);

 private:
  enum Series { kSpread, kL1Size, kTradeSize, kTradeInterval, kBookInterval, kSeriesCount };
  // One window's accumulators (or the whole stream's).
  struct Tracker {
    void add(Series s, double v) { q[s].add(v); }
    void mid(int64_t t, double m);  // the mid after a book message at time t
    StreamWindow result() const;
    void save(BinaryWriter& out) const;
    void load(BinaryReader& in);

    StreamWindow w;
    std::array<stats::QuantileSketch, kSeriesCount> q;
    double last_mid = 0;
    bool have_mid = false;
    int64_t sparse_second = INT64_MIN;
    double sparse_mid = 0;
  };
  void roll_to(int64_t t);
  void close_bins_before(int64_t second);
  void end_of_book_message(EventType type, const book::OrderBook& book);
  template <typename F>
  void both(F f) {
    f(window_tracker_);
    f(total_);
  }

  StreamOptions options_;
  StreamSummary out_;
  Tracker window_tracker_;
  Tracker total_;
  int64_t window_ = INT64_MIN;  // index of the current window
  int64_t time_ = 0;            // running maximum of event time
  bool have_time_ = false;
  bool in_message_ = false;
  uint32_t message_flags_ = 0;
  // Rate anomaly: book messages per 1 s bin, the current bin and the rolling history.
  int64_t bin_ = INT64_MIN;
  uint64_t bin_count_ = 0;
  std::deque<uint64_t> history_;
  int64_t last_trade_ns_ = INT64_MIN;
  int64_t last_book_ns_ = INT64_MIN;
  Level best_bid_, best_ask_;  // after the last book message, when two-sided
  bool have_best_ = false;
};

}  // namespace rlx::features
