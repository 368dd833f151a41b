// A seeded synthetic market: one symbol's trades, depth deltas and periodic top-N snapshots as
// rlx::Message values, in non-decreasing origin_time order. Used by `rlx demo` (a small market in
// the Crypto Lake layout) and by benchmarks (about 100 million level updates per day).
//
// The same options give the same messages on any machine: the PRNG is std::mt19937_64 (its output
// sequence is fixed by the C++ standard) and every distribution, log and exp is the component's
// own code using only IEEE-754 +, -, *, /, sqrt (built with -ffp-contract=off). Prices and sizes
// are whole ticks and lots, converted to Decimal exactly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rlx/core/decimal.h"
#include "rlx/core/message.h"

namespace rlx::sim {

struct MarketOptions {
  uint64_t seed = 42;
  std::string exchange = "binance-futures";  // also sets Message::market (binance = spot, ...)
  std::string symbol = "BTCUSDT";
  int64_t start_ns = 1'723'075'200'000'000'000;  // 2024-08-08T00:00:00Z
  int64_t duration_ns = 600'000'000'000;         // 10 minutes; events in [start, start + duration)
  Decimal tick = Decimal::from_raw(Decimal::kOne / 10);   // 0.1
  Decimal lot = Decimal::from_raw(Decimal::kOne / 1000);  // 0.001
  Decimal initial_mid = Decimal::from_int(60000);         // the first best bid; ask one tick up

  // Order flow. Events arrive as a self-exciting (Hawkes) process with an exponential kernel;
  // each event is one exchange depth message (kDelta) that merges several order actions.
  double message_rate = 50.0;        // mean delta messages per second (stationary Hawkes rate)
  double hawkes_branching = 0.7;     // share of events triggered by earlier ones; 0 = Poisson
  double hawkes_decay_s = 0.05;      // time constant of the excitation kernel
  double actions_per_message = 4.0;  // mean order adds/cancels merged into one message (>= 1)
  double trade_rate = 8.0;           // mean market orders per second; each prints >= 1 trade
  // The fair price moves in ticks: mostly 1-3 ticks, sometimes a Pareto jump (10..200 ticks).
  // A move clears the levels it crosses (by a sweeping market order or by cancels) and quotes
  // the opened ticks on the other side.
  double price_move_rate = 2.0;  // mean moves per second
  double jump_probability = 0.02;
  double move_by_trade_probability = 0.5;  // a move sweeps the book with trades, else cancels
  // Per message and side, the chance that an empty fair-price tick is quoted again (the spread
  // stays one tick most of the time).
  double touch_refill_probability = 0.8;

  int32_t levels = 500;  // levels per side held by the true book (trimmed and refilled deep)
  int32_t max_sweep_levels = 10;  // a market order walks at most this many levels

  int32_t snapshot_depth = 20;                   // Lake `book`: top 20 per side
  int64_t snapshot_interval_ns = 1'000'000'000;  // one snapshot per second, the first at start
  // The first delta message (at start_ns) carries the whole initial book, so the deltas alone
  // rebuild the exact book. False: the deep initial book is never sent (as Lake days that start
  // without a full book).
  bool initial_book_as_delta = true;

  // With this probability per message, 1+ sequence numbers are skipped before it (a gap).
  double gap_probability = 1e-3;
  // False: a gap only skips numbers. True: the skipped messages really happened (the true book
  // changed) but are not emitted, so the book rebuilt from the deltas drifts until a snapshot.
  bool gaps_lose_updates = false;
  int64_t first_sequence_number = 1;
  int64_t first_trade_id = 1;

  int64_t time_resolution_ns = 1'000'000;  // origin_time granularity (Binance sends ms)
  int64_t latency_min_ns = 500'000;        // received - true event time >= this
  int64_t latency_median_ns = 3'000'000;   // median of the log-normal latency on top of the min
};

// Options for the benchmark load: one busy day at about 100 million level updates.
MarketOptions busy_day_options();

// What a generator has produced so far.
struct MarketStats {
  int64_t deltas = 0;
  int64_t level_updates = 0;  // levels in all delta messages
  int64_t trades = 0;         // trade messages
  int64_t snapshots = 0;
  int64_t gaps = 0;  // delta messages preceded by skipped sequence numbers
  int64_t skipped_sequence_numbers = 0;
  int64_t price_moves = 0;
  int64_t jumps = 0;
};

class MarketGenerator {
 public:
  // Throws rlx::Error (StatusCode::kInvalidArgument) for options out of range.
  explicit MarketGenerator(const MarketOptions& options);
  ~MarketGenerator();
  MarketGenerator(const MarketGenerator&) = delete;
  MarketGenerator& operator=(const MarketGenerator&) = delete;

  // The next message, or false at the end. Reuses *out's buffers (levels, strings).
  bool next(Message* out);

  const MarketOptions& options() const;
  const MarketStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::sim
