#include "rlx/stats/p_square.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace rlx::stats {
namespace {

double exact(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

TEST(PSquare, SmallStreamsAreExact) {
  PSquare q(0.5);
  EXPECT_TRUE(std::isnan(q.value()));
  q.add(3);
  EXPECT_EQ(q.value(), 3);
  q.add(1);
  q.add(2);
  EXPECT_EQ(q.value(), 2);
  q.add(10);
  q.add(0);
  EXPECT_EQ(q.value(), 2);  // 0 1 2 3 10
  EXPECT_EQ(q.count(), 5u);
}

// On 10^5 values of skewed and heavy-tailed distributions the estimate lands within 1 % of the
// distribution's spread (in rank terms: within 0.01 of p) of the exact sample quantile.
TEST(PSquare, LargeStreamsTrackTheSampleQuantile) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> expo(1.0);
  std::lognormal_distribution<double> logn(0.0, 1.5);
  for (int dist = 0; dist < 2; ++dist) {
    std::vector<double> v(100000);
    for (double& x : v) x = dist == 0 ? expo(rng) : logn(rng);
    for (double p : {0.05, 0.25, 0.5, 0.75, 0.95}) {
      PSquare q(p);
      for (double x : v) q.add(x);
      const double lo = exact(v, std::max(0.0, p - 0.01));
      const double hi = exact(v, std::min(1.0, p + 0.01));
      EXPECT_GE(q.value(), lo) << "dist " << dist << " p " << p;
      EXPECT_LE(q.value(), hi) << "dist " << dist << " p " << p;
    }
  }
}

TEST(PSquare, ConstantAndIntegerStreams) {
  PSquare q(0.95);
  for (int i = 0; i < 1000; ++i) q.add(1);
  EXPECT_EQ(q.value(), 1);
  PSquare m(0.5);
  for (int i = 0; i < 10000; ++i) m.add(i % 3 == 0 ? 2 : 1);  // two thirds are 1
  EXPECT_NEAR(m.value(), 1, 0.05);
}

}  // namespace
}  // namespace rlx::stats
