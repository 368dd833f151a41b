// The metric registry: every metric rlx validate knows, in a fixed order (metric_list.inc).
#pragma once

#include <string_view>
#include <vector>

#include "rlx/validate/metric.h"

namespace rlx::validate {

// Built once, never changed.
const std::vector<Metric>& metrics();
// The metric with this id, or null.
const Metric* find_metric(std::string_view id);

}  // namespace rlx::validate
