// `rlx demo`: the embedded default. Generates a small realistic market in the Crypto Lake
// layout with the seeded generator, then reconstructs it like any Lake input.
#pragma once

#include <cstdint>
#include <filesystem>

#include "rlx/core/progress.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/sim/market_generator.h"

namespace rlx::pipeline {

// The generator's defaults, except that a sequence gap really loses the skipped updates, so the
// gaps show up as drift at the next `book` snapshot (Lake sequence numbers need not be dense,
// so a skipped number alone is not detectable).
sim::MarketOptions default_market();

struct DemoOptions {
  std::filesystem::path out_dir = "rlx-demo";    // gets lake/ (the input) and events/ (the output)
  sim::MarketOptions market = default_market();  // seed, symbol, duration, rates
  int32_t top_n = 5;
  bool reconstruct = true;  // false: generate lake/ only (benchmark inputs, e.g. a month of days)
  ProgressMode progress = ProgressMode::kAuto;
  Log log;
};

struct DemoSummary {
  sim::MarketStats market;
  ReconstructSummary reconstruct;  // DemoOptions::reconstruct: the run over lake/
  std::filesystem::path lake_dir;
  std::filesystem::path events_dir;
};

DemoSummary run_demo(const DemoOptions& options);

}  // namespace rlx::pipeline
