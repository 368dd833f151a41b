#include "rlx/stats/tail.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rlx/stats/expected_values_test.h"

namespace rlx::stats {
namespace {

using reference::Agreement;
using reference::ExpectedValues;

TEST(Hill, MatchesTheDirectFormula) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("hill");
  for (simdjson::dom::element c : data.cases("hill")) {
    const std::string x(c["x"].get_string().value());
    const auto k = static_cast<size_t>(c["k"].get_int64().value());
    const std::string where = x + " k=" + std::to_string(k);
    const HillEstimate h = hill_estimator(data.sample(x), k);
    agreement.check("gamma", where, h.gamma, c["gamma"].get_double());
    agreement.check("alpha", where, h.alpha, c["alpha"].get_double());
    EXPECT_EQ(h.threshold, c["threshold"].get_double().value()) << where;
    EXPECT_EQ(h.k, k);
  }
}

TEST(Hill, ByHand) {
  // Logs 3, 2, 1, 0 (in any order): k = 2 gives (3 + 2) / 2 - 1 = 1.5 above X_(3) = e.
  const std::vector<double> x = {std::exp(1.0), 1.0, std::exp(3.0), std::exp(2.0)};
  const HillEstimate h = hill_estimator(x, 2);
  EXPECT_NEAR(h.gamma, 1.5, 1e-15);
  EXPECT_NEAR(h.alpha, 1 / 1.5, 1e-15);
  EXPECT_EQ(h.threshold, std::exp(1.0));
  // Ties at the threshold: a flat tail has gamma 0 and an infinite tail index.
  const std::vector<double> flat = {2.0, 2.0, 2.0, 1.0};
  EXPECT_EQ(hill_estimator(flat, 2).gamma, 0.0);
  EXPECT_EQ(hill_estimator(flat, 2).alpha, std::numeric_limits<double>::infinity());
}

TEST(Hill, RejectsBadKAndNonPositiveTail) {
  const std::vector<double> x = {5.0, 4.0, 0.0, -1.0};
  EXPECT_THROW(hill_estimator(x, 0), InvalidSample);
  EXPECT_THROW(hill_estimator(x, 4), InvalidSample);
  EXPECT_NO_THROW(hill_estimator(x, 1));
  EXPECT_THROW(hill_estimator(x, 2), InvalidSample);  // X_(3) = 0
  const std::vector<double> with_nan = {5.0, std::numeric_limits<double>::quiet_NaN(), 1.0};
  EXPECT_THROW(hill_estimator(with_nan, 1), InvalidSample);
}

}  // namespace
}  // namespace rlx::stats
