#include "rlx/validate/align.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rlx::validate {

std::vector<std::pair<size_t, size_t>> aligned_rows(const features::Grid& golden,
                                                    const features::Grid& candidate, uint8_t skip) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  size_t j = 0;
  while (i < golden.rows() && j < candidate.rows()) {
    if (golden.time_ns[i] < candidate.time_ns[j]) {
      ++i;
    } else if (candidate.time_ns[j] < golden.time_ns[i]) {
      ++j;
    } else {
      if (((golden.state[i] | candidate.state[j]) & skip) == 0) out.emplace_back(i, j);
      ++i;
      ++j;
    }
  }
  return out;
}

std::pair<const features::Grid*, const features::Grid*> both_grids(const features::Features& a,
                                                                   const features::Features& b,
                                                                   int64_t step_ns) {
  const features::Grid* ga = a.grid(step_ns);
  const features::Grid* gb = b.grid(step_ns);
  if (ga == nullptr || gb == nullptr) return {nullptr, nullptr};
  return {ga, gb};
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  // Nearest rank: the smallest value with at least q of the values at or below it.
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  const size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace rlx::validate
