// Tier 2: estimates from each side compared as a difference (../shared/FIDELITY.md §4): the
// Hill tail exponent of trade sizes, the autocorrelation of |returns| (volatility clustering),
// the slope of mid changes on order-flow imbalance, and the correlation matrix of level depths.
// Judged against the golden between-window spread of the same difference (the noise floor).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
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

// |1 s mid changes| in ticks.
std::vector<double> abs_returns(const features::Features& f) {
  std::vector<double> r = series::mid_return(f, 1);
  for (double& v : r) v = std::abs(v);
  return r;
}

double hill(const features::Features& f) {
  const std::vector<double> x = series::trade_size(f);
  if (x.size() < 50) return kNaN;
  const size_t k = std::max<size_t>(10, x.size() / 10);
  try {
    return stats::hill_estimator(x, k).gamma;
  } catch (const stats::InvalidSample&) {
    return kNaN;
  }
}

// Least-squares slope of the 1 s mid change (ticks) on the same second's OFI (lots).
double ofi_slope(const features::Features& f) {
  const features::Grid* g = f.grid(kSecond);
  if (g == nullptr) return kNaN;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  uint64_t n = 0;
  for (size_t r = 1; r < g->rows(); ++r) {
    if (g->time_ns[r] - g->time_ns[r - 1] != kSecond) continue;
    if (!g->two_sided(r) || !g->two_sided(r - 1)) continue;
    if ((g->state[r] & features::grid_state::kSeam) != 0) continue;
    const double x = static_cast<double>(g->ofi_lots[r]);
    const double y = static_cast<double>(g->best_bid(r) + g->best_ask(r) - g->best_bid(r - 1) -
                                         g->best_ask(r - 1)) /
                     2;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    ++n;
  }
  if (n < 10) return kNaN;
  const double dn = static_cast<double>(n);
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
  m.rule = Rule::kNoiseFloor;
  m.weight = 1;
  m.cause = cause;
  m.remedy = remedy;
  return m;
}

// S = |estimate(candidate) - estimate(golden)|.
Measurement difference(double g, double c, uint64_t n, const char* what) {
  Measurement out;
  out.n = n;
  if (!std::isnan(g) && std::isnan(c)) {
    out.effect = std::numeric_limits<double>::infinity();  // only the golden side shows it
    out.detail =
        std::string("the candidate has no ") + what + "; the golden side's is " + std::to_string(g);
    return out;
  }
  if (std::isnan(g) || std::isnan(c)) {
    out.detail = std::string("not measurable: too few values or no variance for ") + what;
    return out;
  }
  out.effect = std::abs(c - g);
  char text[128];
  std::snprintf(text, sizeof(text), "%s %.4g golden, %.4g candidate", what, g, c);
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
  m.measure = [](const Sides& s) {
    return difference(hill(s.golden), hill(s.candidate),
                      s.golden.trades.size() + s.candidate.trades.size(), "Hill gamma");
  };
  out.push_back(std::move(m));

  m = scalar("scalar.acf_abs_returns", Category::kMicrostructure,
             "|mid change over 1 s|, ticks (grid 1s)",
             "largest |difference| of the autocorrelations at lags 1 to 5",
             "volatility clusters differently: the candidate's mid moves at other times",
             "check the time alignment of the sources and for stretches of missing deltas");
  m.measure = [](const Sides& s) {
    const std::vector<double> g = abs_returns(s.golden);
    const std::vector<double> c = abs_returns(s.candidate);
    Measurement out;
    out.n = g.size() + c.size();
    double worst = 0;
    for (size_t lag = 1; lag <= 5; ++lag) {
      const double a = acf(g, lag);
      const double b = acf(c, lag);
      if (std::isnan(a) || std::isnan(b)) {
        out.detail = "not measurable: too few 1 s returns, or a flat mid";
        return out;
      }
      worst = std::max(worst, std::abs(a - b));
    }
    out.effect = worst;
    out.detail =
        std::to_string(g.size()) + " golden and " + std::to_string(c.size()) + " candidate returns";
    return out;
  };
  out.push_back(std::move(m));

  m = scalar("scalar.ofi_slope", Category::kMicrostructure,
             "mid change over 1 s (ticks) against that second's OFI (lots)",
             "|difference of the least-squares slopes|, ticks per lot",
             "the candidate's price impact of order flow differs: book updates missing or "
             "merged",
             "compare the delta streams (message counts per second, gaps)");
  m.measure = [](const Sides& s) {
    const features::Grid* g = s.golden.grid(kSecond);
    const uint64_t n = g == nullptr ? 0 : g->rows();
    return difference(ofi_slope(s.golden), ofi_slope(s.candidate), n, "slope");
  };
  out.push_back(std::move(m));

  m = scalar("scalar.depth_correlation", Category::kBook,
             "sizes of the first 10 levels a side, lots (grid 1s)",
             "Frobenius norm of the difference of the correlation matrices",
             "levels move together differently: deeper levels stale or missing",
             "check the depth the sources cover and the snapshot policy");
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
