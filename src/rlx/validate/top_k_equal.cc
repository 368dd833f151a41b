// Paired: the share of 100 ms grid times at which the top levels differ (price or size, either
// side of the book). A complete reconstruction of the same window has S = 0.
#include <string>

#include "rlx/validate/align.h"
#include "rlx/validate/metric.h"

namespace rlx::validate {

Metric top_k_equal() {
  Metric m;
  m.id = "paired.top_k_equal";
  m.tier = Tier::kBatch;
  m.category = Category::kBook;
  m.series = "grid 100ms, top 5 levels a side";
  m.statistic = "share of grid times whose top levels differ";
  m.rule = Rule::kAbsolute;
  m.tolerance = 0.001;
  m.weight = 3;
  m.needs_pairing = true;
  m.cause = "the candidate's book drifts from the golden one: deltas missing or out of order";
  m.remedy = "check the delta source for gaps, or rebuild from more frequent snapshots";
  m.measure = [](const Sides& s) {
    Measurement out;
    const auto [g, c] = both_grids(s.golden, s.candidate, 100'000'000);
    if (g == nullptr) return out;
    const uint32_t k = std::min(g->levels, c->levels);
    const auto rows =
        aligned_rows(*g, *c, features::grid_state::kSeam | features::grid_state::kUnsynced);
    uint64_t differ = 0;
    for (const auto& [i, j] : rows) {
      bool same = true;
      for (uint32_t l = 0; l < k && same; ++l) {
        same = g->bid_ticks[i * g->levels + l] == c->bid_ticks[j * c->levels + l] &&
               g->bid_lots[i * g->levels + l] == c->bid_lots[j * c->levels + l] &&
               g->ask_ticks[i * g->levels + l] == c->ask_ticks[j * c->levels + l] &&
               g->ask_lots[i * g->levels + l] == c->ask_lots[j * c->levels + l];
      }
      if (!same) ++differ;
    }
    out.n = rows.size();
    if (out.n == 0) return out;
    out.effect = static_cast<double>(differ) / static_cast<double>(out.n);
    out.detail = std::to_string(differ) + " of " + std::to_string(out.n) +
                 " grid times differ in the top " + std::to_string(k) + " levels";
    return out;
  };
  return m;
}

}  // namespace rlx::validate
