// `rlx validate` (judge a candidate against a golden sample, docs/VALIDATE.md) and
// `rlx calibrate` (measure the noise floors on golden data): their options and how they run.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/io/reader.h"
#include "rlx/validate/config.h"
#include "rlx/validate/side.h"

namespace rlx::cli {

// Options both commands share.
struct SideOptions {
  std::vector<std::string> golden;
  validate::InputKind golden_kind = validate::InputKind::kAuto;
  std::string symbol;
  std::string config;
  io::BadRowPolicy on_bad_row = io::BadRowPolicy::kFail;
  bool read_parts = false;  // --read-parts
};

struct ValidateCommand {
  CLI::App* app = nullptr;
  SideOptions sides;
  std::vector<std::string> candidate;
  validate::InputKind candidate_kind = validate::InputKind::kAuto;
  std::string out;
  std::string calibration;
  validate::Level level = validate::Level::kStandard;
  bool pdf = true;

  void add_to(CLI::App& parent);
  // Writes report.json, metrics.prom, report.html, summary.html and summary.pdf to --out and
  // prints the verdict. Returns 0 on PASS or WARN, ExitCode::kVerdictFail on FAIL.
  int run(const Log& log);
};

struct CalibrateCommand {
  CLI::App* app = nullptr;
  SideOptions sides;
  std::string out;

  void add_to(CLI::App& parent);
  int run(const Log& log);
};

}  // namespace rlx::cli
