#include "rlx/stats/tail.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace rlx::stats {

HillEstimate hill_estimator(std::span<const double> x, size_t k) {
  constexpr const char* kName = "hill_estimator";
  detail::require_finite(kName, "x", x);
  if (k < 1 || k >= x.size()) {
    throw InvalidSample(std::string(kName) + ": k = " + std::to_string(k) + " needs 1 <= k < " +
                        std::to_string(x.size()) + " (the number of values)");
  }
  // The k+1 largest values, largest first up to position k: X_(k+1) lands at index k.
  std::vector<double> values(x.begin(), x.end());
  const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
  std::nth_element(values.begin(), kth, values.end(), std::greater<>());
  const double threshold = *kth;
  if (!(threshold > 0)) {
    throw InvalidSample(std::string(kName) + ": X_(k+1) = " + std::to_string(threshold) +
                        " is not positive; the tail needs k+1 positive values");
  }
  long double sum = 0;
  for (auto it = values.begin(); it != kth; ++it) sum += std::log(static_cast<long double>(*it));
  const long double gamma =
      sum / static_cast<long double>(k) - std::log(static_cast<long double>(threshold));
  HillEstimate out;
  out.gamma = static_cast<double>(gamma);
  out.alpha = out.gamma > 0 ? 1.0 / out.gamma : std::numeric_limits<double>::infinity();
  out.threshold = threshold;
  out.k = k;
  return out;
}

}  // namespace rlx::stats
