// Tier 2: estimates from each side compared as a difference (../shared/FIDELITY.md §3, §4): the
// Hill tail exponent of trade sizes, the autocorrelation of |returns| (volatility clustering) and
// the slope of mid changes on order-flow imbalance are judged by the equivalence rule (two
// one-sided tests: a moving-block bootstrap interval of the difference within the golden
// between-window spread); the correlation matrix of level depths, a distance, by its floor.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "rlx/stats/tail.h"
#include "rlx/validate/metric.h"
#include "rlx/validate/series.h"

namespace rlx::validate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kSecond = 1'000'000'000;

// Sample autocorrelation at `lag` (the usual biased estimator); NaN without variance.
double acf(const std::vector<double>& x, size_t lag) {
  if (x.size() <= lag + 1) return kNaN;
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0;
  double cov = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    var += (x[i] - mean) * (x[i] - mean);
    if (i >= lag) cov += (x[i] - mean) * (x[i - lag] - mean);
  }
  return var > 0 ? cov / var : kNaN;
}

// Volatility clustering in one number: the sum of the ACF of |returns| at lags 1 to 5.
double clustering(const std::vector<double>& abs_returns) {
  double sum = 0;
  for (size_t lag = 1; lag <= 5; ++lag) {
    const double a = acf(abs_returns, lag);
    if (std::isnan(a)) return kNaN;
    sum += a;
  }
  return sum;
}

// |mid changes| over 100 ms in ticks: 600 a minute, enough for the ACF in one window.
std::vector<double> abs_returns(const features::Features& f) {
  std::vector<double> r = series::mid_change(f, 100'000'000);
  for (double& v : r) v = std::abs(v);
  return r;
}

double hill(const std::vector<double>& x) {
  if (x.size() < 50) return kNaN;
  const size_t k = std::max<size_t>(10, x.size() / 10);
  try {
    return stats::hill_estimator(x, k).gamma;
  } catch (const stats::InvalidSample&) {
    return kNaN;
  }
}

// (OFI in lots, mid change over the same second in ticks) per pair of consecutive two-sided
// 1 s rows without a seam.
std::vector<std::pair<double, double>> ofi_moves(const features::Features& f) {
  std::vector<std::pair<double, double>> out;
  const features::Grid* g = f.grid(kSecond);
  if (g == nullptr) return out;
  for (size_t r = 1; r < g->rows(); ++r) {
    if (g->time_ns[r] - g->time_ns[r - 1] != kSecond) continue;
    if (!g->two_sided(r) || !g->two_sided(r - 1)) continue;
    if ((g->state[r] & features::grid_state::kSeam) != 0) continue;
    const double y = static_cast<double>(g->best_bid(r) + g->best_ask(r) - g->best_bid(r - 1) -
                                         g->best_ask(r - 1)) /
                     2;
    out.emplace_back(static_cast<double>(g->ofi_lots[r]), y);
  }
  return out;
}

// Least-squares slope of the mid change on OFI; NaN for fewer than 10 points or no OFI variance.
double ofi_slope(const std::vector<std::pair<double, double>>& points) {
  if (points.size() < 10) return kNaN;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double dn = static_cast<double>(points.size());
  const double var = sxx - sx * sx / dn;
  return var > 0 ? (sxy - sx * sy / dn) / var : kNaN;
}

// Correlation matrix of the rows' columns; a column without variance correlates 0 with others.
std::vector<double> correlation(const std::vector<std::vector<double>>& rows) {
  const size_t k = rows.empty() ? 0 : rows[0].size();
  std::vector<double> mean(k, 0), sd(k, 0), c(k * k, 0);
  const double n = static_cast<double>(rows.size());
  for (const auto& r : rows) {
    for (size_t i = 0; i < k; ++i) mean[i] += r[i] / n;
  }
  for (const auto& r : rows) {
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = 0; j < k; ++j) c[i * k + j] += (r[i] - mean[i]) * (r[j] - mean[j]);
    }
  }
  for (size_t i = 0; i < k; ++i) sd[i] = std::sqrt(c[i * k + i]);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      c[i * k + j] = i == j ? 1 : (sd[i] > 0 && sd[j] > 0 ? c[i * k + j] / (sd[i] * sd[j]) : 0);
    }
  }
  return c;
}

Metric scalar(const char* id, Category category, const char* series_text, const char* statistic,
              const char* cause, const char* remedy) {
  Metric m;
  m.id = id;
  m.tier = Tier::kBatch;
  m.category = category;
  m.series = series_text;
  m.statistic = statistic;
  m.rule = Rule::kEquivalence;
  m.weight = 1;
  m.cause = cause;
  m.remedy = remedy;
  return m;
}

// S = |estimate(candidate) - estimate(golden)|, with the signed difference for the interval.
template <typename T, typename Estimate>
Measurement equivalence(const std::vector<T>& g, const std::vector<T>& c, Estimate estimate,
                        const char* what) {
  Measurement out;
  out.n = g.size() + c.size();
  const double a = estimate(g);
  const double b = estimate(c);
  if (!std::isnan(a) && std::isnan(b)) {
    out.effect = std::numeric_limits<double>::infinity();  // only the golden side shows it
    out.detail =
        std::string("the candidate has no ") + what + "; the golden side's is " + std::to_string(a);
    return out;
  }
  if (std::isnan(a) || std::isnan(b)) {
    out.detail = std::string("not measurable: too few values or no variance for ") + what;
    return out;
  }
  out.difference = b - a;
  out.effect = std::abs(out.difference);
  char text[128];
  std::snprintf(text, sizeof(text), "%s %.4g golden, %.4g candidate", what, a, b);
  out.detail = text;
  return out;
}

}  // namespace

std::vector<Metric> scalar_metrics() {
  std::vector<Metric> out;
  Metric m = scalar("scalar.hill_trade_size", Category::kDistributions,
                    "trade sizes, lots: the largest 10 %", "|difference of Hill's gamma|",
                    "the candidate's large trades are missing, merged or split",
                    "compare trade counts and sizes with the golden capture (dropped trades)");
  m.statistic = "|difference of Hill's gamma|; equivalence: its bootstrap interval";
  m.measure = [](const Sides& s) {
    return equivalence(
        series::trade_size(s.golden), series::trade_size(s.candidate),
        [](const std::vector<double>& x) { return hill(x); }, "Hill gamma");
  };
  out.push_back(std::move(m));

  m = scalar("scalar.acf_abs_returns", Category::kMicrostructure,
             "|mid change over 100 ms|, ticks (grid 100ms)",
             "|difference| of the summed autocorrelations at lags 1 to 5; equivalence: its "
             "bootstrap interval",
             "volatility clusters differently: the candidate's mid moves at other times",
             "check the time alignment of the sources and for stretches of missing deltas");
  m.measure = [](const Sides& s) {
    return equivalence(
        abs_returns(s.golden), abs_returns(s.candidate),
        [](const std::vector<double>& x) { return clustering(x); }, "summed ACF of |returns|");
  };
  out.push_back(std::move(m));

  m = scalar("scalar.ofi_slope", Category::kMicrostructure,
             "mid change over 1 s (ticks) against that second's OFI (lots)",
             "|difference of the least-squares slopes|, ticks per lot; equivalence: its "
             "bootstrap interval",
             "the candidate's price impact of order flow differs: book updates missing or "
             "merged",
             "compare the delta streams (message counts per second, gaps)");
  m.measure = [](const Sides& s) {
    return equivalence(
        ofi_moves(s.golden), ofi_moves(s.candidate),
        [](const std::vector<std::pair<double, double>>& p) { return ofi_slope(p); }, "slope");
  };
  out.push_back(std::move(m));

  m = scalar("scalar.depth_correlation", Category::kBook,
             "sizes of the first 10 levels a side, lots (grid 1s)",
             "Frobenius norm of the difference of the correlation matrices",
             "levels move together differently: deeper levels stale or missing",
             "check the depth the sources cover and the snapshot policy");
  m.rule = Rule::kNoiseFloor;  // a distance between matrices, not a difference of estimates
  m.measure = [](const Sides& s) {
    const uint32_t levels = std::min<uint32_t>(10, s.book_depth);
    const auto g = series::level_sizes(s.golden, levels);
    const auto c = series::level_sizes(s.candidate, levels);
    Measurement out;
    out.n = g.size() + c.size();
    if (g.size() < 10 || c.size() < 10 || g[0].size() != c[0].size()) {
      out.detail = "not measurable: too few rows";
      return out;
    }
    const std::vector<double> cg = correlation(g);
    const std::vector<double> cc = correlation(c);
    double sum = 0;
    for (size_t i = 0; i < cg.size(); ++i) sum += (cg[i] - cc[i]) * (cg[i] - cc[i]);
    out.effect = std::sqrt(sum);
    out.detail = std::to_string(g[0].size()) + " columns, " + std::to_string(g.size()) +
                 " golden and " + std::to_string(c.size()) + " candidate rows";
    return out;
  };
  out.push_back(std::move(m));
  return out;
}

}  // namespace rlx::validate
