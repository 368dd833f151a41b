// One-dimensional distances between two empirical distributions, as scipy 1.10.1 computes them
// (scipy.stats.energy_distance and scipy.stats.wasserstein_distance). Both integrate the
// difference of the two (weighted) empirical CDFs between consecutive pooled values:
//   Wasserstein-1:   W(u, v) = int |U(t) - V(t)| dt
//   energy distance: E(u, v) = sqrt(2) * sqrt(int (U(t) - V(t))^2 dt)   (Székely's, not squared)
// Values are in the units of the data (e.g. ticks). O(N log N) time, O(N) memory; the integral is
// summed in long double. Every value and weight must be finite (InvalidSample otherwise, naming
// the argument and index); each sample needs at least one value.
#pragma once

#include <span>

#include "rlx/stats/sample.h"

namespace rlx::stats {

double wasserstein_distance(std::span<const double> u, std::span<const double> v);
double energy_distance(std::span<const double> u, std::span<const double> v);

// Weighted forms: one weight per value, each >= 0, each sample's weights with a positive sum
// (scipy's rules). Equal weights give the unweighted result.
double wasserstein_distance(std::span<const double> u, std::span<const double> v,
                            std::span<const double> u_weights, std::span<const double> v_weights);
double energy_distance(std::span<const double> u, std::span<const double> v,
                       std::span<const double> u_weights, std::span<const double> v_weights);

}  // namespace rlx::stats
