#include "rlx/stats/distributions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace rlx::stats::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = std::numbers::pi;
// scipy's _ksstats rescales by 2^128 to keep matrix powers and factorials in range.
constexpr int64_t kScaleExponent = 128;
const double kScaleUp = std::ldexp(1.0, kScaleExponent);
const double kScaleDown = std::ldexp(1.0, -kScaleExponent);

double clip01(double p) { return std::clamp(p, 0.0, 1.0); }

// ---- The two-sided one-sample Kolmogorov distribution (scipy.stats._ksstats) ----

// log(n! / n^n) by Stirling's series without the n log n term (_log_nfactorial_div_n_pow_n).
double log_nfactorial_div_n_pow_n(double n) {
  static constexpr std::array<double, 8> kStirling = {
      -2.955065359477124183e-2,  6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4,  -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double rn = 1.0 / n;
  double poly = 0.0;
  for (double c : kStirling) poly = poly * (rn / n) + c;
  return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * poly;
}

class Matrix {
 public:
  explicit Matrix(size_t m) : m_(m), a_(m * m, 0.0) {}
  static Matrix identity(size_t m) {
    Matrix out(m);
    for (size_t i = 0; i < m; ++i) out(i, i) = 1.0;
    return out;
  }
  double& operator()(size_t r, size_t c) { return a_[r * m_ + c]; }
  double operator()(size_t r, size_t c) const { return a_[r * m_ + c]; }
  Matrix operator*(const Matrix& b) const {
    Matrix out(m_);
    for (size_t i = 0; i < m_; ++i) {
      for (size_t k = 0; k < m_; ++k) {
        const double aik = (*this)(i, k);
        for (size_t j = 0; j < m_; ++j) out(i, j) += aik * b(k, j);
      }
    }
    return out;
  }
  void scale(double f) {
    for (double& v : a_) v *= f;
  }

 private:
  size_t m_;
  std::vector<double> a_;
};

// P(D_n <= d) by Durbin's matrix (Marsaglia, Tsang & Wang 2003): _kolmogn_DMTW.
double durbin_cdf(int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const auto k = static_cast<size_t>(std::ceil(nd));
  const double h = static_cast<double>(k) - nd;
  const size_t m = 2 * k - 1;

  std::vector<double> v(m);
  std::vector<double> w(m);
  double fac = 1.0;
  for (size_t j = 1; j <= m; ++j) {
    v[j - 1] = 1.0 - std::pow(h, static_cast<double>(j));
    w[j - 1] = fac;
    fac /= static_cast<double>(j);
    v[j - 1] *= fac;
  }
  const double tt =
      std::pow(std::max(2 * h - 1.0, 0.0), static_cast<double>(m)) - 2 * std::pow(h, double(m));
  v[m - 1] = (1.0 + tt) * fac;

  Matrix hm(m);
  for (size_t i = 1; i < m; ++i) {
    for (size_t r = i - 1; r < m; ++r) hm(r, i) = w[r - (i - 1)];
  }
  for (size_t r = 0; r < m; ++r) hm(r, 0) = v[r];
  for (size_t c = 0; c < m; ++c) hm(m - 1, c) = v[m - 1 - c];

  Matrix power = Matrix::identity(m);
  int64_t expnt = 0;
  int64_t h_expnt = 0;
  for (int64_t nn = n; nn > 0; nn /= 2) {
    if (nn % 2 != 0) {
      power = power * hm;
      expnt += h_expnt;
    }
    hm = hm * hm;
    h_expnt *= 2;
    if (std::abs(hm(k - 1, k - 1)) > kScaleUp) {
      hm.scale(kScaleDown);
      h_expnt += kScaleExponent;
    }
  }
  // Multiply by n!/n^n, keeping the running value in range.
  long double p = power(k - 1, k - 1);
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<long double>(i) * p / static_cast<long double>(n);
    if (std::abs(p) < kScaleDown) {
      p *= kScaleUp;
      expnt -= kScaleExponent;
    }
  }
  if (expnt != 0) p = std::ldexp(p, static_cast<int>(expnt));
  return clip01(static_cast<double>(p));
}

// The interval of non-zero entries of row i of Pomeranz's recursion (_pomeranz_compute_j1j2).
std::pair<int64_t, int64_t> pomeranz_j1j2(int64_t i, int64_t n, int64_t ll, int64_t ceilf,
                                          int64_t roundf) {
  int64_t j1 = 0;
  int64_t j2 = 0;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const int64_t ip1div2 = (i + 1) / 2;
    const int64_t ip1mod2 = (i + 1) % 2;
    if (ip1mod2 == 0) {
      if (ip1div2 == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return {std::max<int64_t>(j1 + 2, 0), std::min(j2, n)};
}

// P(D_n <= x) by Pomeranz's recursion (1974): _kolmogn_Pomeranz.
double pomeranz_cdf(int64_t n, double x) {
  const auto nd = static_cast<double>(n);
  const double t = nd * x;
  const auto ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int64_t ceilf = f > 0 ? 1 : 0;
  const int64_t roundf = f > 0.5 ? 1 : 0;
  const auto npwrs = static_cast<size_t>(2 * (ll + 1));
  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities without their normalizer.
  std::vector<double> gpower(npwrs);
  std::vector<double> twogpower(npwrs);
  std::vector<double> onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const double g_over_n = g / nd;
  const double two_g_over_n = 2 * g / nd;
  const double one_minus_two_g_over_n = (1 - 2 * g) / nd;
  for (size_t m = 1; m < npwrs; ++m) {
    const auto dm = static_cast<double>(m);
    gpower[m] = gpower[m - 1] * g_over_n / dm;
    twogpower[m] = twogpower[m - 1] * two_g_over_n / dm;
    onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / dm;
  }

  std::vector<double> v0(npwrs, 0.0);
  std::vector<double> v1(npwrs, 0.0);
  std::vector<double> conv;
  v1[0] = 1;
  int64_t v0s = 0;
  int64_t v1s = 0;
  int64_t expnt = 0;
  auto [j1, j2] = pomeranz_j1j2(0, n, ll, ceilf, roundf);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    std::swap(v0, v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    std::tie(j1, j2) = pomeranz_j1j2(i, n, ll, ceilf, roundf);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 != 0 ? twogpower : onem2gpower);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 <= 0) continue;
    // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), slices clipped as numpy clips.
    const int64_t a_begin = k1 - v0s;
    if (a_begin < 0) throw std::logic_error("pomeranz_cdf: negative row offset");
    const auto a_len =
        static_cast<size_t>(std::clamp<int64_t>(static_cast<int64_t>(npwrs) - a_begin, 0, ln2));
    const size_t b_len = std::min(npwrs, static_cast<size_t>(ln2));
    if (a_len == 0 || b_len == 0) throw std::logic_error("pomeranz_cdf: empty convolution");
    conv.assign(a_len + b_len - 1, 0.0);
    for (size_t p = 0; p < a_len; ++p) {
      const double a = v0[static_cast<size_t>(a_begin) + p];
      for (size_t q = 0; q < b_len; ++q) conv[p + q] += a * pwrs[q];
    }
    const int64_t conv_start = j1 - k1;
    const int64_t conv_len = j2 - j1 + 1;
    for (int64_t c = 0; c < conv_len && conv_start + c < static_cast<int64_t>(conv.size()); ++c) {
      v1[static_cast<size_t>(c)] = conv[static_cast<size_t>(conv_start + c)];
    }
    const double vmax = *std::max_element(v1.begin(), v1.end());
    if (0 < vmax && vmax < kScaleDown) {  // rescale against underflow
      for (double& e : v1) e *= kScaleUp;
      expnt -= kScaleExponent;
    }
    v1s = v0s + j1 - k1;
  }
  // Multiply by n!.
  long double ans = v1[static_cast<size_t>(n - v1s)];
  for (int64_t m = 1; m <= n; ++m) {
    if (std::abs(ans) > kScaleUp) {
      ans *= kScaleDown;
      expnt += kScaleExponent;
    }
    ans *= static_cast<long double>(m);
  }
  if (expnt != 0) ans = std::ldexp(ans, static_cast<int>(expnt));
  return clip01(static_cast<double>(ans));
}

// The Pelz–Good (1976) asymptotic series for P(D_n <= x): _kolmogn_PelzGood.
double pelz_good_cdf(int64_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double pi2 = std::pow(kPi, 2);
  const double pi4 = std::pow(kPi, 4);
  const double pi6 = std::pow(kPi, 6);
  const double sqrt2pi = std::sqrt(2 * kPi);
  const double z = std::sqrt(static_cast<double>(n)) * x;
  const double z2 = z * z;
  const double z3 = std::pow(z, 3);
  const double z4 = std::pow(z, 4);
  const double z6 = std::pow(z, 6);

  const double qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0.0;
  double q = std::exp(qlog);

  const double k1a = -z2;
  const double k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4;
  const double k2b = (2 * z4 - 5 * z2) * pi2 / 4;
  const double k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64;
  const double k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
  const double k3b = pi2 * (135 * z4 - 96 * z6) / 4;
  const double k3a = -30 * z6 - 90 * std::pow(z, 8);

  // Horner over the odd integers of sum c_i q^(i^2).
  std::array<double, 4> k0to3 = {0, 0, 0, 0};
  const auto maxk = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t k = maxk; k > 0; --k) {
    const auto m = static_cast<double>(2 * k - 1);
    const double m2 = m * m;
    const double m4 = m2 * m2;
    const double m6 = m4 * m2;
    const double qpower = std::pow(q, static_cast<double>(8 * k));
    const std::array<double, 4> coeffs = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                          k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (size_t i = 0; i < 4; ++i) k0to3[i] = k0to3[i] * qpower + coeffs[i];
  }
  const std::array<double, 4> divisors = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (size_t i = 0; i < 4; ++i) k0to3[i] = k0to3[i] * q * sqrt2pi / divisors[i];

  // The sums over all integers k for K2 and K3.
  q = std::exp(-pi2 / 2 / z2);
  const double sqrt3z = std::sqrt(3.0) * z;
  double k2extra = 0.0;
  double k3extra = 0.0;
  for (int64_t k = maxk; k > 0; --k) {
    const auto kd = static_cast<double>(k);
    const double ksq = kd * kd;
    const double qp = std::pow(q, ksq);
    const double kspi = kPi * kd;
    k2extra += ksq * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  k0to3[2] += k2extra * (pi2 * sqrt2pi / (-36 * z3));
  k0to3[3] += k3extra * (pi2 * sqrt2pi / (216 * z6));
  double sum = 0.0;
  for (size_t i = 0; i < 4; ++i) {
    sum += k0to3[i] / std::pow(static_cast<double>(n), static_cast<double>(i) / 2.0);
  }
  return sum;
}

}  // namespace

double smirnov_sf(int64_t n, double d) {
  if (std::isnan(d)) return kNaN;
  if (d <= 0.0) return 1.0;
  if (d >= 1.0) return 0.0;
  if (n == 1) return 1.0 - d;
  // Birnbaum & Tingey: d * sum_{v=0}^{floor(n(1-d))} C(n,v) (d+v/n)^(v-1) (1-d-v/n)^(n-v), all
  // terms positive; log C(n,v) is carried from term to term.
  const auto nd = static_cast<long double>(n);
  const auto last = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - d)));
  const long double ld = d;
  long double log_c = 0.0L;
  long double sum = 0.0L;
  for (int64_t v = 0; v <= last && v < n; ++v) {
    const long double evn = ld + static_cast<long double>(v) / nd;
    if (evn < 1.0L) {
      sum += std::exp(log_c + static_cast<long double>(v - 1) * std::log(evn) +
                      static_cast<long double>(n - v) * std::log1p(-evn));
    }
    log_c += std::log(static_cast<long double>(n - v) / static_cast<long double>(v + 1));
  }
  return clip01(static_cast<double>(ld * sum));
}

double kstwo_sf(int64_t n, double x) {
  if (std::isnan(x)) return kNaN;
  // rv_continuous.sf on kstwo's support (0.5/n, 1): 1 at or below it, 0 at or above 1.
  const auto nd = static_cast<double>(n);
  if (x <= 0.5 / nd) return 1.0;
  if (x >= 1.0) return 0.0;
  // _kolmogn(n, x, cdf=False).
  const double t = nd * x;
  if (t <= 1.0) {  // Ruben & Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return 1.0;
    double prob = 1.0;
    if (n <= 140) {
      for (int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * (1.0 / nd) * (2 * t - 1);
    } else {
      prob = std::exp(log_nfactorial_div_n_pow_n(nd) + nd * std::log(2 * t - 1));
    }
    return clip01(1.0 - prob);
  }
  if (t >= nd - 1) return clip01(2 * std::pow(1.0 - x, nd));  // Ruben & Gambino
  if (x >= 0.5) return clip01(2 * smirnov_sf(n, x));          // exact
  const double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1.0 - durbin_cdf(n, x));
    if (nxsquared <= 4) return clip01(1.0 - pomeranz_cdf(n, x));
    return clip01(2 * smirnov_sf(n, x));  // Miller's approximation
  }
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return clip01(2 * smirnov_sf(n, x));
  double cdf = 0.0;
  if (nxsquared >= 18.0) {
    cdf = 1.0;
  } else if (n <= 100000 && nd * std::pow(x, 1.5) <= 1.4) {
    cdf = durbin_cdf(n, x);
  } else {
    cdf = pelz_good_cdf(n, x);
  }
  return clip01(1.0 - cdf);
}

double ks_prob_outside_square(int64_t n, int64_t h) {
  // P = 2 A0 (1 - A1 (1 - A2 (1 - ...))), each A_i a ratio of h simple factors (no cancellation
  // from binomials).
  double p = 0.0;
  for (int64_t k = n / h; k >= 0; --k) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

double ks_outer_prob_inside(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g;
  const int64_t ng = n / g;
  const auto mgd = static_cast<double>(mg);
  // One column of the path-count matrix, kept as 1 - proportion, over a sliding window.
  int64_t minj = 0;
  int64_t maxj = std::min(static_cast<int64_t>(std::ceil(static_cast<double>(h) / mgd)), n + 1);
  int64_t curlen = maxj - minj;
  const auto len_a = static_cast<size_t>(std::min(2 * maxj + 2, n + 1));
  std::vector<double> a(len_a, 1.0);
  for (int64_t j = minj; j < maxj && j < static_cast<int64_t>(len_a); ++j) {
    a[static_cast<size_t>(j)] = 0.0;
  }
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj;
    const int64_t lastlen = curlen;
    minj = std::max(static_cast<int64_t>(std::floor(static_cast<double>(ng * i - h) / mgd)) + 1,
                    int64_t{0});
    minj = std::min(minj, n);
    maxj = std::min(static_cast<int64_t>(std::ceil(static_cast<double>(ng * i + h) / mgd)), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    const auto di = static_cast<double>(i);
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      const int64_t j = jj + minj;
      val = (a.at(static_cast<size_t>(jj + minj - lastminj)) * di + val * static_cast<double>(j)) /
            static_cast<double>(i + j);
      a[static_cast<size_t>(jj)] = val;
    }
    curlen = maxj - minj;
    for (int64_t c = curlen; c < lastlen && c < static_cast<int64_t>(len_a); ++c) {
      a[static_cast<size_t>(c)] = 1.0;
    }
  }
  return a[static_cast<size_t>(maxj - minj - 1)];
}

long double bessel_k(long double nu, long double x) {
  if (!(x > 0)) return std::numeric_limits<long double>::quiet_NaN();
  // exp(x) K_nu(x) = int_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt. The integrand is analytic in
  // a strip around the real axis and decays double-exponentially, so the trapezoidal rule
  // converges geometrically in 1/step; the step resolves the peak of width ~1/sqrt(x).
  const long double step = std::min(0.05L, 0.25L / std::sqrt(x));
  long double sum = 0.5L;  // the t = 0 term, halved
  for (int64_t j = 1;; ++j) {
    const long double t = step * static_cast<long double>(j);
    const long double s = std::sinh(t / 2);
    const long double exponent = x * 2 * s * s;   // x (cosh t - 1), without cancellation
    if (exponent > 70 + std::abs(nu) * t) break;  // the rest is below 1e-30 of the sum
    sum += std::exp(-exponent) * std::cosh(nu * t);
  }
  return sum * step * std::exp(-x);
}

double cvm_limit_cdf(double x) {
  // Csörgő & Faraway (1996) eq. 1.3: sum_k Gamma(k+1/2)/(Gamma(k+1) pi^1.5 sqrt(x)) sqrt(4k+1)
  // exp(-q) K_{1/4}(q), q = (4k+1)^2/(16x). The gamma ratio is carried by its recurrence.
  const long double lx = x;
  const long double pi15 =
      std::pow(static_cast<long double>(std::numbers::pi_v<long double>), 1.5L);
  long double gamma_ratio = std::sqrt(std::numbers::pi_v<long double>);  // Gamma(1/2)/Gamma(1)
  double total = 0.0;
  for (int64_t k = 0;; ++k) {
    const long double u = gamma_ratio / (pi15 * std::sqrt(lx));
    const long double y = 4.0L * static_cast<long double>(k) + 1;
    const long double q = y * y / (16 * lx);
    const auto term = static_cast<double>(u * std::sqrt(y) * std::exp(-q) * bessel_k(0.25L, q));
    total += term;
    if (!(std::abs(term) >= 1e-7)) break;  // scipy stops after the first term below 1e-7
    gamma_ratio *= (static_cast<long double>(k) + 0.5L) / (static_cast<long double>(k) + 1);
  }
  return total;
}

double cvm_2samp_exact_sf(int64_t u4, int64_t m, int64_t n) {
  const int64_t lcm = std::lcm(m, n);
  const int64_t a = lcm / m;
  const int64_t b = lcm / n;
  const int64_t mn = m * n;
  // zeta = lcm^2 (m+n) (6U - mn(4mn-1)) // (6 mn^2), in quarters so it stays an integer ratio.
  const int64_t num = lcm * lcm * (m + n) * (6 * u4 - 4 * mn * (4 * mn - 1));
  const int64_t den = 4 * 6 * mn * mn;
  const int64_t zeta = num / den - ((num % den != 0 && num < 0) ? 1 : 0);  // floor division

  // gs[v]: for the lattice point (u, v), each attainable sum of (a v' - b u')^2 along a path
  // from (0,0), with how many paths attain it (Xiao et al. 2006, Algorithm 1). Sorted by value.
  using Table = std::vector<std::pair<int64_t, int64_t>>;
  std::vector<Table> gs(static_cast<size_t>(m + 1));
  gs[0] = {{0, 1}};
  Table tmp;
  Table merged;
  for (int64_t u = 0; u <= n; ++u) {
    tmp.clear();
    for (int64_t v = 0; v <= m; ++v) {
      // Paths arriving from below (tmp, the point (u, v-1)) or from the left (gs[v]).
      const Table& left = gs[static_cast<size_t>(v)];
      merged.clear();
      size_t i = 0;
      size_t j = 0;
      while (i < tmp.size() || j < left.size()) {
        if (j == left.size() || (i < tmp.size() && tmp[i].first < left[j].first)) {
          merged.push_back(tmp[i++]);
        } else if (i == tmp.size() || left[j].first < tmp[i].first) {
          merged.push_back(left[j++]);
        } else {
          merged.emplace_back(tmp[i].first, tmp[i].second + left[j].second);
          ++i;
          ++j;
        }
      }
      const int64_t step = a * v - b * u;
      for (auto& [value, freq] : merged) value += step * step;
      tmp.swap(merged);
      gs[static_cast<size_t>(v)] = tmp;
    }
  }
  int64_t at_least = 0;
  for (const auto& [value, freq] : gs[static_cast<size_t>(m)]) {
    if (value >= zeta) at_least += freq;
  }
  // comb(m + n, m), exact in 64 bits for the sizes this is used for.
  int64_t combinations = 1;
  for (int64_t i = 1; i <= m; ++i) combinations = combinations * (n + i) / i;
  return static_cast<double>(at_least) / static_cast<double>(combinations);
}

double quadratic_fit_at(const std::vector<double>& x, const std::vector<double>& y, double x0) {
  // Least squares y ~ c0 + c1 t + c2 t^2 with t = x - mean(x): the normal equations are well
  // conditioned once centred, and the fitted polynomial is the same as numpy's.
  const auto count = static_cast<long double>(x.size());
  long double mean = 0;
  for (double v : x) mean += v;
  mean /= count;
  std::array<long double, 5> s{};  // sum t^p, p = 0..4
  std::array<long double, 3> r{};  // sum y t^p, p = 0..2
  for (size_t i = 0; i < x.size(); ++i) {
    const long double t = x[i] - mean;
    long double tp = 1;
    for (size_t p = 0; p < 5; ++p) {
      s[p] += tp;
      if (p < 3) r[p] += y[i] * tp;
      tp *= t;
    }
  }
  // Solve [[s0 s1 s2][s1 s2 s3][s2 s3 s4]] c = r by Gaussian elimination with partial pivoting.
  std::array<std::array<long double, 4>, 3> a = {
      {{s[0], s[1], s[2], r[0]}, {s[1], s[2], s[3], r[1]}, {s[2], s[3], s[4], r[2]}}};
  for (size_t col = 0; col < 3; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < 3; ++row) {
      if (std::abs(a[row][col]) > std::abs(a[pivot][col])) pivot = row;
    }
    std::swap(a[col], a[pivot]);
    for (size_t row = col + 1; row < 3; ++row) {
      const long double f = a[row][col] / a[col][col];
      for (size_t c = col; c < 4; ++c) a[row][c] -= f * a[col][c];
    }
  }
  std::array<long double, 3> c{};
  for (size_t row = 3; row-- > 0;) {
    long double v = a[row][3];
    for (size_t k = row + 1; k < 3; ++k) v -= a[row][k] * c[k];
    c[row] = v / a[row][row];
  }
  const long double t0 = x0 - mean;
  return static_cast<double>(c[0] + t0 * (c[1] + t0 * c[2]));
}

}  // namespace rlx::stats::detail
