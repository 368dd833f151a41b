// Windows of market time: noise-floor metrics are measured per window of one length, both when
// the floor is calibrated (golden against golden) and when a candidate is judged, because most
// effect sizes shrink as samples grow and a floor only holds for the length it was measured on.
#pragma once

#include <cstdint>
#include <utility>
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

// The part of a side inside a window: grid rows, trades, book message times and seams with times
// in [from, to), in their order; the stream window starting at `from` becomes the stream total.
// Trade and message times are in event order and may step back a little, so they cannot be
// bisected; an index of their blocks finds the few blocks that can hold a window, which keeps
// slicing a day into windows linear rather than quadratic.
class Slicer {
 public:
  explicit Slicer(const features::Features& side);  // kept by reference: it must outlive this
  explicit Slicer(const features::Features&& side) = delete;
  features::Features operator()(const Window& w) const;

  // Blocks of an almost-sorted column: per block, the largest time up to it and the smallest
  // from it on (both non-decreasing, so both bisect).
  class TimeIndex {
   public:
    explicit TimeIndex(const std::vector<int64_t>& t);
    // [lo, hi): no time outside it lies in [from, to).
    std::pair<size_t, size_t> bounds(int64_t from, int64_t to) const;

   private:
    static constexpr size_t kBlock = 1024;
    size_t size_;
    std::vector<int64_t> max_through_;  // per block
    std::vector<int64_t> min_from_;     // per block
  };

 private:
  const features::Features& side_;
  TimeIndex trades_;
  TimeIndex book_messages_;
};

// One window of one side (a Slicer made for one use).
features::Features slice(const features::Features& side, const Window& w);

}  // namespace rlx::validate
