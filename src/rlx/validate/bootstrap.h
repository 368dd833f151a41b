// The interval of the equivalence rule (../shared/FIDELITY.md §3): a moving-block bootstrap
// whose blocks are whole windows. Each window gives one signed difference of estimates
// (candidate - golden); windows are resampled with replacement and the mean difference
// recomputed. A window (60 s by default) is far longer than the decorrelation time of the
// series these estimates read (trade sizes, 100 ms mid changes, 1 s order flow), so the
// dependence inside a block is kept and the blocks are close to independent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace rlx::validate {

struct BootstrapInterval {
  double mean = std::numeric_limits<double>::quiet_NaN();  // of the differences
  double low = std::numeric_limits<double>::quiet_NaN();   // 5th percentile of the means
  double high = std::numeric_limits<double>::quiet_NaN();  // 95th: a 90 % interval, TOST at 5 %
  uint32_t replicates = 0;
};

// The 90 % percentile interval of the mean of `differences` (one per window) over `replicates`
// resamples. Needs two windows at least; deterministic for a seed (mt19937_64, whose output the
// standard fixes).
inline BootstrapInterval window_bootstrap(const std::vector<double>& differences,
                                          uint32_t replicates, uint64_t seed) {
  BootstrapInterval out;
  const size_t k = differences.size();
  if (k == 0) return out;
  double sum = 0;
  for (const double d : differences) sum += d;
  out.mean = sum / static_cast<double>(k);
  if (k < 2 || replicates == 0) return out;
  std::mt19937_64 rng(seed);
  std::vector<double> means(replicates);
  for (double& m : means) {
    double s = 0;
    for (size_t i = 0; i < k; ++i) s += differences[static_cast<size_t>(rng() % k)];
    m = s / static_cast<double>(k);
  }
  std::sort(means.begin(), means.end());
  const auto at = [&](double q) {
    return means[std::min(means.size() - 1,
                          static_cast<size_t>(q * static_cast<double>(replicates)))];
  };
  out.low = at(0.05);
  out.high = at(0.95);
  out.replicates = replicates;
  return out;
}

}  // namespace rlx::validate
