// Order statistics of a small sample held in memory: the median and nearest-rank quantiles that
// the verdict, the noise floors and the tier-1 rate anomaly use.
#pragma once

#include <vector>

namespace rlx::stats {

// The median: the middle value, or the mean of the two middle values for an even count
// (numpy.median's convention); NaN when empty. Reorders `values`.
double median(std::vector<double>& values);

// The q-quantile (0..1) by the nearest-rank rule: the smallest value with at least q of the
// values at or below it; NaN when empty. Reorders `values`.
double quantile(std::vector<double>& values, double q);

}  // namespace rlx::stats
