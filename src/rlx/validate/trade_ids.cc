// Paired, a gate: every golden trade in the shared window is in the candidate once, with the
// same time, price, size and side, and the candidate has no other. S is the share of trades
// (of the union of ids) that break this.
#include <algorithm>
#include <string>
#include <unordered_map>

#include "rlx/validate/metric.h"

namespace rlx::validate {
namespace {

struct TradeRef {
  size_t row = 0;
  uint32_t copies = 0;
};

// Trades with an id inside [from, to], by id.
std::unordered_map<std::string, TradeRef> by_id(const features::Trades& t, int64_t from, int64_t to,
                                                uint64_t* without_id) {
  std::unordered_map<std::string, TradeRef> out;
  for (size_t r = 0; r < t.size(); ++r) {
    if (t.time_ns[r] < from || t.time_ns[r] > to) continue;
    if (t.id[r].empty()) {
      ++*without_id;
      continue;
    }
    TradeRef& ref = out[t.id[r]];
    if (ref.copies++ == 0) ref.row = r;
  }
  return out;
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
    const auto gi = by_id(g, from, to, &without_id);
    const auto ci = by_id(c, from, to, &without_id);
    uint64_t missing = 0, extra = 0, duplicated = 0, altered = 0, both = 0;
    for (const auto& [id, ref] : gi) {
      duplicated += ref.copies - 1;
      const auto it = ci.find(id);
      if (it == ci.end()) {
        ++missing;
        continue;
      }
      ++both;
      const size_t a = ref.row;
      const size_t b = it->second.row;
      if (g.time_ns[a] != c.time_ns[b] || g.price_ticks[a] != c.price_ticks[b] ||
          g.size_lots[a] != c.size_lots[b] || g.side[a] != c.side[b]) {
        ++altered;
      }
    }
    for (const auto& [id, ref] : ci) {
      duplicated += ref.copies - 1;
      if (gi.find(id) == gi.end()) ++extra;
    }
    out.n = gi.size() + ci.size() - both;
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
