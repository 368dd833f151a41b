#include "rlx/validate/series.h"

#include <algorithm>

namespace rlx::validate::series {
namespace {

constexpr int64_t k100Ms = 100'000'000;
constexpr int64_t kSecond = 1'000'000'000;
using features::Grid;

std::vector<double> intervals_ms(const std::vector<int64_t>& t) {
  std::vector<double> out;
  if (t.size() < 2) return out;
  out.reserve(t.size() - 1);
  for (size_t i = 1; i < t.size(); ++i) {
    out.push_back(static_cast<double>(std::max<int64_t>(0, t[i] - t[i - 1])) / 1e6);
  }
  return out;
}

template <typename F>
std::vector<double> per_row(const Grid* g, F value) {
  std::vector<double> out;
  if (g == nullptr) return out;
  for (size_t r = 0; r < g->rows(); ++r) {
    if (g->two_sided(r)) value(r, &out);
  }
  return out;
}

double mid(const Grid& g, size_t r) {
  return static_cast<double>(g.best_bid(r) + g.best_ask(r)) / 2;
}

}  // namespace

std::vector<double> trade_size(const features::Features& f) {
  return std::vector<double>(f.trades.size_lots.begin(), f.trades.size_lots.end());
}

std::vector<double> trade_interval_ms(const features::Features& f) {
  return intervals_ms(f.trades.time_ns);
}

std::vector<double> book_interval_ms(const features::Features& f) {
  return intervals_ms(f.book_message_ns);
}

std::vector<double> spread_ticks(const features::Features& f) {
  const Grid* g = f.grid(k100Ms);
  return per_row(g, [g](size_t r, std::vector<double>* out) {
    out->push_back(static_cast<double>(g->best_ask(r) - g->best_bid(r)));
  });
}

std::vector<double> l1_size(const features::Features& f) {
  const Grid* g = f.grid(k100Ms);
  return per_row(g, [g](size_t r, std::vector<double>* out) {
    out->push_back(static_cast<double>(g->bid_lots[r * g->levels]));
    out->push_back(static_cast<double>(g->ask_lots[r * g->levels]));
  });
}

std::vector<double> l1_imbalance(const features::Features& f) {
  const Grid* g = f.grid(k100Ms);
  return per_row(g, [g](size_t r, std::vector<double>* out) {
    const double b = static_cast<double>(g->bid_lots[r * g->levels]);
    const double a = static_cast<double>(g->ask_lots[r * g->levels]);
    if (a + b > 0) out->push_back((b - a) / (b + a));
  });
}

std::vector<double> depth_beyond_touch(const features::Features& f, uint32_t depth) {
  const Grid* g = f.grid(kSecond);
  if (g == nullptr) return {};
  const uint32_t n = std::min(depth, g->levels);
  return per_row(g, [g, n](size_t r, std::vector<double>* out) {
    int64_t sum = 0;
    for (uint32_t l = 1; l < n; ++l) {
      sum += g->bid_lots[r * g->levels + l] + g->ask_lots[r * g->levels + l];
    }
    out->push_back(static_cast<double>(sum));
  });
}

std::vector<double> ofi_1s(const features::Features& f) {
  const Grid* g = f.grid(kSecond);
  std::vector<double> out;
  if (g == nullptr) return out;
  for (size_t r = 0; r < g->rows(); ++r) {
    if ((g->state[r] & features::grid_state::kSeam) == 0) {
      out.push_back(static_cast<double>(g->ofi_lots[r]));
    }
  }
  return out;
}

std::vector<double> mid_return(const features::Features& f, int64_t seconds) {
  const Grid* g = f.grid(kSecond);
  std::vector<double> out;
  if (g == nullptr) return out;
  const size_t k = static_cast<size_t>(seconds);
  for (size_t r = k; r < g->rows(); ++r) {
    const size_t q = r - k;
    if (g->time_ns[r] - g->time_ns[q] != seconds * kSecond) continue;
    if (!g->two_sided(r) || !g->two_sided(q)) continue;
    out.push_back(mid(*g, r) - mid(*g, q));
  }
  return out;
}

std::vector<double> mid_change(const features::Features& f, int64_t step_ns) {
  const Grid* g = f.grid(step_ns);
  std::vector<double> out;
  if (g == nullptr) return out;
  for (size_t r = 1; r < g->rows(); ++r) {
    if (g->time_ns[r] - g->time_ns[r - 1] != step_ns) continue;
    if (!g->two_sided(r) || !g->two_sided(r - 1)) continue;
    out.push_back(mid(*g, r) - mid(*g, r - 1));
  }
  return out;
}

void depth_profile(const features::Features& f, uint32_t depth, std::vector<double>* distance,
                   std::vector<double>* lots) {
  distance->clear();
  lots->clear();
  const Grid* g = f.grid(kSecond);
  if (g == nullptr) return;
  const uint32_t n = std::min(depth, g->levels);
  for (size_t r = 0; r < g->rows(); ++r) {
    if (!g->two_sided(r)) continue;
    const double m = mid(*g, r);
    for (uint32_t l = 0; l < n; ++l) {
      const size_t i = r * g->levels + l;
      if (g->bid_ticks[i] != features::kNoPrice && g->bid_lots[i] > 0) {
        distance->push_back(m - static_cast<double>(g->bid_ticks[i]));
        lots->push_back(static_cast<double>(g->bid_lots[i]));
      }
      if (g->ask_ticks[i] != features::kNoPrice && g->ask_lots[i] > 0) {
        distance->push_back(static_cast<double>(g->ask_ticks[i]) - m);
        lots->push_back(static_cast<double>(g->ask_lots[i]));
      }
    }
  }
}

std::vector<std::vector<double>> level_sizes(const features::Features& f, uint32_t levels) {
  std::vector<std::vector<double>> out;
  const Grid* g = f.grid(kSecond);
  if (g == nullptr) return out;
  const uint32_t n = std::min(levels, g->levels);
  for (size_t r = 0; r < g->rows(); ++r) {
    if (!g->two_sided(r)) continue;
    std::vector<double> row;
    row.reserve(2 * n);
    for (uint32_t l = 0; l < n; ++l)
      row.push_back(static_cast<double>(g->bid_lots[r * g->levels + l]));
    for (uint32_t l = 0; l < n; ++l)
      row.push_back(static_cast<double>(g->ask_lots[r * g->levels + l]));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace rlx::validate::series
