// Portable randomness: the same seed gives the same numbers on every machine and standard
// library. std::mt19937_64's output is fixed by the C++ standard; std:: distributions are not,
// and neither are the last bits of libm's log/exp, so the distributions and the log/exp here use
// only IEEE-754 +, -, *, / and sqrt in a fixed order (compile with -ffp-contract=off).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>

namespace rlx::sim {

constexpr double kLn2 = 0.693147180559945309417;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 split as in fdlibm
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kSqrtHalf = 0.707106781186547524401;

// Natural log for finite x > 0: frexp (exact) and the atanh series on [sqrt(1/2), sqrt(2)).
// Only +, -, *, / in a fixed order, so every IEEE-754 machine computes the same bits (libm's
// log may differ in the last bit between versions, which would change the whole stream).
inline double det_log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < kSqrtHalf) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 25.0;
  for (int k = 23; k >= 1; k -= 2) p = p * s2 + 1.0 / k;
  return static_cast<double>(e) * kLn2Hi + (2.0 * s * p + static_cast<double>(e) * kLn2Lo);
}

// e^x by range reduction to |r| <= ln2/2 and a Taylor polynomial; ldexp is exact.
inline double det_exp(double x) {
  if (x < -700.0) return 0.0;
  if (x > 700.0) x = 700.0;
  const double k = std::floor(x / kLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // k * kLn2Hi is exact (Cody-Waite)
  // Horner on 1 + r/1 (1 + r/2 (1 + ...)); reciprocals are compile-time constants, so no
  // division at run time.
  constexpr auto kInv = [] {
    std::array<double, 18> inv{};
    for (int n = 1; n < 18; ++n) inv[n] = 1.0 / n;
    return inv;
  }();
  double p = 1.0;
  for (int n = 17; n >= 1; --n) p = 1.0 + p * r * kInv[n];
  return std::ldexp(p, static_cast<int>(k));
}

// std::mt19937_64's output is fixed by the standard; the distributions are ours because the
// std:: ones differ between library implementations.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform on (0, 1], a multiple of 2^-53: never 0, so its log is finite.
  double unit() { return static_cast<double>((engine_() >> 11) + 1) * 0x1.0p-53; }
  bool chance(double p) { return unit() <= p; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-and-reject: unbiased).
  uint64_t below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(engine_()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(engine_()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  double exponential() { return -det_log(unit()); }  // mean 1
  // Standard normal by Marsaglia's polar method (no sin/cos); the second value is dropped.
  double normal() {
    double u = 0.0;
    double s = 0.0;
    do {
      u = 2.0 * unit() - 1.0;
      const double v = 2.0 * unit() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * std::sqrt(-2.0 * det_log(s) / s);
  }
  double lognormal(double median, double sigma) { return median * det_exp(sigma * normal()); }
  // Pareto with scale xm and tail index alpha: P(X > x) = (xm / x)^alpha.
  double pareto(double xm, double alpha) { return xm * det_exp(exponential() / alpha); }
  // Failures before the first success, with the given mean (>= 0).
  int64_t geometric(double mean) {
    if (mean <= 0.0) return 0;
    const double k = std::floor(det_log(unit()) / det_log(mean / (1.0 + mean)));
    return k > 1e9 ? 1'000'000'000 : static_cast<int64_t>(k);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace rlx::sim
