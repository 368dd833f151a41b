#include "rlx/core/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace rlx {
namespace {

TEST(ParallelFor, EveryIndexRunsOnceWhateverTheThreads) {
  for (const unsigned threads : {1u, 2u, 8u}) {
    for (const size_t n : {size_t{0}, size_t{1}, size_t{1000}}) {
      std::vector<std::atomic<int>> runs(n);
      parallel_for(n, threads, [&](size_t i) { ++runs[i]; });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << threads << " " << n;
    }
  }
}

// On one thread, nothing after the failing piece runs. On two, two pieces fail (10 and 50,000):
// piece 10 is claimed before 50,000, so it always runs, and its error is the one rethrown
// whichever thread fails first.
TEST(ParallelFor, AnExceptionStopsNewWorkAndTheLowestIndexIsRethrown) {
  size_t ran = 0;
  EXPECT_THROW(parallel_for(1000, 1,
                            [&](size_t i) {
                              ++ran;
                              if (i == 10) throw std::runtime_error("piece 10");
                            }),
               std::runtime_error);
  EXPECT_EQ(ran, 11u);
  for (int round = 0; round < 20; ++round) {
    try {
      parallel_for(100000, 2, [&](size_t i) {
        if (i == 10 || i == 50000) throw std::runtime_error("piece " + std::to_string(i));
      });
      FAIL() << "nothing was rethrown";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "piece 10");
    }
  }
}

}  // namespace
}  // namespace rlx
