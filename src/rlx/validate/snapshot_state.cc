// Paired: the candidate's book at each golden snapshot. The golden side is probed at its own
// snapshots (a REST snapshot at the start and at every resync of a live capture), the candidate
// at the same times, both by the grids' rule; S is the share of those times whose top levels
// differ. A snapshot is the exchange's word on the whole book, so this is where drift shows.
#include <algorithm>
#include <string>

#include "rlx/validate/align.h"
#include "rlx/validate/metric.h"

namespace rlx::validate {

Metric snapshot_state() {
  Metric m;
  m.id = "paired.snapshot_state";
  m.tier = Tier::kBatch;
  m.category = Category::kBook;
  m.series = "the book at every golden snapshot, top 20 levels a side";
  m.statistic = "share of golden snapshots where the candidate's top levels differ";
  m.rule = Rule::kAbsolute;
  m.tolerance = 0;
  m.weight = 2;
  m.needs_pairing = true;
  m.cause = "drift at snapshots: the candidate's book is not the exchange's at those times";
  m.remedy = "deltas missing: check the delta source for gaps, or enable the gap bridge";
  m.measure = [](const Sides& s) {
    Measurement out;
    const features::Grid& g = s.golden.probes;
    const features::Grid& c = s.candidate.probes;
    const uint32_t k = std::min({g.levels, c.levels, s.book_depth});
    const auto rows = aligned_rows(g, c, features::grid_state::kUnsynced);
    uint64_t differ = 0;
    for (const auto& [i, j] : rows) {
      for (uint32_t l = 0; l < k; ++l) {
        const size_t a = i * g.levels + l;
        const size_t b = j * c.levels + l;
        if (g.bid_ticks[a] != c.bid_ticks[b] || g.bid_lots[a] != c.bid_lots[b] ||
            g.ask_ticks[a] != c.ask_ticks[b] || g.ask_lots[a] != c.ask_lots[b]) {
          ++differ;
          break;
        }
      }
    }
    out.n = rows.size();
    if (out.n == 0) {
      out.detail = "no golden snapshot inside the candidate's window";
      return out;
    }
    out.effect = static_cast<double>(differ) / static_cast<double>(out.n);
    out.detail = std::to_string(differ) + " of " + std::to_string(out.n) +
                 " golden snapshots differ in the top " + std::to_string(k) + " levels";
    return out;
  };
  return m;
}

}  // namespace rlx::validate
