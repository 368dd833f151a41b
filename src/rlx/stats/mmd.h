// Linear-time maximum mean discrepancy (Gretton, Borgwardt, Rasch, Schölkopf & Smola 2012,
// "A Kernel Two-Sample Test", JMLR 13, section 6 / Lemma 14) for one-dimensional samples.
#pragma once

#include <cstddef>
#include <span>

#include "rlx/stats/sample.h"

namespace rlx::stats {

struct MmdOptions {
  // Gaussian kernel k(a, b) = exp(-(a - b)^2 / (2 bandwidth^2)). 0 selects the median heuristic:
  // bandwidth = the median of |z_i - z_j| over all pairs i < j of the pooled sample z = x ++ y
  // (numpy.median's convention: the mean of the two middle distances when their count is even).
  double bandwidth = 0;
};

struct MmdLinearResult {
  // MMD^2_l = (1/p) sum_{i<p} h_i over p = floor(min(n_x, n_y) / 2) disjoint pairs, with
  // h_i = k(x_{2i}, x_{2i+1}) + k(y_{2i}, y_{2i+1}) - k(x_{2i}, y_{2i+1}) - k(x_{2i+1}, y_{2i})
  // (0-based; values beyond the first 2p of either sample are not paired). Unbiased for MMD^2.
  double mmd2 = 0;
  double bandwidth = 0;  // the bandwidth used
  // The normal test of Gretton et al. (Corollary 16): z = mmd2 / sqrt(s^2 / p), with s^2 the
  // sample variance (p - 1 in the denominator) of the h_i; pvalue = P(N(0,1) > z), one-sided.
  // When s^2 == 0, z is 0 if mmd2 == 0 (so pvalue 0.5) and +-infinity otherwise.
  double z = 0;
  double pvalue = 0.5;
  size_t pairs = 0;  // p
};

// O(N log N) time for the median heuristic (a selection over the N(N-1)/2 pairwise distances by
// bisection on the bits of the distance, each step an O(N) count on the sorted pooled sample;
// exactly numpy's median of the distances), then O(min(n_x, n_y)) for the statistic; O(N)
// memory. The pairs are taken in the given order: shuffle first (with a recorded seed) when the
// order carries meaning, e.g. time series. Needs min(n_x, n_y) >= 4, every value finite
// (InvalidSample otherwise), and a median distance > 0 or an explicit bandwidth > 0.
MmdLinearResult mmd_linear(std::span<const double> x, std::span<const double> y,
                           const MmdOptions& options = {});

namespace detail {
// The median of |z_i - z_j| over all pairs i < j (numpy.median of the distances). z.size() >= 2.
double median_pairwise_distance(std::span<const double> z);
}  // namespace detail

}  // namespace rlx::stats
