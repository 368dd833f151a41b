// Builds one side's Features (features.h) from its events as they stream past: an EventConsumer
// that `rlx validate` puts behind the same BookEngine that `rlx reconstruct` uses, or behind
// events read back from rlx output.
//
// Grid rows are taken at message boundaries: when the first row of a message with time T
// arrives, every grid time t < T not yet emitted gets the book as the previous message left it.
// A message's rows are never split across a grid time, so no row shows a half-applied diff.
// Time is origin_time, or received_time when the source has none.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/features/features.h"
#include "rlx/features/probe_feed.h"
#include "rlx/features/stream_monitor.h"

namespace rlx::features {

struct GridSpec {
  int64_t step_ns = 0;
  uint32_t levels = 0;  // book levels per side to sample (at most OrderBook::kDenseTop)
};

struct FeatureOptions {
  Units units;  // zero: inferred from the first snapshot with at least two levels a side
  std::vector<GridSpec> grids = {{100'000'000, 5}, {1'000'000'000, 20}};
  StreamOptions stream;
  // Probes: rows of the book at given times, by the grids' rule (Features::probes). The golden
  // side probes itself at each of its snapshots; the candidate is then probed at those times,
  // read from `probe_at` (a feed of known times, or the golden's as it loads alongside).
  bool probe_snapshots = false;
  std::shared_ptr<ProbeFeed> probe_at;        // be probed at these times (ascending)
  std::shared_ptr<ProbeFeed> publish_probes;  // written: each time this side is probed; closed
                                              // when the builder finishes or is destroyed
};

class FeatureBuilder final : public book::EventConsumer {
 public:
  // Throws Error(kInvalidArgument) on a grid step <= 0 or too many levels.
  explicit FeatureBuilder(FeatureOptions options = {});
  ~FeatureBuilder() override;
  FeatureBuilder(const FeatureBuilder&) = delete;
  FeatureBuilder& operator=(const FeatureBuilder&) = delete;

  void on_event(const Event& event, const book::OrderBook& book) override;
  // Emits the grid rows up to the last event's time and hands the features over. Throws
  // Error(kBadInput) when the units were to be inferred and no snapshot gave them.
  Features finish();

 private:
  struct Top {
    std::vector<Level> bids, asks;  // best first, up to the widest grid's levels
    uint32_t flags = 0;             // the last book message's flags
  };
  struct Interval {  // what happened since a grid's last row
    uint32_t trades = 0;
    uint32_t book_messages = 0;
    int64_t buy_lots = 0;
    int64_t sell_lots = 0;
    int64_t ofi_lots = 0;
    bool seam = false;
  };

  void emit_rows_before(int64_t t);
  void emit_row(size_t g, int64_t t);
  void emit_probe(int64_t t);
  bool given_probe_before(int64_t t, int64_t* probe);  // the next of options_.probe_at, if < t
  void sample(Grid* grid, int64_t t);
  void end_of_message(const Event& event, const book::OrderBook& book);
  bool top_changed(const book::OrderBook& book) const;
  void learn_units(const Event& event);
  void add_trade(const Event& trade, int64_t t);  // units known
  int64_t ticks(Decimal price);
  int64_t lots(Decimal size);

  FeatureOptions options_;
  Features out_;
  StreamMonitor monitor_;
  std::vector<Interval> intervals_;  // one per grid
  std::vector<int64_t> next_t_;      // per grid: the next grid time to emit
  uint32_t max_levels_ = 0;
  Top top_;
  Top next_top_;  // end_of_message's scratch
  bool have_top_ = false;
  bool in_message_ = false;
  uint32_t message_flags_ = 0;
  bool unsynced_ = false;  // the last message was flagged unsynced
  int64_t time_ = 0;       // the current event's time
  bool have_time_ = false;
  // Unit inference from the first snapshot.
  unsigned __int128 price_gcd_ = 0;
  unsigned __int128 size_gcd_ = 0;
  uint32_t snapshot_bids_ = 0;
  uint32_t snapshot_asks_ = 0;
  std::vector<Event> early_trades_;       // trades before the units were known
  size_t next_probe_ = 0;                 // into options_.probe_at
  std::vector<int64_t> snapshot_probes_;  // snapshot times not yet probed, in order
};

}  // namespace rlx::features
