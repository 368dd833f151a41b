#include "rlx/core/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace rlx {
namespace {

Decimal parse_or_die(std::string_view s) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(s, &d)) << s;
  return d;
}

TEST(Decimal, ParsesBinanceStyleText) {
  EXPECT_EQ(parse_or_die("61737.63000000").to_string(), "61737.63");
  EXPECT_EQ(parse_or_die("0.00000000").raw(), 0);
  EXPECT_EQ(parse_or_die("0").raw(), 0);
  EXPECT_EQ(parse_or_die("0.000").raw(), 0);
  EXPECT_EQ(parse_or_die("1").raw(), Decimal::kOne);
  EXPECT_EQ(parse_or_die("-0.001").to_string(), "-0.001");
  EXPECT_EQ(parse_or_die("0.000000000000000001").raw(), 1);
  EXPECT_EQ(parse_or_die("1e-05").to_string(), "0.00001");
  EXPECT_EQ(parse_or_die("2.5E+3").to_string(), "2500");
  EXPECT_EQ(parse_or_die("+7").to_string(), "7");
}

TEST(Decimal, EqualValuesCompareEqualWhateverTheirText) {
  EXPECT_EQ(parse_or_die("61737.6300"), parse_or_die("61737.63"));
  EXPECT_LT(parse_or_die("61737.62"), parse_or_die("61737.63"));
  EXPECT_GT(parse_or_die("0.1"), parse_or_die("-5"));
}

TEST(Decimal, RejectsWhatItCannotHoldExactly) {
  Decimal d = Decimal::from_int(42);
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e", "nan", "NaN", "inf", "1,5", " 1",
                          "0.0000000000000000001", "123456789012345678901",  // > 20 int digits
                          "1e21"}) {
    EXPECT_FALSE(Decimal::parse(bad, &d)) << bad;
  }
  EXPECT_EQ(d, Decimal::from_int(42));  // untouched on failure
  // Trailing zeros past the 18th decimal are fine: the value is still exact.
  EXPECT_TRUE(Decimal::parse("1.0000000000000000000000", &d));
  EXPECT_EQ(d, Decimal::from_int(1));
  // The largest DECIMAL(38,18) value.
  EXPECT_TRUE(Decimal::parse("99999999999999999999.999999999999999999", &d));
  EXPECT_EQ(d.raw(), Decimal::kMaxRaw);
}

TEST(Decimal, FromDoubleUsesTheShortestRoundTrip) {
  Decimal d;
  ASSERT_TRUE(Decimal::from_double(0.1, &d));
  EXPECT_EQ(d.to_string(), "0.1");  // not 0.1000000000000000055...
  ASSERT_TRUE(Decimal::from_double(61737.63, &d));
  EXPECT_EQ(d.to_string(), "61737.63");
  ASSERT_TRUE(Decimal::from_double(1e-8, &d));
  EXPECT_EQ(d.to_string(), "0.00000001");
  EXPECT_FALSE(Decimal::from_double(std::nan(""), &d));
  EXPECT_FALSE(Decimal::from_double(std::numeric_limits<double>::infinity(), &d));
  EXPECT_FALSE(Decimal::from_double(1e300, &d));
}

TEST(Decimal, Midpoint) {
  EXPECT_EQ(Decimal::midpoint(parse_or_die("100.01"), parse_or_die("100.02")).to_string(),
            "100.015");
}

}  // namespace
}  // namespace rlx

namespace rlx {
namespace {
TEST(Decimal, ToDoubleIsCloseToTheValue) {
  Decimal d;
  ASSERT_TRUE(Decimal::parse("61737.63", &d));
  EXPECT_DOUBLE_EQ(d.to_double(), 61737.63);
  ASSERT_TRUE(Decimal::parse("-0.001", &d));
  EXPECT_DOUBLE_EQ(d.to_double(), -0.001);
  ASSERT_TRUE(Decimal::parse("12345678901234567890.123456789012345678", &d));
  EXPECT_DOUBLE_EQ(d.to_double(), 12345678901234567890.123456789012345678);
}
}  // namespace
}  // namespace rlx
