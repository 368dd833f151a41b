// Tail-index estimation for heavy-tailed series (trade sizes, |returns|).
#pragma once

#include <cstddef>
#include <span>

#include "rlx/stats/sample.h"

namespace rlx::stats {

struct HillEstimate {
  // gamma = (1/k) sum_{i=1}^{k} ln X_(i) - ln X_(k+1), with X_(1) >= X_(2) >= ... >= X_(n) the
  // values in decreasing order: Hill's (1975) estimate of the extreme-value index of the upper
  // tail (P(X > x) ~ x^(-1/gamma)).
  double gamma = 0;
  double alpha = 0;      // 1 / gamma, the tail index (infinity when gamma == 0)
  double threshold = 0;  // X_(k+1), the order statistic the k largest values are measured from
  size_t k = 0;
};

// The Hill estimator on the k largest values of `x` (ties allowed; order irrelevant). Needs
// 1 <= k < x.size() and X_(k+1) > 0 (the tail must be positive); every value finite (NaN or an
// infinity throws InvalidSample). O(n) average time (selection, not a full sort), O(n) memory;
// the log sum is in long double.
HillEstimate hill_estimator(std::span<const double> x, size_t k);

}  // namespace rlx::stats
