#include "rlx/sim/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace rlx::sim {
namespace {

TEST(Random, EngineIsTheStandardOne) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64.
  std::mt19937_64 engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
}

TEST(Random, LogAndExpAreAsAccurateAsLibm) {
  double worst_log = 0;
  double worst_exp = 0;
  for (double x = 1e-300; x < 1e300; x *= 1.37) {
    worst_log = std::max(worst_log,
                         std::abs(det_log(x) - std::log(x)) / std::max(1.0, std::abs(std::log(x))));
  }
  for (double x = 1e-6; x < 2.0; x *= 1.001) {
    worst_log = std::max(worst_log, std::abs(det_log(x) - std::log(x)) / std::abs(std::log(x)));
  }
  for (double x = -700; x < 700; x += 0.0137) {
    worst_exp = std::max(worst_exp, std::abs(det_exp(x) - std::exp(x)) / std::exp(x));
  }
  EXPECT_LT(worst_log, 1e-15);
  EXPECT_LT(worst_exp, 1e-15);
  EXPECT_EQ(det_log(1.0), 0.0);
  EXPECT_EQ(det_exp(0.0), 1.0);
}

TEST(Random, SameSeedSameNumbers) {
  Rng a(7);
  Rng b(7);
  Rng c(8);
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const double x = a.unit();
    EXPECT_EQ(x, b.unit());
    differ += x != c.unit();
  }
  EXPECT_GT(differ, 990);
}

TEST(Random, DistributionsHaveTheirMoments) {
  Rng rng(1);
  const int n = 200'000;
  double unit_sum = 0;
  double normal_sum = 0;
  double normal_sq = 0;
  double exp_sum = 0;
  double geo_sum = 0;
  int pareto_tail = 0;
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < n; ++i) {
    const double u = rng.unit();
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
    unit_sum += u;
    const double z = rng.normal();
    normal_sum += z;
    normal_sq += z * z;
    exp_sum += rng.exponential();
    geo_sum += static_cast<double>(rng.geometric(3.0));
    pareto_tail += rng.pareto(1.0, 1.5) > 10.0;  // P = 10^-1.5
    ++buckets[rng.below(10)];
  }
  EXPECT_NEAR(unit_sum / n, 0.5, 0.005);
  EXPECT_NEAR(normal_sum / n, 0.0, 0.01);
  EXPECT_NEAR(normal_sq / n, 1.0, 0.01);
  EXPECT_NEAR(exp_sum / n, 1.0, 0.01);
  EXPECT_NEAR(geo_sum / n, 3.0, 0.05);
  EXPECT_NEAR(static_cast<double>(pareto_tail) / n, std::pow(10.0, -1.5), 0.002);
  for (int b : buckets) EXPECT_NEAR(b, n / 10, 600);
}

}  // namespace
}  // namespace rlx::sim
