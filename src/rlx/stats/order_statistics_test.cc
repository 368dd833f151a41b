#include "rlx/stats/order_statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace rlx::stats {
namespace {

TEST(OrderStatistics, MedianTakesTheMeanOfTheTwoMiddleValuesForAnEvenCount) {
  std::vector<double> odd = {5, 1, 4, 2, 3};
  EXPECT_EQ(median(odd), 3);
  std::vector<double> even = {10, 1, 4, 2};
  EXPECT_EQ(median(even), 3);  // (2 + 4) / 2
  std::vector<double> one = {7};
  EXPECT_EQ(median(one), 7);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(median(none)));
}

TEST(OrderStatistics, QuantileIsNearestRank) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_EQ(quantile(v, 0.99), 5);
  EXPECT_EQ(quantile(v, 0.5), 3);
  EXPECT_EQ(quantile(v, 0.41), 3);  // ceil(2.05) = the 3rd smallest
  EXPECT_EQ(quantile(v, 0.0), 1);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(quantile(none, 0.5)));
}

}  // namespace
}  // namespace rlx::stats
