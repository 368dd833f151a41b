#include "rlx/stats/two_sample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rlx/stats/distributions.h"
#include "rlx/stats/expected_values_test.h"

namespace rlx::stats {
namespace {

using reference::Agreement;
using reference::ExpectedValues;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string method_name(PValueMethod m) {
  return m == PValueMethod::kExact ? "exact" : "asymptotic";
}

std::string bound_name(PValueBound b) {
  switch (b) {
    case PValueBound::kNone:
      return "none";
    case PValueBound::kCapped:
      return "capped";
    case PValueBound::kFloored:
      return "floored";
  }
  return "?";
}

// Runs `f` and returns the InvalidSample message, or fails when nothing is thrown.
template <typename F>
std::string invalid_sample_message(F&& f) {
  try {
    f();
  } catch (const InvalidSample& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InvalidSample thrown";
  return "";
}

TEST(KolmogorovSmirnov, MatchesScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("ks_2samp");
  int cases = 0;
  for (simdjson::dom::element c : data.cases("ks_2samp")) {
    const std::string x(c["x"].get_string().value());
    const std::string y(c["y"].get_string().value());
    const std::string where = x + " vs " + y;
    const KsResult r = ks_2samp(data.sample(x), data.sample(y));
    agreement.check("statistic", where, r.statistic, c["statistic"].get_double());
    agreement.check("pvalue", where, r.pvalue, c["pvalue"].get_double());
    EXPECT_EQ(r.location, c["location"].get_double().value()) << where;
    EXPECT_EQ(r.sign, c["sign"].get_int64().value()) << where;
    EXPECT_EQ(method_name(r.method), std::string(c["method"].get_string().value())) << where;
    ++cases;
  }
  EXPECT_GE(cases, 16);
}

TEST(KolmogorovSmirnov, NullDistributionsMatchScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("kstwo");
  for (simdjson::dom::element c : data.cases("kstwo_sf")) {
    const int64_t n = c["n"].get_int64();
    const double x = c["x"].get_double();
    agreement.check("sf", "n=" + std::to_string(n) + " x=" + std::to_string(x),
                    detail::kstwo_sf(n, x), c["sf"].get_double());
  }
  for (simdjson::dom::element c : data.cases("smirnov_sf")) {
    const int64_t n = c["n"].get_int64();
    const double d = c["d"].get_double();
    agreement.check("smirnov", "n=" + std::to_string(n) + " d=" + std::to_string(d),
                    detail::smirnov_sf(n, d), c["sf"].get_double());
  }
}

TEST(KolmogorovSmirnov, SwappingTheSamplesFlipsTheSignOnly) {
  const ExpectedValues& data = ExpectedValues::get();
  const KsResult ab = ks_2samp(data.sample("normal_40_a"), data.sample("normal_37"));
  const KsResult ba = ks_2samp(data.sample("normal_37"), data.sample("normal_40_a"));
  EXPECT_EQ(ab.statistic, ba.statistic);
  EXPECT_EQ(ab.pvalue, ba.pvalue);
  EXPECT_EQ(ab.sign, -ba.sign);
}

TEST(KolmogorovSmirnov, IdenticalAndSingleValueSamples) {
  const std::vector<double> a = {3.0, 1.0, 2.0, 2.0};
  const KsResult same = ks_2samp(a, a);
  EXPECT_EQ(same.statistic, 0.0);
  EXPECT_EQ(same.pvalue, 1.0);
  // scipy accepts one value a side: ks_2samp([1.0], [2.0]) = (1.0, 1.0), located at 1.0.
  const std::vector<double> one = {1.0};
  const std::vector<double> two = {2.0};
  const KsResult single = ks_2samp(one, two);
  EXPECT_EQ(single.statistic, 1.0);
  EXPECT_EQ(single.pvalue, 1.0);
  EXPECT_EQ(single.location, 1.0);
  EXPECT_EQ(single.sign, 1);
}

TEST(KolmogorovSmirnov, RejectsEmptyAndNonFiniteInput) {
  const std::vector<double> ok = {1.0, 2.0, 3.0};
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1.0, kNaN, 3.0};
  const std::vector<double> with_inf = {1.0, 2.0, -kInf};
  EXPECT_EQ(invalid_sample_message([&] { ks_2samp(empty, ok); }),
            "ks_2samp: x has 0 values, needs at least 1");
  EXPECT_EQ(invalid_sample_message([&] { ks_2samp(ok, with_nan); }),
            "ks_2samp: y[1] is NaN (every value must be finite)");
  EXPECT_EQ(invalid_sample_message([&] { ks_2samp(with_inf, ok); }),
            "ks_2samp: x[2] is infinite (every value must be finite)");
}

TEST(CramerVonMises, MatchesScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("cramervonmises_2samp");
  int cases = 0;
  for (simdjson::dom::element c : data.cases("cramervonmises_2samp")) {
    const std::string x(c["x"].get_string().value());
    const std::string y(c["y"].get_string().value());
    const std::string where = x + " vs " + y;
    const CramerVonMisesResult r = cramervonmises_2samp(data.sample(x), data.sample(y));
    agreement.check("statistic", where, r.statistic, c["statistic"].get_double());
    agreement.check("pvalue", where, r.pvalue, c["pvalue"].get_double());
    EXPECT_EQ(method_name(r.method), std::string(c["method"].get_string().value())) << where;
    ++cases;
  }
  EXPECT_GE(cases, 15);
}

TEST(CramerVonMises, LimitingDistributionMatchesScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("cvm_limit");
  for (simdjson::dom::element c : data.cases("bessel_k")) {
    const double nu = c["nu"].get_double();
    const double x = c["x"].get_double();
    agreement.check("bessel_k", "nu=" + std::to_string(nu) + " x=" + std::to_string(x),
                    static_cast<double>(detail::bessel_k(nu, x)), c["value"].get_double());
  }
  for (simdjson::dom::element c : data.cases("cvm_limit_cdf")) {
    const double x = c["x"].get_double();
    agreement.check("cdf", "x=" + std::to_string(x), detail::cvm_limit_cdf(x),
                    c["cdf"].get_double());
  }
}

TEST(CramerVonMises, RejectsTooFewAndNonFiniteValues) {
  const std::vector<double> ok = {1.0, 2.0, 3.0};
  const std::vector<double> one = {1.0};
  const std::vector<double> with_nan = {kNaN, 1.0};
  EXPECT_EQ(invalid_sample_message([&] { cramervonmises_2samp(ok, one); }),
            "cramervonmises_2samp: y has 1 values, needs at least 2");
  EXPECT_EQ(invalid_sample_message([&] { cramervonmises_2samp(with_nan, ok); }),
            "cramervonmises_2samp: x[0] is NaN (every value must be finite)");
}

TEST(AndersonDarling, MatchesScipy) {
  const ExpectedValues& data = ExpectedValues::get();
  Agreement agreement("anderson_ksamp");
  int cases = 0;
  int interpolated = 0;
  for (simdjson::dom::element c : data.cases("anderson_ksamp")) {
    std::vector<std::span<const double>> samples;
    std::string where;
    for (simdjson::dom::element name : c["samples"].get_array()) {
      const std::string_view n = name.get_string();
      samples.emplace_back(data.sample(n));
      where += (where.empty() ? "" : " + ") + std::string(n);
    }
    const AndersonDarlingResult r = anderson_ksamp(samples);
    agreement.check("statistic", where, r.statistic, c["statistic"].get_double());
    agreement.check("pvalue", where, r.pvalue, c["pvalue"].get_double());
    const std::vector<double> critical = reference::doubles(c["critical_values"]);
    ASSERT_EQ(critical.size(), r.critical_values.size());
    for (size_t i = 0; i < critical.size(); ++i) {
      agreement.check("critical_values", where, r.critical_values[i], critical[i]);
    }
    EXPECT_EQ(bound_name(r.bound), std::string(c["bound"].get_string().value())) << where;
    interpolated += r.bound == PValueBound::kNone ? 1 : 0;
    ++cases;
  }
  EXPECT_GE(cases, 18);
  EXPECT_GE(interpolated, 8);  // the fitted p-value, not just the caps, is compared
}

TEST(AndersonDarling, IdenticalSamplesAreCapped) {
  const std::vector<double> a = {1.0, 2.0, 3.0};
  const std::vector<std::span<const double>> samples = {a, a};
  const AndersonDarlingResult r = anderson_ksamp(samples);
  EXPECT_NEAR(r.statistic, -1.7739371879672585, 1e-12);  // scipy 1.10.1
  EXPECT_EQ(r.pvalue, 0.25);
  EXPECT_EQ(r.bound, PValueBound::kCapped);
}

TEST(AndersonDarling, RejectsWhatScipyRejectsOrCannotCompute) {
  const std::vector<double> a = {1.0, 2.0, 3.0};
  const std::vector<double> one = {1.0};
  const std::vector<double> two = {2.0, 3.0};
  const std::vector<double> empty;
  const std::vector<double> same = {4.0, 4.0};
  const std::vector<double> with_nan = {1.0, 2.0, kNaN};
  const auto run = [](std::vector<std::span<const double>> samples) {
    return invalid_sample_message([&] { anderson_ksamp(samples); });
  };
  EXPECT_EQ(run({a}), "anderson_ksamp: needs at least 2 samples, got 1");
  EXPECT_EQ(run({a, empty}), "anderson_ksamp: samples[1] has 0 values, needs at least 1");
  // N = 3: scipy divides by N - 3 and returns NaN.
  EXPECT_EQ(run({one, two}), "anderson_ksamp: needs at least 4 values in total, got 3");
  EXPECT_EQ(run({same, same}), "anderson_ksamp: needs more than one distinct value");
  EXPECT_EQ(run({a, a, with_nan}),
            "anderson_ksamp: samples[2][2] is NaN (every value must be finite)");
}

}  // namespace
}  // namespace rlx::stats
