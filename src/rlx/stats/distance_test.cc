#include "rlx/stats/distance.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "rlx/stats/expected_values_test.h"

namespace rlx::stats {
namespace {

using reference::Agreement;
using reference::ExpectedValues;

TEST(Distance, MatchesScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("distance");
  int weighted = 0;
  for (simdjson::dom::element c : data.cases("distance")) {
    const std::string x(c["x"].get_string().value());
    const std::string y(c["y"].get_string().value());
    const std::vector<double>& u = data.sample(x);
    const std::vector<double>& v = data.sample(y);
    simdjson::dom::element uw_json;
    if (c["x_weights"].get(uw_json) == simdjson::SUCCESS) {
      const std::vector<double> uw = reference::doubles(uw_json);
      const std::vector<double> vw = reference::doubles(c["y_weights"]);
      const std::string where = x + " vs " + y + " (weighted)";
      agreement.check("energy_weighted", where, energy_distance(u, v, uw, vw),
                      c["energy"].get_double());
      agreement.check("wasserstein_weighted", where, wasserstein_distance(u, v, uw, vw),
                      c["wasserstein"].get_double());
      ++weighted;
    } else {
      const std::string where = x + " vs " + y;
      agreement.check("energy", where, energy_distance(u, v), c["energy"].get_double());
      agreement.check("wasserstein", where, wasserstein_distance(u, v),
                      c["wasserstein"].get_double());
    }
  }
  EXPECT_GE(weighted, 4);
}

TEST(Distance, ByHand) {
  // One point each: both integrate |U - V| = 1 over [0, 2].
  const std::vector<double> zero = {0.0};
  const std::vector<double> two = {2.0};
  EXPECT_DOUBLE_EQ(wasserstein_distance(zero, two), 2.0);
  EXPECT_DOUBLE_EQ(energy_distance(zero, two), 2.0);  // sqrt(2) * sqrt(2)
  // A shift moves every quantile by the shift.
  const std::vector<double> a = {0.5, 1.0, 4.0, 7.25};
  const std::vector<double> b = {3.5, 4.0, 7.0, 10.25};
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, b), 3.0);
  EXPECT_EQ(energy_distance(a, a), 0.0);
  EXPECT_EQ(wasserstein_distance(a, a), 0.0);
  // Equal weights are the unweighted distance; a zero weight removes its value.
  const std::vector<double> ones(4, 1.0);
  EXPECT_DOUBLE_EQ(energy_distance(a, b, ones, ones), energy_distance(a, b));
  const std::vector<double> c = {0.5, 1.0, 4.0, 100.0};
  const std::vector<double> drop_last = {1.0, 1.0, 1.0, 0.0};
  const std::vector<double> a3 = {0.5, 1.0, 4.0};
  EXPECT_DOUBLE_EQ(wasserstein_distance(c, b, drop_last, ones), wasserstein_distance(a3, b));
}

TEST(Distance, RejectsBadValuesAndWeights) {
  const std::vector<double> ok = {1.0, 2.0};
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<double> one_weight = {1.0};
  const std::vector<double> negative = {1.0, -0.5};
  const std::vector<double> zeros = {0.0, 0.0};
  const std::vector<double> nan_weight = {std::numeric_limits<double>::quiet_NaN(), 1.0};
  EXPECT_THROW(energy_distance(empty, ok), InvalidSample);
  EXPECT_THROW(wasserstein_distance(ok, with_nan), InvalidSample);
  EXPECT_THROW(wasserstein_distance(ok, ok, one_weight, ok), InvalidSample);
  EXPECT_THROW(energy_distance(ok, ok, ok, negative), InvalidSample);
  EXPECT_THROW(energy_distance(ok, ok, zeros, ok), InvalidSample);
  EXPECT_THROW(wasserstein_distance(ok, ok, nan_weight, ok), InvalidSample);
  try {
    wasserstein_distance(ok, with_nan);
  } catch (const InvalidSample& e) {
    EXPECT_STREQ(e.what(), "wasserstein_distance: v[1] is NaN (every value must be finite)");
  }
}

}  // namespace
}  // namespace rlx::stats
