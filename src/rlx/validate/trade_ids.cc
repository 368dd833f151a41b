// Paired, a gate: every golden trade in the shared window is in the candidate once, with the
// same time, price, size and side, and the candidate has no other. S is the share of trades
// (of the union of ids) that break this.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/validate/metric.h"

namespace rlx::validate {
namespace {

struct IdRow {
  std::string_view id;  // a view of the side's Trades::id
  size_t row = 0;
};

// Trades with an id inside [from, to], sorted by id, copies of an id in row order. (Sorting
// views is several times faster than a hash map of 3.6 M ids a side.)
std::vector<IdRow> by_id(const features::Trades& t, int64_t from, int64_t to,
                         uint64_t* without_id) {
  std::vector<IdRow> out;
  out.reserve(t.size());
  for (size_t r = 0; r < t.size(); ++r) {
    if (t.time_ns[r] < from || t.time_ns[r] > to) continue;
    if (t.id[r].empty()) {
      ++*without_id;
      continue;
    }
    out.push_back({t.id[r], r});
  }
  std::sort(out.begin(), out.end(), [](const IdRow& a, const IdRow& b) {
    const int c = a.id.compare(b.id);
    return c < 0 || (c == 0 && a.row < b.row);
  });
  return out;
}

// The end of the run of `id` in `v` from `i`.
size_t run_end(const std::vector<IdRow>& v, size_t i, std::string_view id) {
  while (i < v.size() && v[i].id == id) ++i;
  return i;
}

}  // namespace

Metric trade_ids() {
  Metric m;
  m.id = "paired.trade_ids";
  m.tier = Tier::kBatch;
  m.category = Category::kIntegrity;
  m.series = "every trade in the shared window";
  m.statistic = "(missing + extra + duplicated + altered trades) / trades in either side";
  m.rule = Rule::kAbsolute;
  m.tolerance = 0;
  m.weight = 3;
  m.gate = true;
  m.needs_pairing = true;
  m.cause = "trades lost, duplicated, altered or shifted in time";
  m.remedy = "check the trade source for gaps and duplicates, and its timestamps' unit and zone";
  m.measure = [](const Sides& s) {
    Measurement out;
    const features::Trades& g = s.golden.trades;
    const features::Trades& c = s.candidate.trades;
    const int64_t from = std::max(s.golden.first_ns, s.candidate.first_ns);
    const int64_t to = std::min(s.golden.last_ns, s.candidate.last_ns);
    if (from > to) return out;
    uint64_t without_id = 0;
    const std::vector<IdRow> gi = by_id(g, from, to, &without_id);
    const std::vector<IdRow> ci = by_id(c, from, to, &without_id);
    uint64_t missing = 0, extra = 0, duplicated = 0, altered = 0, ids = 0;
    // Both sides' ids in order; each id's first copy on each side is the one compared.
    for (size_t i = 0, j = 0; i < gi.size() || j < ci.size();) {
      const bool golden_first = j == ci.size() || (i < gi.size() && gi[i].id <= ci[j].id);
      const std::string_view id = golden_first ? gi[i].id : ci[j].id;
      const size_t i_end = run_end(gi, i, id);
      const size_t j_end = run_end(ci, j, id);
      ++ids;
      if (i_end > i) duplicated += i_end - i - 1;
      if (j_end > j) duplicated += j_end - j - 1;
      if (j_end == j) {
        ++missing;
      } else if (i_end == i) {
        ++extra;
      } else {
        const size_t a = gi[i].row;
        const size_t b = ci[j].row;
        if (g.time_ns[a] != c.time_ns[b] || g.price_ticks[a] != c.price_ticks[b] ||
            g.size_lots[a] != c.size_lots[b] || g.side[a] != c.side[b]) {
          ++altered;
        }
      }
      i = i_end;
      j = j_end;
    }
    out.n = ids;
    if (out.n == 0) return out;
    const uint64_t bad = missing + extra + duplicated + altered;
    out.effect = static_cast<double>(bad) / static_cast<double>(out.n);
    out.detail = std::to_string(missing) + " missing, " + std::to_string(extra) + " extra, " +
                 std::to_string(duplicated) + " duplicated, " + std::to_string(altered) +
                 " altered of " + std::to_string(out.n) + " trades";
    if (without_id > 0) out.detail += " (" + std::to_string(without_id) + " without an id)";
    return out;
  };
  return m;
}

}  // namespace rlx::validate
