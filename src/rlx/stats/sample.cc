#include "rlx/stats/sample.h"

#include <cmath>

namespace rlx::stats::detail {

void require_finite(const char* function, const char* argument, std::span<const double> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidSample(std::string(function) + ": " + argument + "[" + std::to_string(i) +
                          "] is " + (std::isnan(values[i]) ? "NaN" : "infinite") +
                          " (every value must be finite)");
    }
  }
}

void require_size(const char* function, const char* argument, std::span<const double> values,
                  size_t minimum) {
  if (values.size() < minimum) {
    throw InvalidSample(std::string(function) + ": " + argument + " has " +
                        std::to_string(values.size()) + " values, needs at least " +
                        std::to_string(minimum));
  }
}

}  // namespace rlx::stats::detail
