// `rlx demo`: the embedded default. Generates a small realistic market in the Crypto Lake
// layout with the seeded generator, then reconstructs it like any Lake input.
#pragma once

#include <cstdint>
#include <filesystem>

#include "rlx/core/progress.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/sim/market_generator.h"

namespace rlx::pipeline {

struct DemoOptions {
  std::filesystem::path out_dir = "rlx-demo";  // gets lake/ (the input) and events/ (the output)
  sim::MarketOptions market;                   // seed, symbol, duration, rates
  int32_t top_n = 5;
  ProgressMode progress = ProgressMode::kAuto;
};

struct DemoSummary {
  sim::MarketStats market;
  ReconstructSummary reconstruct;
  std::filesystem::path lake_dir;
  std::filesystem::path events_dir;
};

DemoSummary run_demo(const DemoOptions& options);

}  // namespace rlx::pipeline
