// Running rlx's jobs from a program, in its own process: what the `rlx` command runs, with
// options as plain values, logs to the caller's sink, and a Status instead of an exit code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/core/progress.h"
#include "rlx/core/status.h"

namespace rlx {

struct ReconstructRequest {
  std::string source = "binance-raw";  // binance-raw, lake or tardis (docs/INPUTS.md)
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path out_dir;
  std::vector<std::string> symbols;  // empty: every symbol present
  std::string date_from, date_to;    // Lake: dt partitions, YYYY-MM-DD
  int32_t top_n = 5;
  uint64_t rows_per_file = 1'000'000;
  std::string on_bad_row = "fail";  // fail or quarantine
  bool overwrite = false;
  bool validate = false;  // tier-1 statistics and thin copies (docs/VALIDATE.md)
  Log log;                // silent by default; Log(level, format, &sink) for the caller's sink
  ProgressSink* progress = nullptr;  // progress updates (core/progress.h); null: none
};

struct SymbolResult {
  std::string exchange;
  std::string symbol;
  uint64_t rows = 0;
  uint64_t files = 0;
  uint64_t gaps = 0;
  uint64_t resyncs = 0;
};

struct ReconstructResult {
  uint64_t messages = 0;
  uint64_t rows = 0;
  uint64_t quarantined = 0;  // bad input rows set aside (on_bad_row = quarantine)
  double seconds = 0;
  std::vector<SymbolResult> symbols;  // sorted by exchange, symbol
};

// `rlx reconstruct --in-process`: every symbol in this process, one after another, with the
// same output, manifest, report and crash safety as the command (an interrupted run is finished
// by the command's --resume). kInvalidArgument: options; kBadInput: input (file, row, field);
// kIo: the output.
Status reconstruct(const ReconstructRequest& request, ReconstructResult* result);

struct ValidateRequest {
  // Each side: an rlx output, Lake root, Tardis files or raw Binance captures; the source is
  // auto (detected), binance-raw, lake, tardis or rlx.
  std::vector<std::filesystem::path> golden;
  std::string golden_source = "auto";
  std::vector<std::filesystem::path> candidate;
  std::string candidate_source = "auto";
  std::filesystem::path out_dir;      // report.json, metrics.prom, report.html, summary.html/.pdf
  std::string symbol;                 // empty: the one symbol the inputs hold
  std::filesystem::path config;       // settings, JSON (docs/VALIDATE.md); empty: the defaults
  std::filesystem::path calibration;  // noise floors from `rlx calibrate`; empty: measured now
  std::string level = "standard";     // light, standard or comprehensive
  std::string on_bad_row = "fail";
  bool read_parts = false;            // rlx output: the parts even where thin copies exist
  bool pdf = true;                    // print summary.pdf with headless Chromium
  std::string chromium = "chromium";  // the browser: a command on PATH or a path
  Log log;
};

struct MetricFailure {
  std::string metric;
  std::string status;  // WARN or FAIL
  double effect = 0;
  double threshold = 0;
  std::string remedy;
};

struct ValidateResult {
  std::string verdict;  // PASS, WARN or FAIL
  double score = 0;
  std::string exchange;
  std::string symbol;
  bool paired = false;
  uint32_t windows = 0;
  int64_t window_seconds = 0;
  std::vector<std::string> reasons;
  std::vector<MetricFailure> failures;  // gates, FAIL, WARN; worst first
  std::vector<std::string> notes;
  std::string pdf_error;  // why summary.pdf was not printed (empty: printed, or not asked)
};

// `rlx validate` (named apart from the rlx::validate namespace): judges the candidate against the
// golden sample and writes the reports to out_dir. A FAIL verdict is a result, not an error: the
// Status is ok.
Status validate_candidate(const ValidateRequest& request, ValidateResult* result);

}  // namespace rlx
