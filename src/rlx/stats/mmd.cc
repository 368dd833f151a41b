#include "rlx/stats/mmd.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace rlx::stats {
namespace detail {
namespace {

// How many pairs i < j of the sorted `z` have z[j] - z[i] <= t. The computed difference is
// monotone in each index (rounding is monotone), so the qualifying i for each j form a range
// whose start only moves right: one O(N) pass.
uint64_t count_pairs_within(const std::vector<double>& z, double t) {
  uint64_t count = 0;
  size_t lo = 0;
  for (size_t j = 0; j < z.size(); ++j) {
    while (z[j] - z[lo] > t) ++lo;
    count += j - lo;
  }
  return count;
}

// The rank-th smallest (0-based) pairwise distance of the sorted `z`: the least t with more than
// `rank` pairs within t. Non-negative doubles order as their bit patterns, so bisection over the
// bits finds the exact value in at most 64 counts.
double pairwise_distance_at_rank(const std::vector<double>& z, uint64_t rank) {
  uint64_t lo = 0;
  uint64_t hi = std::bit_cast<uint64_t>(z.back() - z.front());
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (count_pairs_within(z, std::bit_cast<double>(mid)) > rank) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return std::bit_cast<double>(hi);
}

// The least pairwise distance of the sorted `z` above t (infinity if none): for each j, the
// pairs beyond t are i < lo_j, and the nearest of them is lo_j - 1. One O(N) pass.
double next_pairwise_distance_above(const std::vector<double>& z, double t) {
  double best = std::numeric_limits<double>::infinity();
  size_t lo = 0;
  for (size_t j = 0; j < z.size(); ++j) {
    while (z[j] - z[lo] > t) ++lo;
    if (lo > 0) best = std::min(best, z[j] - z[lo - 1]);
  }
  return best;
}

}  // namespace

double median_pairwise_distance(std::span<const double> values) {
  std::vector<double> z(values.begin(), values.end());
  if (!std::is_sorted(z.begin(), z.end())) std::sort(z.begin(), z.end());
  const uint64_t n = z.size();
  const uint64_t pairs = n * (n - 1) / 2;
  if (pairs % 2 == 1) return pairwise_distance_at_rank(z, (pairs - 1) / 2);
  const double a = pairwise_distance_at_rank(z, pairs / 2 - 1);
  const double b = count_pairs_within(z, a) > pairs / 2 ? a : next_pairwise_distance_above(z, a);
  return (a + b) / 2;
}

}  // namespace detail

MmdLinearResult mmd_linear(std::span<const double> x, std::span<const double> y,
                           const MmdOptions& options) {
  constexpr const char* kName = "mmd_linear";
  detail::require_size(kName, "x", x, 4);
  detail::require_size(kName, "y", y, 4);
  detail::require_finite(kName, "x", x);
  detail::require_finite(kName, "y", y);
  if (!(options.bandwidth >= 0) || !std::isfinite(options.bandwidth)) {
    throw InvalidSample(std::string(kName) + ": bandwidth " + std::to_string(options.bandwidth) +
                        " must be finite and >= 0 (0 = median heuristic)");
  }

  MmdLinearResult out;
  out.bandwidth = options.bandwidth;
  if (out.bandwidth == 0) {
    std::vector<double> pooled(x.begin(), x.end());
    pooled.insert(pooled.end(), y.begin(), y.end());
    out.bandwidth = detail::median_pairwise_distance(pooled);
    if (!(out.bandwidth > 0)) {
      throw InvalidSample(std::string(kName) +
                          ": the median pairwise distance is 0 (over half the pairs are ties); "
                          "pass a bandwidth");
    }
  }
  const double two_s2 = 2 * (out.bandwidth * out.bandwidth);
  const auto kernel = [two_s2](double a, double b) {
    const double d = a - b;
    return std::exp(-(d * d) / two_s2);
  };

  out.pairs = std::min(x.size(), y.size()) / 2;
  std::vector<double> h(out.pairs);
  long double sum = 0;
  for (size_t i = 0; i < out.pairs; ++i) {
    const double x1 = x[2 * i];
    const double x2 = x[2 * i + 1];
    const double y1 = y[2 * i];
    const double y2 = y[2 * i + 1];
    h[i] = kernel(x1, x2) + kernel(y1, y2) - kernel(x1, y2) - kernel(x2, y1);
    sum += h[i];
  }
  const auto p = static_cast<long double>(out.pairs);
  const long double mean = sum / p;
  long double squares = 0;
  for (double v : h) squares += (v - mean) * (v - mean);
  const long double variance = squares / (p - 1);
  out.mmd2 = static_cast<double>(mean);
  if (variance > 0) {
    out.z = static_cast<double>(mean / std::sqrt(variance / p));
  } else if (mean != 0) {
    out.z = mean > 0 ? std::numeric_limits<double>::infinity()
                     : -std::numeric_limits<double>::infinity();
  }
  out.pvalue = 0.5 * std::erfc(out.z / std::sqrt(2.0));
  return out;
}

}  // namespace rlx::stats
