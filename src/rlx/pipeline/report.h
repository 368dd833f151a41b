// report.json and the short human summary printed at the end of a run.
#pragma once

#include <string>
#include <string_view>

#include "rlx/core/log.h"
#include "rlx/pipeline/reconstruct.h"

namespace rlx::pipeline {

// report.json: everything counted during the run. Only the "timing" object depends on the
// machine; the rest is a pure function of input and options.
std::string report_json(const ReconstructSummary& summary);

// One warning log line per quarantine reason of `input` (event input.quarantine).
void log_quarantine(const Log& log, const InputSummary& input);

// A few lines for the terminal: rows, symbols, anomalies, throughput, where the output is.
std::string human_summary(const ReconstructSummary& summary, const std::string& out_dir);

// A worker's summary for its supervisor (<worker state>/result.bin), every field exactly.
std::string serialize_summary(const ReconstructSummary& summary);
// Throws Error(kInternal) when `bytes` is not a whole summary of this version.
ReconstructSummary parse_summary(std::string_view bytes);

}  // namespace rlx::pipeline
