#include "rlx/core/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
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

TEST(ParallelFor, AnExceptionStopsNewWorkAndIsRethrown) {
  std::atomic<size_t> ran{0};
  EXPECT_THROW(parallel_for(100000, 2,
                            [&](size_t i) {
                              ++ran;
                              if (i == 10) throw std::runtime_error("piece 10");
                            }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 100000u);  // no new piece started after the failure
}

}  // namespace
}  // namespace rlx
