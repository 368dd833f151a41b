// A gate: the candidate's book is not crossed more often than the golden one. S is the share of
// synced 100 ms grid times at which the candidate's book is crossed, less the golden share.
#include <algorithm>
#include <cstdio>

#include "rlx/validate/metric.h"

namespace rlx::validate {
namespace {

// Share of synced rows that are crossed; the rows counted go to *n.
double crossed_share(const features::Grid& g, uint64_t* n) {
  uint64_t synced = 0, crossed = 0;
  for (size_t r = 0; r < g.rows(); ++r) {
    if ((g.state[r] & features::grid_state::kUnsynced) != 0) continue;
    ++synced;
    if ((g.state[r] & features::grid_state::kCrossed) != 0) ++crossed;
  }
  *n = synced;
  return synced == 0 ? 0.0 : static_cast<double>(crossed) / static_cast<double>(synced);
}

}  // namespace

Metric crossed_rate() {
  Metric m;
  m.id = "integrity.crossed_rate";
  m.tier = Tier::kBatch;
  m.category = Category::kIntegrity;
  m.series = "grid 100ms, book state";
  m.statistic = "share of synced grid times with a crossed book, candidate less golden";
  m.rule = Rule::kAbsolute;
  m.tolerance = 0.001;
  m.weight = 2;
  m.gate = true;
  m.cause = "crossed books left standing: deletes missing, or levels applied out of order";
  m.remedy = "check the delta source for gaps; set the crossed-book policy to drop stale levels";
  m.measure = [](const Sides& s) {
    Measurement out;
    const features::Grid* g = s.golden.grid(100'000'000);
    const features::Grid* c = s.candidate.grid(100'000'000);
    if (g == nullptr || c == nullptr) return out;
    uint64_t ng = 0;
    const double golden = crossed_share(*g, &ng);
    const double candidate = crossed_share(*c, &out.n);
    if (out.n == 0) return out;
    out.effect = std::max(0.0, candidate - golden);
    char text[96];
    std::snprintf(text, sizeof(text), "crossed at %.4f%% of grid times (golden %.4f%%)",
                  candidate * 100, golden * 100);
    out.detail = text;
    return out;
  };
  return m;
}

}  // namespace rlx::validate
