#include "rlx/stats/mmd.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "rlx/stats/expected_values_test.h"

namespace rlx::stats {
namespace {

using reference::Agreement;
using reference::ExpectedValues;

TEST(MmdLinear, MatchesTheDirectFormula) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("mmd_linear");
  for (simdjson::dom::element c : data.cases("mmd_linear")) {
    const std::string x(c["x"].get_string().value());
    const std::string y(c["y"].get_string().value());
    const std::string where = x + " vs " + y;
    MmdOptions options;
    options.bandwidth = c["bandwidth_option"].get_double();
    const MmdLinearResult r = mmd_linear(data.sample(x), data.sample(y), options);
    // The median heuristic is a selection, so it is exact, not close.
    EXPECT_EQ(r.bandwidth, c["bandwidth"].get_double().value()) << where;
    agreement.check("mmd2", where, r.mmd2, c["mmd2"].get_double());
    agreement.check("z", where, r.z, c["z"].get_double());
    agreement.check("pvalue", where, r.pvalue, c["pvalue"].get_double());
    EXPECT_EQ(r.pairs, static_cast<size_t>(c["pairs"].get_int64().value())) << where;
  }
}

TEST(MmdLinear, MedianPairwiseDistanceByHand) {
  const std::vector<double> odd = {3.0, 0.0, 1.0};  // distances 1, 3, 2
  EXPECT_EQ(detail::median_pairwise_distance(odd), 2.0);
  const std::vector<double> even = {7.0, 0.0, 3.0, 1.0};  // 1, 2, 3, 4, 6, 7
  EXPECT_EQ(detail::median_pairwise_distance(even), 3.5);
  const std::vector<double> ties = {1.0, 1.0, 1.0, 2.0};  // 0, 0, 0, 1, 1, 1
  EXPECT_EQ(detail::median_pairwise_distance(ties), 0.5);
}

TEST(MmdLinear, IdenticalSamplesGiveZero) {
  const std::vector<double> a = {0.1, 0.5, -0.3, 2.0, 1.1, 0.7};
  const MmdLinearResult r = mmd_linear(a, a);
  EXPECT_EQ(r.mmd2, 0.0);
  EXPECT_EQ(r.z, 0.0);
  EXPECT_EQ(r.pvalue, 0.5);
  EXPECT_EQ(r.pairs, 3u);
}

TEST(MmdLinear, RejectsWhatItCannotCompute) {
  const std::vector<double> ok = {0.0, 1.0, 2.0, 3.0, 4.0};
  const std::vector<double> three = {0.0, 1.0, 2.0};
  const std::vector<double> with_inf = {0.0, 1.0, std::numeric_limits<double>::infinity(), 2.0};
  const std::vector<double> mostly_ties = {1.0, 1.0, 1.0, 1.0, 1.0};
  EXPECT_THROW(mmd_linear(ok, three), InvalidSample);
  EXPECT_THROW(mmd_linear(with_inf, ok), InvalidSample);
  EXPECT_THROW(mmd_linear(mostly_ties, mostly_ties), InvalidSample);  // median distance 0
  EXPECT_NO_THROW(mmd_linear(mostly_ties, mostly_ties, MmdOptions{.bandwidth = 1.0}));
  EXPECT_THROW(mmd_linear(ok, ok, MmdOptions{.bandwidth = -1.0}), InvalidSample);
}

}  // namespace
}  // namespace rlx::stats
