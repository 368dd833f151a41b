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
  std::vector<std::string> symbols;  // empty: every symbol present; names or globs (BTC*)
  std::string date_from, date_to;    // Lake: dt partitions, YYYY-MM-DD

  // The output and the book (docs/CLI.md has each as its --option; the defaults are the same).
  int32_t top_n = 5;
  uint64_t rows_per_file = 1'000'000;
  uint64_t batch_size = 1000;            // messages per micro-batch
  std::string on_bad_row = "fail";       // fail or quarantine
  std::string crossed = "keep";          // keep, drop-stale or drop-both
  std::string consume_trades = "auto";   // auto, on or off
  std::string snapshot_policy = "auto";  // auto, replace or merge-range
  bool overwrite = false;
  bool validate = false;    // tier-1 statistics and thin copies (docs/VALIDATE.md)
  bool thin_copies = true;  // with validate: a thin copy beside each part

  // Crash safety (docs/DURABILITY.md). With `resume`, out_dir's interrupted run is finished:
  // its inputs and options come from its .rlx/run.json, and of this request only out_dir, the
  // durability settings, the worker settings, log and progress are read.
  bool resume = false;
  bool durable = true;             // false: no checkpoints or journal (a crash loses the run)
  std::string fsync = "interval";  // per-batch, interval or never
  int64_t fsync_interval_ms = 200;
  uint64_t checkpoint_batches = 0;  // also checkpoint every N batches (0: before each part)
  int64_t checkpoint_seconds = 0;   // and when market time crosses a multiple of M s (0: off)
  uint32_t keep_checkpoints = 3;

  // Isolation: with rlx_binary (the `rlx` executable), one worker process per symbol runs
  // `rlx worker`, supervised: a crash or a hang costs that symbol a restart from its checkpoint,
  // not the run. Workers log to this process's stderr at log's level and format. Empty: every
  // symbol in this process. A resumed run keeps the mode it was started in.
  std::filesystem::path rlx_binary;
  uint32_t workers = 0;            // processes at once (0: the number of cores)
  uint64_t queue_messages = 1000;  // per routed worker, before the router waits
  uint32_t max_failures = 3;       // of one symbol's worker before it is marked failed
  double worker_timeout_s = 120;   // without progress, with work waiting, before a kill
  uint32_t cores_per_worker = 0;   // pin each worker to this many cores (0: no pinning)

  Log log;                           // silent by default; Log(level, format, &sink)
  ProgressSink* progress = nullptr;  // progress updates (core/progress.h); null: none
};

struct SymbolResult {
  std::string exchange;
  std::string symbol;
  uint64_t rows = 0;
  uint64_t files = 0;
  uint64_t gaps = 0;
  uint64_t resyncs = 0;
  // Supervised runs: a failed symbol has no complete output (its circuit breaker opened after
  // max_failures attempts); failures says why each attempt ended.
  bool failed = false;
  uint32_t attempts = 0;
  std::vector<std::string> failures;
};

struct ReconstructResult {
  uint64_t messages = 0;
  uint64_t rows = 0;
  uint64_t quarantined = 0;  // bad input rows set aside (on_bad_row = quarantine)
  double seconds = 0;
  std::vector<SymbolResult> symbols;  // sorted by exchange, symbol
  uint64_t failed_symbols = 0;        // supervised: symbols marked failed
  bool was_finished = false;          // resume: the run had finished, nothing was done
  std::string summary;                // the lines `rlx reconstruct` prints
};

// `rlx reconstruct`: the output, manifest, report and crash safety of the command. Symbols that
// failed in a supervised run are a result (failed_symbols), not an error: the others' output is
// whole. kInvalidArgument: options; kBadInput: input (file, row, field; a supervised run fills
// the result too); kIo: the output.
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
  ProgressSink* progress = nullptr;  // each stage as a status line (loading, judging, ...)
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
