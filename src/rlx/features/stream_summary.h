// What tier-1 fidelity statistics (../shared/FIDELITY.md §4) record, per fixed window of market
// time and for the whole stream. StreamMonitor (stream_monitor.h) fills them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace rlx {
class JsonWriter;
}

namespace rlx::features {

// Five quantiles of one series, from a log-bucketed sketch (stats/quantile_sketch.h): each within
// 0.4 % of the sample quantile's value.
struct StreamQuantiles {
  static constexpr std::array<double, 5> kProbabilities = {0.05, 0.25, 0.5, 0.75, 0.95};
  std::array<double, 5> value{};  // NaN when n == 0
  uint64_t n = 0;
};

// Realised variance of the mid from every change (tick) and from one sample per second
// (sparse). Noise inflates the first by 2 n omega^2 and barely touches the second, which is the
// idea behind Aït-Sahalia & Xiu's (2019) Hausman test (docs/VALIDATE.md gives the exact form).
struct NoiseEstimate {
  double rv_tick = 0;     // sum of squared mid changes, price units^2
  double rv_sparse = 0;   // the same, mid sampled once a second
  double quarticity = 0;  // sum of the sparse changes to the fourth power
  uint64_t tick_returns = 0;
  uint64_t sparse_returns = 0;

  // omega^2 = (rv_tick - rv_sparse) / (2 tick_returns), floored at 0; NaN without returns.
  double noise_variance() const;
  // H = z^2 for z = (rv_tick - rv_sparse) / sqrt(2/3 quarticity) > 0, else 0; NaN without a
  // sparse return.
  double hausman() const;
  // P(H' >= H) under the null mixture 1/2 chi2_0 + 1/2 chi2_1 (no noise: omega^2 = 0 is on the
  // boundary of the parameter space).
  double p_value() const;
};

// What one window of market time (or the whole stream) showed.
struct StreamWindow {
  int64_t start_ns = 0;  // a multiple of the window length (the whole stream: its first time)
  uint64_t events = 0;
  uint64_t trades = 0;
  uint64_t book_messages = 0;      // diff messages (snapshots are a source's sampling)
  uint64_t gaps = 0;               // book messages flagged as a sequence gap
  uint64_t resyncs = 0;            // resync snapshots that moved the best quotes
  uint64_t unsynced_messages = 0;  // book messages flagged unsynced
  uint64_t rate_bins = 0;          // 1 s bins judged by the rate-anomaly test
  uint64_t rate_anomalies = 0;     // of those, bins with |robust z| > 5
  StreamQuantiles spread;          // price units, two-sided uncrossed books, per book message
  StreamQuantiles l1_size;         // best bid and best ask sizes, per book message
  StreamQuantiles trade_size;
  StreamQuantiles trade_interval_us;  // time between consecutive trades
  StreamQuantiles book_interval_us;   // time between consecutive diff messages
  NoiseEstimate noise;

  void write_json(JsonWriter& w) const;
};

struct StreamSummary {
  int64_t window_ns = 0;
  std::vector<StreamWindow> windows;  // in time order, only windows with events
  StreamWindow total;

  void write_json(JsonWriter& w) const;
};

}  // namespace rlx::features
