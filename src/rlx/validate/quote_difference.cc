// Paired: how far the candidate's mid and spread are from the golden ones at the same 100 ms
// grid times, in ticks (the 99th percentile of the absolute difference).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "rlx/stats/order_statistics.h"
#include "rlx/validate/align.h"
#include "rlx/validate/metric.h"

namespace rlx::validate {
namespace {

// `value(grid, row)` in ticks, compared at aligned two-sided rows.
template <typename Value>
Measurement quote_q99(const Sides& s, Value value, const char* what) {
  Measurement out;
  const auto [g, c] = both_grids(s.golden, s.candidate, 100'000'000);
  if (g == nullptr) return out;
  using features::grid_state::kNoAsk;
  using features::grid_state::kNoBid;
  using features::grid_state::kSeam;
  using features::grid_state::kUnsynced;
  const auto rows = aligned_rows(*g, *c, kSeam | kUnsynced | kNoBid | kNoAsk);
  std::vector<double> diff;
  diff.reserve(rows.size());
  for (const auto& [i, j] : rows) diff.push_back(std::abs(value(*g, i) - value(*c, j)));
  out.n = diff.size();
  if (diff.empty()) return out;
  out.effect = stats::quantile(diff, 0.99);
  char text[96];
  std::snprintf(text, sizeof(text), "99%% of %s differences within %.1f ticks", what, out.effect);
  out.detail = text;
  return out;
}

Metric paired_quote_metric(const char* id, const char* series) {
  Metric m;
  m.id = id;
  m.tier = Tier::kBatch;
  m.category = Category::kBook;
  m.series = series;
  m.statistic = "99th percentile of |golden - candidate| in ticks at aligned grid times";
  m.rule = Rule::kAbsolute;
  m.tolerance = 0;
  m.weight = 2;
  m.needs_pairing = true;
  m.cause = "the candidate's best quotes differ: a stale book after a gap, or a shifted clock";
  m.remedy = "check the delta source for gaps and the time alignment of the sources";
  return m;
}

}  // namespace

Metric mid_difference() {
  Metric m = paired_quote_metric("paired.mid_difference", "grid 100ms, best bid and ask");
  m.measure = [](const Sides& s) {
    return quote_q99(
        s,
        [](const features::Grid& g, size_t r) {
          return static_cast<double>(g.best_bid(r) + g.best_ask(r)) / 2;
        },
        "mid");
  };
  return m;
}

Metric spread_difference() {
  Metric m = paired_quote_metric("paired.spread_difference", "grid 100ms, best bid and ask");
  m.measure = [](const Sides& s) {
    return quote_q99(
        s,
        [](const features::Grid& g, size_t r) {
          return static_cast<double>(g.best_ask(r) - g.best_bid(r));
        },
        "spread");
  };
  return m;
}

}  // namespace rlx::validate
