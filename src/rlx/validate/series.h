// The series tier-2 metrics compare, drawn from one side's features: each a plain vector of
// doubles in the instrument's units (ticks, lots, milliseconds).
#pragma once

#include <cstdint>
#include <vector>

#include "rlx/features/features.h"

namespace rlx::validate::series {

std::vector<double> trade_size(const features::Features& f);         // lots
std::vector<double> trade_interval_ms(const features::Features& f);  // between trades
std::vector<double> book_interval_ms(const features::Features& f);   // between book messages
// 100 ms grid, two-sided uncrossed synced rows:
std::vector<double> spread_ticks(const features::Features& f);
std::vector<double> l1_size(const features::Features& f);       // bid and ask, lots
std::vector<double> l1_imbalance(const features::Features& f);  // (bid - ask) / (bid + ask)
// 1 s grid: lots on levels 2..depth of both sides (depth: the grid's levels, capped).
std::vector<double> depth_beyond_touch(const features::Features& f, uint32_t depth);
std::vector<double> ofi_1s(const features::Features& f);  // Cont's OFI per second, lots
// Mid changes in ticks over `seconds` (overlapping, from the 1 s grid), two-sided rows only.
std::vector<double> mid_return(const features::Features& f, int64_t seconds);
// Mid changes in ticks between consecutive rows of the grid with this step, two-sided rows only.
std::vector<double> mid_change(const features::Features& f, int64_t step_ns);
// 1 s grid: each level's distance from the mid in ticks, and its size in lots as the weight.
void depth_profile(const features::Features& f, uint32_t depth, std::vector<double>* distance,
                   std::vector<double>* lots);
// 1 s grid rows as vectors of the first `levels` bid then ask sizes (lots), two-sided rows.
std::vector<std::vector<double>> level_sizes(const features::Features& f, uint32_t levels);

}  // namespace rlx::validate::series
