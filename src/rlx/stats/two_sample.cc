#include "rlx/stats/two_sample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "rlx/stats/distributions.h"

namespace rlx::stats {
namespace {

// Sorted input (a caller that sorted once for several statistics) is not sorted again.
std::vector<double> sorted_copy(std::span<const double> values) {
  std::vector<double> out(values.begin(), values.end());
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

// Walks the distinct values of two sorted samples in ascending order; at each value, how many
// values of each sample lie below it and how many equal it.
class MergedWalk {
 public:
  MergedWalk(const std::vector<double>& a, const std::vector<double>& b) : a_(a), b_(b) {}

  bool next() {
    i_ += a_equal_;
    j_ += b_equal_;
    if (i_ == a_.size() && j_ == b_.size()) return false;
    if (j_ == b_.size() || (i_ < a_.size() && a_[i_] <= b_[j_])) {
      value_ = a_[i_];
    } else {
      value_ = b_[j_];
    }
    a_equal_ = 0;
    while (i_ + a_equal_ < a_.size() && a_[i_ + a_equal_] == value_) ++a_equal_;
    b_equal_ = 0;
    while (j_ + b_equal_ < b_.size() && b_[j_ + b_equal_] == value_) ++b_equal_;
    return true;
  }
  double value() const { return value_; }
  size_t a_below() const { return i_; }
  size_t b_below() const { return j_; }
  size_t a_equal() const { return a_equal_; }
  size_t b_equal() const { return b_equal_; }

 private:
  const std::vector<double>& a_;
  const std::vector<double>& b_;
  size_t i_ = 0;
  size_t j_ = 0;
  size_t a_equal_ = 0;
  size_t b_equal_ = 0;
  double value_ = 0;
};

// numpy.argmax's "first index" over scipy's data_all = concat(sorted x, sorted y): the smallest
// x value attaining the extreme if any x value does, else the smallest such y value.
struct Extreme {
  double value = 0;
  bool set = false;
  bool has_x = false;
  bool has_y = false;
  double first_x = 0;
  double first_y = 0;

  void offer(double diff, double at, bool is_x, bool is_y) {
    if (!set || diff > value) {
      set = true;
      value = diff;
      has_x = false;
      has_y = false;
    }
    if (diff == value) {
      if (is_x && !has_x) {
        has_x = true;
        first_x = at;
      }
      if (is_y && !has_y) {
        has_y = true;
        first_y = at;
      }
    }
  }
  double location() const { return has_x ? first_x : first_y; }
};

int64_t round_half_even(double v) { return static_cast<int64_t>(std::nearbyint(v)); }

}  // namespace

KsResult ks_2samp(std::span<const double> x, std::span<const double> y) {
  constexpr const char* kName = "ks_2samp";
  detail::require_size(kName, "x", x, 1);
  detail::require_size(kName, "y", y, 1);
  detail::require_finite(kName, "x", x);
  detail::require_finite(kName, "y", y);
  const std::vector<double> a = sorted_copy(x);
  const std::vector<double> b = sorted_copy(y);
  const auto n1 = static_cast<int64_t>(a.size());
  const auto n2 = static_cast<int64_t>(b.size());

  // cdf1 - cdf2 at each distinct value, as scipy computes it (searchsorted right / n).
  Extreme max_diff;
  Extreme min_diff;  // of -(cdf1 - cdf2)
  MergedWalk walk(a, b);
  while (walk.next()) {
    const double cdf1 =
        static_cast<double>(walk.a_below() + walk.a_equal()) / static_cast<double>(n1);
    const double cdf2 =
        static_cast<double>(walk.b_below() + walk.b_equal()) / static_cast<double>(n2);
    const double diff = cdf1 - cdf2;
    const bool is_x = walk.a_equal() > 0;
    const bool is_y = walk.b_equal() > 0;
    max_diff.offer(diff, walk.value(), is_x, is_y);
    min_diff.offer(-diff, walk.value(), is_x, is_y);
  }
  const double max_s = max_diff.value;
  const double min_s = std::clamp(min_diff.value, 0.0, 1.0);

  KsResult result;
  double d = max_s;
  if (min_s > max_s) {
    d = min_s;
    result.location = min_diff.location();
    result.sign = -1;
  } else {
    result.location = max_diff.location();
    result.sign = 1;
  }

  // scipy's 'auto': exact when both samples have at most 10000 values.
  constexpr int64_t kMaxExactN = 10000;
  double prob = std::numeric_limits<double>::quiet_NaN();
  bool exact_ok = false;
  if (std::max(n1, n2) <= kMaxExactN) {
    // _attempt_exact_2kssamp: D is rounded to a multiple of 1/lcm (also for the fall-back).
    const int64_t g = std::gcd(n1, n2);
    const int64_t lcm = (n1 / g) * n2;
    const int64_t h = round_half_even(d * static_cast<double>(lcm));
    d = static_cast<double>(h) * 1.0 / static_cast<double>(lcm);
    if (h == 0) {
      prob = 1.0;
    } else if (n1 == n2) {
      prob = detail::ks_prob_outside_square(n1, h);
    } else {
      prob = detail::ks_outer_prob_inside(n1, n2, g, h);
    }
    exact_ok = prob >= 0 && prob <= 1;
  }
  if (exact_ok) {
    result.method = PValueMethod::kExact;
  } else {
    // Smirnov's limit through the exact D_n distribution at the effective n.
    const auto big = static_cast<double>(std::max(n1, n2));
    const auto small = static_cast<double>(std::min(n1, n2));
    const double en = big * small / (big + small);
    prob = detail::kstwo_sf(round_half_even(en), d);
    result.method = PValueMethod::kAsymptotic;
  }
  result.statistic = d;
  result.pvalue = std::clamp(prob, 0.0, 1.0);
  return result;
}

CramerVonMisesResult cramervonmises_2samp(std::span<const double> x, std::span<const double> y) {
  constexpr const char* kName = "cramervonmises_2samp";
  detail::require_size(kName, "x", x, 2);
  detail::require_size(kName, "y", y, 2);
  detail::require_finite(kName, "x", x);
  detail::require_finite(kName, "y", y);
  const std::vector<double> a = sorted_copy(x);
  const std::vector<double> b = sorted_copy(y);
  const auto nx = static_cast<int64_t>(a.size());
  const auto ny = static_cast<int64_t>(b.size());

  // U = nx sum (r_i - i)^2 + ny sum (s_j - j)^2 over the midranks r, s of the sorted samples
  // (Anderson 1962, eq. 10). Twice a midrank is an integer, so the sums are kept exactly as
  // sums of (2r - 2i)^2 (exact in long double up to 2^64, about 10^6 values a side).
  long double sum4_x = 0;
  long double sum4_y = 0;
  MergedWalk walk(a, b);
  while (walk.next()) {
    const size_t below = walk.a_below() + walk.b_below();
    const auto twice_rank = static_cast<int64_t>(2 * below + walk.a_equal() + walk.b_equal() + 1);
    for (size_t e = 0; e < walk.a_equal(); ++e) {
      const auto twice_i = static_cast<int64_t>(2 * (walk.a_below() + e + 1));
      const auto diff = static_cast<long double>(twice_rank - twice_i);
      sum4_x += diff * diff;
    }
    for (size_t e = 0; e < walk.b_equal(); ++e) {
      const auto twice_j = static_cast<int64_t>(2 * (walk.b_below() + e + 1));
      const auto diff = static_cast<long double>(twice_rank - twice_j);
      sum4_y += diff * diff;
    }
  }
  double u = static_cast<double>(nx) * static_cast<double>(sum4_x / 4);
  u += static_cast<double>(ny) * static_cast<double>(sum4_y / 4);

  // T (eq. 9).
  const int64_t k = nx * ny;
  const int64_t n = nx + ny;
  const auto kn = static_cast<double>(static_cast<long double>(k) * static_cast<long double>(n));
  const double t = u / kn - static_cast<double>(4 * k - 1) /
                                static_cast<double>(6 * static_cast<long double>(n));

  CramerVonMisesResult result;
  result.statistic = t;
  constexpr int64_t kMaxExactN = 20;
  if (std::max(nx, ny) <= kMaxExactN) {
    result.method = PValueMethod::kExact;
    result.pvalue = detail::cvm_2samp_exact_sf(static_cast<int64_t>(std::llround(4 * u)), nx, ny);
    return result;
  }
  // Normalise T by its mean and variance (eqs. 11, 14) and use the limiting distribution of the
  // one-sample statistic (eq. 15).
  result.method = PValueMethod::kAsymptotic;
  const auto ld_n = static_cast<long double>(n);
  const auto ld_k = static_cast<long double>(k);
  const double et = (1 + 1.0 / static_cast<double>(n)) / 6;
  const long double vt_num =
      (ld_n + 1) *
      (4 * ld_k * ld_n -
       3 * (static_cast<long double>(nx) * nx + static_cast<long double>(ny) * ny) - 2 * ld_k);
  const auto vt = static_cast<double>(vt_num / (45 * ld_n * ld_n * 4 * ld_k));
  const double tn = 1.0 / 6 + (t - et) / std::sqrt(45 * vt);
  // Below 0.003 the limiting CDF is under 1.3e-18 (scipy returns 1 directly).
  result.pvalue = tn < 0.003 ? 1.0 : std::max(0.0, 1.0 - detail::cvm_limit_cdf(tn));
  return result;
}

namespace {

// A2akN of Scholz & Stephens (1987), eq. 7, with midranks (scipy's _anderson_ksamp_midrank).
long double anderson_midrank_statistic(const std::vector<std::vector<double>>& sorted_samples,
                                       const std::vector<double>& pooled) {
  const auto n = static_cast<long double>(pooled.size());
  // Distinct pooled values z_j: l_j how many, b_j = (values below) + l_j / 2.
  std::vector<double> zstar;
  std::vector<long double> lj;
  std::vector<long double> bj;
  for (size_t i = 0; i < pooled.size();) {
    size_t e = i;
    while (e < pooled.size() && pooled[e] == pooled[i]) ++e;
    zstar.push_back(pooled[i]);
    lj.push_back(static_cast<long double>(e - i));
    bj.push_back(static_cast<long double>(i) + static_cast<long double>(e - i) / 2);
    i = e;
  }
  long double total = 0;
  for (const std::vector<double>& s : sorted_samples) {
    const auto ni = static_cast<long double>(s.size());
    long double inner = 0;
    size_t p = 0;  // values of s below zstar[j]
    for (size_t j = 0; j < zstar.size(); ++j) {
      while (p < s.size() && s[p] < zstar[j]) ++p;
      size_t f = 0;  // values of s equal to zstar[j]
      while (p + f < s.size() && s[p + f] == zstar[j]) ++f;
      const long double mij = static_cast<long double>(p + f) - static_cast<long double>(f) / 2;
      const long double dev = n * mij - bj[j] * ni;
      inner += lj[j] / n * dev * dev / (bj[j] * (n - bj[j]) - n * lj[j] / 4);
      p += f;
    }
    total += inner / ni;
  }
  return total * (n - 1) / n;
}

// The variance of A2akN under the null (Scholz & Stephens, eq. 4 and the a, b, c, d after it).
long double anderson_variance(const std::vector<std::vector<double>>& samples, size_t total) {
  const auto n = static_cast<long double>(total);
  const auto k = static_cast<long double>(samples.size());
  long double big_h = 0;
  for (const auto& s : samples) big_h += 1.0L / static_cast<long double>(s.size());
  // h = sum_{i=1}^{N-1} 1/i; g = sum_{i=1}^{N-2} sum_{j=i+1}^{N-1} 1/((N-i) j), in scipy's order:
  // the partial sums of 1/(N-1), 1/(N-2), ..., 1/2, each divided by 2, 3, ..., N-1.
  long double partial = 0;
  long double g = 0;
  for (size_t t = 0; t + 2 < total; ++t) {
    partial += 1.0L / static_cast<long double>(total - 1 - t);
    g += partial / static_cast<long double>(t + 2);
  }
  const long double h = partial + 1;
  const long double a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * big_h;
  const long double b =
      (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * big_h - 8 * h + 4 * g - 6;
  const long double c =
      (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * big_h + 4 * h;
  const long double d = (2 * h + 6) * k * k - 4 * h * k;
  return (a * n * n * n + b * n * n + c * n + d) / ((n - 1) * (n - 2) * (n - 3));
}

}  // namespace

AndersonDarlingResult anderson_ksamp(std::span<const std::span<const double>> samples) {
  constexpr const char* kName = "anderson_ksamp";
  if (samples.size() < 2) {
    throw InvalidSample(std::string(kName) + ": needs at least 2 samples, got " +
                        std::to_string(samples.size()));
  }
  std::vector<std::vector<double>> sorted_samples;
  std::vector<double> pooled;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::string argument = "samples[" + std::to_string(i) + "]";
    detail::require_size(kName, argument.c_str(), samples[i], 1);
    detail::require_finite(kName, argument.c_str(), samples[i]);
    sorted_samples.push_back(sorted_copy(samples[i]));
    // The pooled sample stays sorted by merging each sorted sample in.
    const auto middle = static_cast<std::ptrdiff_t>(pooled.size());
    pooled.insert(pooled.end(), sorted_samples.back().begin(), sorted_samples.back().end());
    std::inplace_merge(pooled.begin(), pooled.begin() + middle, pooled.end());
  }
  if (pooled.size() < 4) {  // the variance divides by (N-1)(N-2)(N-3)
    throw InvalidSample(std::string(kName) + ": needs at least 4 values in total, got " +
                        std::to_string(pooled.size()));
  }
  if (pooled.front() == pooled.back()) {
    throw InvalidSample(std::string(kName) + ": needs more than one distinct value");
  }

  const long double a2akn = anderson_midrank_statistic(sorted_samples, pooled);
  const long double sigma_sq = anderson_variance(sorted_samples, pooled.size());
  const auto m = static_cast<double>(samples.size() - 1);

  AndersonDarlingResult result;
  result.statistic = static_cast<double>((a2akn - m) / std::sqrt(sigma_sq));

  // Table 2 of Scholz & Stephens: critical values b0 + b1 / sqrt(m) + b2 / m.
  static constexpr std::array<double, 7> kB0 = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
  static constexpr std::array<double, 7> kB1 = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
  static constexpr std::array<double, 7> kB2 = {-0.105, -0.305, -0.362, -0.391,
                                                -0.396, -0.345, -0.154};
  static constexpr std::array<double, 7> kSignificance = {0.25, 0.1,   0.05, 0.025,
                                                          0.01, 0.005, 0.001};
  for (size_t i = 0; i < 7; ++i) {
    result.critical_values[i] = kB0[i] + kB1[i] / std::sqrt(m) + kB2[i] / m;
  }
  const double lowest =
      *std::min_element(result.critical_values.begin(), result.critical_values.end());
  const double highest =
      *std::max_element(result.critical_values.begin(), result.critical_values.end());
  if (result.statistic < lowest) {
    result.pvalue = 0.25;
    result.bound = PValueBound::kCapped;
  } else if (result.statistic > highest) {
    result.pvalue = 0.001;
    result.bound = PValueBound::kFloored;
  } else {
    // Interpolate log(significance) by a quadratic in the critical value (np.polyfit, deg 2).
    const std::vector<double> crit(result.critical_values.begin(), result.critical_values.end());
    std::vector<double> log_sig(kSignificance.size());
    std::transform(kSignificance.begin(), kSignificance.end(), log_sig.begin(),
                   [](double s) { return std::log(s); });
    result.pvalue = std::exp(detail::quadratic_fit_at(crit, log_sig, result.statistic));
    result.bound = PValueBound::kNone;
  }
  return result;
}

}  // namespace rlx::stats
