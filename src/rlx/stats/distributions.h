// The null distributions behind the p-values of two_sample.h, each a port of the scipy 1.10.1
// routine named beside it (same branches, same cut-offs, same series truncation), so that the
// p-values equal scipy's. Internal: public for the tests, which check each against scipy.
#pragma once

#include <cstdint>
#include <vector>

namespace rlx::stats::detail {

// --- Kolmogorov–Smirnov ---

// scipy.stats.kstwo.sf(x, n): P(D_n > x) for the two-sided one-sample statistic D_n (exact
// distribution; Simard & L'Ecuyer 2011's choice of Durbin matrix, Pomeranz, Pelz–Good or
// 2 * smirnov by n and n x^2, as scipy.stats._ksstats._kolmogn). Requires n >= 1.
double kstwo_sf(int64_t n, double x);

// scipy.special.smirnov(n, d): P(D+_n >= d), the exact one-sided statistic (Birnbaum & Tingey),
// summed in long double over positive terms. Requires n >= 1.
double smirnov_sf(int64_t n, double d);

// scipy.stats._stats_py._compute_prob_outside_square(n, h): P(D_{n,n} >= h/n), equal sizes.
double ks_prob_outside_square(int64_t n, int64_t h);

// scipy.stats._stats_pythran._compute_outer_prob_inside_method(m, n, g, h): the share of lattice
// paths from (0,0) to (m,n) that leave |x/m - y/n| < h/lcm(m,n) (Hodges 1958, Viehmann 2021's
// recursion for 1 - p). g = gcd(m, n).
double ks_outer_prob_inside(int64_t m, int64_t n, int64_t g, int64_t h);

// --- Cramér–von Mises ---

// The modified Bessel function of the second kind K_nu(x), x > 0, |nu| < 2 (scipy.special.kv
// for real arguments): the trapezoidal rule on K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt,
// which converges geometrically for this integrand; long double throughout.
long double bessel_k(long double nu, long double x);

// scipy.stats._hypotests._cdf_cvm_inf(x): the limiting CDF of the one-sample Cramér–von Mises
// statistic (Csörgő & Faraway 1996, eq. 1.2), summed until a term is below 1e-7 as scipy does.
double cvm_limit_cdf(double x);

// scipy.stats._hypotests._pval_cvm_2samp_exact(u, m, n): P(U >= u) under the null for the
// two-sample statistic U (Anderson 1962, eq. 10) by the frequency tables of Xiao, Gordon &
// Yakovlev 2006. `u4` is 4 U, an integer (midranks make U a multiple of 1/4). Small m, n only
// (the tables grow like m n lcm(m,n)^2); scipy uses it for max(m, n) <= 20.
double cvm_2samp_exact_sf(int64_t u4, int64_t m, int64_t n);

// --- Anderson–Darling ---

// numpy.polyfit(x, y, 2) evaluated at x0 (least squares over all points; solved in long double
// on centred x, so the fit equals numpy's to rounding).
double quadratic_fit_at(const std::vector<double>& x, const std::vector<double>& y, double x0);

}  // namespace rlx::stats::detail
