// What every statistic in rlx::stats asks of its input, and the error it throws otherwise.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace rlx::stats {

// Thrown when a statistic is undefined on its input: a NaN or an infinity (always a data error
// in rlx, never dropped silently), too few observations, or a degenerate sample. The message
// names the function, the argument and, for a bad value, its index.
class InvalidSample : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {

// Throws InvalidSample("FUNCTION: ARGUMENT[i] is nan") at the first value that is not finite.
void require_finite(const char* function, const char* argument, std::span<const double> values);
// Throws InvalidSample unless values.size() >= minimum.
void require_size(const char* function, const char* argument, std::span<const double> values,
                  size_t minimum);

}  // namespace detail
}  // namespace rlx::stats
