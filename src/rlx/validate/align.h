// Rows of two sides' grids at the same grid time, for paired metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "rlx/features/features.h"

namespace rlx::validate {

// Pairs (golden row, candidate row) at equal times, skipping rows where either side has any of
// `skip` (grid_state bits). Grids are ordered by time, so this is one merge.
std::vector<std::pair<size_t, size_t>> aligned_rows(const features::Grid& golden,
                                                    const features::Grid& candidate, uint8_t skip);

// The grid with this step on both sides, or a null pair.
std::pair<const features::Grid*, const features::Grid*> both_grids(const features::Features& a,
                                                                   const features::Features& b,
                                                                   int64_t step_ns);

}  // namespace rlx::validate
