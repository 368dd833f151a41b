// Windows of market time: noise-floor metrics are measured per window of one length, both when
// the floor is calibrated (golden against golden) and when a candidate is judged, because most
// effect sizes shrink as samples grow and a floor only holds for the length it was measured on.
#pragma once

#include <cstdint>
#include <vector>

#include "rlx/features/features.h"

namespace rlx::validate {

struct Window {
  int64_t from_ns = 0;  // inclusive, a multiple of the length
  int64_t to_ns = 0;    // exclusive
};

// The windows [k L, (k+1) L) that the side covers completely (its grids run through them) and,
// with `clean`, that hold no seam (gap, resync, unsynced stretch): the golden side's segments
// cut into windows.
std::vector<Window> windows(const features::Features& side, int64_t length_ns, bool clean);

// The part of `side` inside `w`: grid rows, trades, book message times and seams with times in
// [from, to); the stream window starting at `from` becomes the stream total.
features::Features slice(const features::Features& side, const Window& w);

}  // namespace rlx::validate
