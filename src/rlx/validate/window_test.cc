#include "rlx/validate/window.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace rlx::validate {
namespace {

// Times in event order that step back a little (as trades merged from several streams do): the
// block index bounds every window so that scanning inside the bounds finds what scanning all
// finds, and the bounds are narrow.
TEST(Slicer, BoundsHoldEveryTimeOfTheWindowInAnAlmostSortedColumn) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> step(0, 2'000);
  std::uniform_int_distribution<int64_t> back(0, 50'000);
  std::vector<int64_t> t;
  int64_t now = 1'000'000;
  for (int i = 0; i < 200'000; ++i) {
    now += step(rng);
    t.push_back(i % 37 == 0 ? now - back(rng) : now);  // every 37th steps back
  }
  const Slicer::TimeIndex index(t);
  std::uniform_int_distribution<int64_t> at(t.front() - 100'000, now + 100'000);
  for (int k = 0; k < 300; ++k) {
    const int64_t from = at(rng);
    const int64_t to = from + (k % 3 == 0 ? 1 : 5'000'000);
    const auto [lo, hi] = index.bounds(from, to);
    ASSERT_LE(lo, hi);
    ASSERT_LE(hi, t.size());
    size_t inside = 0;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] < from || t[i] >= to) continue;
      ++inside;
      ASSERT_GE(i, lo) << from;
      ASSERT_LT(i, hi) << from;
    }
    EXPECT_LE(hi - lo, inside + 3 * 1024 + 64) << "bounds much wider than the window";
  }
  const Slicer::TimeIndex empty(std::vector<int64_t>{});
  EXPECT_EQ(empty.bounds(0, 10), std::make_pair(size_t{0}, size_t{0}));
}

}  // namespace
}  // namespace rlx::validate
