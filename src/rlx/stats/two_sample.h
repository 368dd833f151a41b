// Rank tests of "same distribution" for `rlx validate` (docs/STATISTICS.md): two-sample
// Kolmogorov–Smirnov, two-sample Cramér–von Mises and k-sample Anderson–Darling. Each returns
// what scipy 1.10.1 returns for the same data (statistic and p-value, equal to 1e-9 relative;
// src/rlx/stats/testdata/expected.json holds scipy's values and the tests compare them).
//
// Contract for every function here:
//  - Inputs are unweighted, in any order; they are copied and sorted (unless already sorted):
//    O(N log N) time, O(N) extra memory, N the total number of values (exact p-values cost
//    more, see each function).
//  - Every value must be finite: a NaN or an infinity throws InvalidSample naming the argument
//    and index (scipy would sort NaNs last and return a meaningless number instead).
//  - Ties are allowed and handled as scipy handles them (midranks).
//  - p-values are for reporting; FIDELITY.md's verdict uses the statistics, not the p-values.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "rlx/stats/sample.h"

namespace rlx::stats {

// How a p-value was computed.
enum class PValueMethod : uint8_t {
  kExact,       // the exact null distribution for these sample sizes
  kAsymptotic,  // the large-sample (limiting) distribution
};

struct KsResult {
  double statistic = 0;  // D = sup |F_x - F_y| (exact path: h / lcm(n_x, n_y), as scipy rounds it)
  double pvalue = 1;     // two-sided
  double location = 0;   // the value at which D is attained (scipy's statistic_location)
  int32_t sign = 1;      // +1 when F_x - F_y attains D, -1 when F_y - F_x does
  PValueMethod method = PValueMethod::kExact;
};

// scipy.stats.ks_2samp(x, y) (alternative='two-sided', method='auto'): the exact p-value when
// max(n_x, n_y) <= 10000, the distribution of D_n with n = round(n_x n_y / (n_x + n_y))
// otherwise, and also when the exact computation leaves [0, 1] (scipy's fall-back, which happens
// for equal sizes and D = 1/n). The exact path costs O(max(n) * window) with a window of about
// 2 D min(n) lattice points; the asymptotic one O(n) at most. Needs n_x, n_y >= 1.
KsResult ks_2samp(std::span<const double> x, std::span<const double> y);

struct CramerVonMisesResult {
  double statistic = 0;  // T (Anderson 1962, eq. 9), midranks for ties
  double pvalue = 1;
  PValueMethod method = PValueMethod::kExact;
};

// scipy.stats.cramervonmises_2samp(x, y) (method='auto'): exact (Xiao, Gordon & Yakovlev 2006)
// when max(n_x, n_y) <= 20, else the normalised statistic against the limiting one-sample
// distribution (Csörgő & Faraway 1996), p clipped at 0. Needs n_x, n_y >= 2.
CramerVonMisesResult cramervonmises_2samp(std::span<const double> x, std::span<const double> y);

// Where scipy's Anderson–Darling p-value stopped at the ends of its table.
enum class PValueBound : uint8_t {
  kNone,     // interpolated inside the table: 0.001 <= p <= 0.25
  kCapped,   // statistic below the 25 % critical value: p reported as 0.25, the true p is larger
  kFloored,  // statistic above the 0.1 % critical value: p reported as 0.001, true p is smaller
};

struct AndersonDarlingResult {
  double statistic = 0;  // the standardized T_kN = (A2akN - (k-1)) / sigma_N
  double pvalue = 0;     // in [0.001, 0.25]
  PValueBound bound = PValueBound::kNone;
  // Critical values of T at significance 25, 10, 5, 2.5, 1, 0.5 and 0.1 % for these k.
  std::array<double, 7> critical_values{};
};

// scipy.stats.anderson_ksamp(samples) (midrank=True): the k-sample statistic A2akN of Scholz &
// Stephens (1987, eq. 7, midranks for ties), standardized, and its p-value interpolated as
// scipy does: a quadratic fitted to log(significance) over the critical values of their Table 2
// (computed for k-1), evaluated at T; outside the table p is capped at 0.25 or floored at 0.001
// and `bound` says which (scipy warns instead). O(N log N + k D), D the distinct values.
// Needs k >= 2 non-empty samples, N >= 4 values in total and two distinct values.
AndersonDarlingResult anderson_ksamp(std::span<const std::span<const double>> samples);

}  // namespace rlx::stats
