#include "rlx/stats/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"

namespace rlx::stats {
namespace {

constexpr double kRelative = 1.0 / (1 << (QuantileSketch::kMantissaBits + 1));

double exact(std::vector<double> v, double p) {  // nearest rank
  std::sort(v.begin(), v.end());
  const double r = std::ceil(p * static_cast<double>(v.size()));
  const size_t i = r < 1 ? 0 : static_cast<size_t>(r) - 1;
  return v[std::min(i, v.size() - 1)];
}

TEST(QuantileSketch, EmptyZeroAndRejected) {
  QuantileSketch q;
  EXPECT_TRUE(std::isnan(q.quantile(0.5)));
  q.add(0);
  q.add(-1);
  q.add(std::nan(""));
  q.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(q.count(), 1u);
  EXPECT_EQ(q.rejected(), 3u);
  EXPECT_EQ(q.quantile(0.5), 0);
  q.add(3);
  EXPECT_EQ(q.quantile(0.5), 0);  // rank 1 of 2
  EXPECT_NEAR(q.quantile(0.51), 3, 3 * kRelative);
}

// Every quantile of skewed, heavy-tailed and discrete samples is within the stated relative
// error of the exact sample quantile; the value's order of adding does not matter.
TEST(QuantileSketch, QuantilesAreWithinTheRelativeErrorOfTheSample) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> expo(1.0);
  std::lognormal_distribution<double> logn(0.0, 3);
  std::geometric_distribution<int> ticks(0.6);
  for (int dist = 0; dist < 3; ++dist) {
    std::vector<double> v(100000);
    for (double& x : v) {
      x = dist == 0 ? expo(rng) : dist == 1 ? logn(rng) : 0.1 * (1 + ticks(rng));
    }
    QuantileSketch q, reversed;
    for (const double x : v) q.add(x);
    for (auto it = v.rbegin(); it != v.rend(); ++it) reversed.add(*it);
    for (const double p : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0}) {
      const double e = exact(v, p);
      EXPECT_NEAR(q.quantile(p), e, e * kRelative) << "dist " << dist << " p " << p;
      EXPECT_EQ(q.quantile(p), reversed.quantile(p));
    }
  }
}

// Merging the sketches of two halves gives the sketch of the whole; a save/load round trip
// keeps every count; a wrong tag is refused.
TEST(QuantileSketch, MergeAndSaveLoadAreExact) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> logn(2.0, 2.0);
  QuantileSketch whole, a, b;
  for (int i = 0; i < 50000; ++i) {
    const double x = i % 97 == 0 ? 0 : logn(rng);
    whole.add(x);
    (i % 2 == 0 ? a : b).add(x);
  }
  a.merge(b);
  std::string bytes_whole, bytes_merged;
  BinaryWriter w1(&bytes_whole), w2(&bytes_merged);
  whole.save(w1);
  a.save(w2);
  EXPECT_TRUE(bytes_whole == bytes_merged)  // not EXPECT_EQ: a failure would print every count
      << bytes_whole.size() << " bytes against " << bytes_merged.size();
  BinaryReader r(bytes_whole);
  const QuantileSketch back = QuantileSketch::load(r);
  for (const double p : {0.05, 0.5, 0.95}) EXPECT_EQ(back.quantile(p), whole.quantile(p));
  EXPECT_EQ(back.count(), whole.count());
  std::string wrong = bytes_whole;
  wrong[0] ^= 1;  // the tag
  BinaryReader bad(wrong);
  EXPECT_THROW(QuantileSketch::load(bad), Error);
  std::string miscounted = bytes_whole;
  miscounted[4 + 8] ^= 1;  // the count, after the tag and the zeros
  BinaryReader bad_count(miscounted);
  EXPECT_THROW(QuantileSketch::load(bad_count), Error);
  whole.clear();
  EXPECT_EQ(whole.count(), 0u);
  EXPECT_TRUE(std::isnan(whole.quantile(0.5)));
}

}  // namespace
}  // namespace rlx::stats
