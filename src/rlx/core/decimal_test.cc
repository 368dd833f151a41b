#include "rlx/core/decimal.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

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

// from_double's fast path (no text) gives what the text path gives: the shortest round trip
// (std::to_chars), parsed. Feed-like values (few digits, every magnitude) and arbitrary doubles.
TEST(Decimal, FromDoubleEqualsParsingTheShortestText) {
  const auto via_text = [](double v, Decimal* out) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return ec == std::errc() && Decimal::parse(std::string_view(buf, end - buf), out);
  };
  std::mt19937_64 rng(12);
  size_t checked = 0;
  const auto check = [&](double v) {
    Decimal fast, text;
    const bool ok = Decimal::from_double(v, &fast);
    ASSERT_EQ(ok, via_text(v, &text)) << v;
    if (ok) ASSERT_EQ(fast, text) << v << ": " << fast.to_string() << " vs " << text.to_string();
    ++checked;
  };
  for (int i = 0; i < 300'000; ++i) {  // decimal text, as feeds write it
    const int64_t mantissa =
        static_cast<int64_t>(rng() % 10'000'000'000'000'000ULL) >> (rng() % 60);
    const std::string text = std::to_string(mantissa) + "e-" + std::to_string(rng() % 19);
    check(std::strtod(text.c_str(), nullptr));
    check(-std::strtod(text.c_str(), nullptr));
  }
  for (int i = 0; i < 300'000; ++i) {  // any bits: the path for more than 15 digits
    const uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    check(v);
    check(std::ldexp(static_cast<double>(bits >> 11), -static_cast<int>(rng() % 80)));
  }
  for (double v : {0.0, -0.0, 0.1, 0.2, 0.3, 1e-10, 1e-11, 999999999999999.0, 1e15, 1e15 + 2,
                   123456789012345.6, 0.000123456789012345, 5e-324, 1.7976931348623157e308}) {
    check(v);
  }
  EXPECT_GT(checked, 1'200'000u);
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
