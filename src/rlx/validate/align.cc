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

}  // namespace rlx::validate
