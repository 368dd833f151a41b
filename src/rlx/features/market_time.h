// Market time as the fidelity features read it: one event's time, and epoch-anchored grids of a
// step (grid rows, stream windows, 1 s rate bins, validation windows all use these).
#pragma once

#include <cstdint>

#include "rlx/core/event.h"

namespace rlx::features {

// Origin time, or received time where the source has no exchange time (kNull when neither).
inline int64_t event_time(const Event& e) {
  return e.origin_time != kNull ? e.origin_time : e.received_time;
}

// a / b rounded toward negative infinity (b > 0): times before 1970 fall in the right step.
inline int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// The grid time at or before t, and at or after t.
inline int64_t floor_to(int64_t t, int64_t step) { return floor_div(t, step) * step; }
inline int64_t ceil_to(int64_t t, int64_t step) {
  const int64_t down = floor_to(t, step);
  return down == t ? t : down + step;
}

}  // namespace rlx::features
