#include "rlx/stats/order_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace rlx::stats {

double median(std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t h = values.size() / 2;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(h);
  std::nth_element(values.begin(), mid, values.end());
  const double hi = *mid;
  if (values.size() % 2 == 1) return hi;
  return (*std::max_element(values.begin(), mid) + hi) / 2;
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  const size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace rlx::stats
