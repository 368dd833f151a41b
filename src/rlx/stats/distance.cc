#include "rlx/stats/distance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace rlx::stats {
namespace {

// One sample's empirical CDF at the pooled points: sorted values and, when weighted, the
// cumulative weight of the first i sorted values.
class EmpiricalCdf {
 public:
  EmpiricalCdf(std::span<const double> values, std::span<const double> weights) {
    if (weights.empty()) {
      sorted_.assign(values.begin(), values.end());
      if (!std::is_sorted(sorted_.begin(), sorted_.end()))
        std::sort(sorted_.begin(), sorted_.end());
      return;
    }
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return values[a] < values[b]; });
    sorted_.reserve(values.size());
    cumulative_.reserve(values.size() + 1);
    cumulative_.push_back(0);
    for (size_t i : order) {
      sorted_.push_back(values[i]);
      cumulative_.push_back(cumulative_.back() + weights[i]);
    }
  }
  const std::vector<double>& sorted() const { return sorted_; }
  // The CDF once the first `count` sorted values are at or below the current point.
  double at(size_t count) const {
    if (cumulative_.empty()) {
      return static_cast<double>(count) / static_cast<double>(sorted_.size());
    }
    return static_cast<double>(cumulative_[count] / cumulative_.back());
  }

 private:
  std::vector<double> sorted_;
  std::vector<long double> cumulative_;
};

void check(const char* function, std::span<const double> u, std::span<const double> v,
           std::span<const double> u_weights, std::span<const double> v_weights, bool weighted) {
  detail::require_size(function, "u", u, 1);
  detail::require_size(function, "v", v, 1);
  detail::require_finite(function, "u", u);
  detail::require_finite(function, "v", v);
  if (!weighted) return;
  const auto check_weights = [&](const char* name, std::span<const double> values,
                                 std::span<const double> weights) {
    if (weights.size() != values.size()) {
      throw InvalidSample(std::string(function) + ": " + name + " has " +
                          std::to_string(weights.size()) + " weights for " +
                          std::to_string(values.size()) + " values");
    }
    detail::require_finite(function, name, weights);
    long double sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] < 0) {
        throw InvalidSample(std::string(function) + ": " + name + "[" + std::to_string(i) +
                            "] is negative");
      }
      sum += weights[i];
    }
    if (!(sum > 0) || !std::isfinite(static_cast<double>(sum))) {
      throw InvalidSample(std::string(function) + ": " + name +
                          " must have a positive, finite sum");
    }
  };
  check_weights("u_weights", u, u_weights);
  check_weights("v_weights", v, v_weights);
}

// scipy.stats._stats_py._cdf_distance for p = 1 (returns the integral) and p = 2 (returns the
// integral of the squared difference, before its square root).
long double cdf_distance(int p, std::span<const double> u, std::span<const double> v,
                         std::span<const double> u_weights, std::span<const double> v_weights) {
  const EmpiricalCdf ucdf(u, u_weights);
  const EmpiricalCdf vcdf(v, v_weights);
  const std::vector<double>& us = ucdf.sorted();
  const std::vector<double>& vs = vcdf.sorted();
  std::vector<double> all(us.size() + vs.size());
  std::merge(us.begin(), us.end(), vs.begin(), vs.end(), all.begin());
  long double sum = 0;
  size_t iu = 0;
  size_t iv = 0;
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    while (iu < us.size() && us[iu] <= all[i]) ++iu;
    while (iv < vs.size() && vs[iv] <= all[i]) ++iv;
    const double delta = all[i + 1] - all[i];
    if (delta == 0) continue;
    const double diff = ucdf.at(iu) - vcdf.at(iv);
    sum += p == 1 ? static_cast<long double>(std::abs(diff)) * delta
                  : static_cast<long double>(diff) * diff * delta;
  }
  return sum;
}

double energy_from(long double integral) {
  return std::sqrt(2.0) * std::sqrt(static_cast<double>(integral));
}

}  // namespace

double wasserstein_distance(std::span<const double> u, std::span<const double> v) {
  check("wasserstein_distance", u, v, {}, {}, false);
  return static_cast<double>(cdf_distance(1, u, v, {}, {}));
}

double energy_distance(std::span<const double> u, std::span<const double> v) {
  check("energy_distance", u, v, {}, {}, false);
  return energy_from(cdf_distance(2, u, v, {}, {}));
}

double wasserstein_distance(std::span<const double> u, std::span<const double> v,
                            std::span<const double> u_weights, std::span<const double> v_weights) {
  check("wasserstein_distance", u, v, u_weights, v_weights, true);
  return static_cast<double>(cdf_distance(1, u, v, u_weights, v_weights));
}

double energy_distance(std::span<const double> u, std::span<const double> v,
                       std::span<const double> u_weights, std::span<const double> v_weights) {
  check("energy_distance", u, v, u_weights, v_weights, true);
  return energy_from(cdf_distance(2, u, v, u_weights, v_weights));
}

}  // namespace rlx::stats
