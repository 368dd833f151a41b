// `rlx reconstruct`: rebuild the L2 book and write the event stream, supervised (one worker
// process per symbol) or in this process; --resume finishes an interrupted run.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/supervisor.h"

namespace rlx::cli {
namespace {

class ReconstructCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  void add_output_options();
  void add_durability_options();
  void add_worker_options();
  // --resume DIR: its run's mode and options; false when it is finished (nothing to do).
  bool prepare_resume();
  int run_supervised(const CommonOptions& common);

  pipeline::ReconstructOptions ro_;
  pipeline::SupervisorOptions so_;
  std::vector<std::string> inputs_;
  std::string out_dir_;
  std::string resume_dir_;
  CLI::Option* resume_option_ = nullptr;
  bool no_durability_ = false;
  bool in_process_ = false;
};

void ReconstructCommand::add_to(CLI::App& parent, CommonOptions* common) {
  app = parent.add_subcommand("reconstruct",
                              "Rebuild the L2 book and write the unified event stream");
  add_enum(app, "--source", &ro_.source, pipeline::kSourceNames,
           "Input kind: binance-raw, lake, tardis");
  app->add_option(
      "--input", inputs_,
      "Input files (binance-raw, tardis; plain, .gz or .zst), or Lake roots / Lake files");
  app->add_option("--out", out_dir_,
                  "Output folder (Hive-partitioned Parquet, manifest.json, report.json)");
  app->add_option("--symbols", ro_.symbols,
                  "Only these symbols (upper case; default: every symbol present)")
      ->delimiter(',');
  app->add_option("--date-from", ro_.date_from, "Lake layout: first dt partition (YYYY-MM-DD)");
  app->add_option("--date-to", ro_.date_to, "Lake layout: last dt partition (YYYY-MM-DD)");
  add_output_options();
  add_durability_options();
  add_worker_options();
  resume_option_->excludes("--input")->excludes("--no-durability")->excludes("--in-process");
  common->add_to(app);
}

void ReconstructCommand::add_output_options() {
  add_number(app, pipeline::kTopN, &ro_.top_n,
             "Book levels per side in the enrichment columns (0-50)");
  add_number(app, pipeline::kRowsPerFile, &ro_.rows_per_file, "Rows per Parquet part file");
  add_number(app, pipeline::kBatchSize, &ro_.batch_size, "Messages per micro-batch (1-1000000)");
  add_enum(app, "--on-bad-row", &ro_.on_bad_row, pipeline::kBadRowNames,
           "Bad input rows: fail (error naming file, row, field) or quarantine (skip, count, "
           "report)");
  add_enum(app, "--crossed", &ro_.book.crossed, pipeline::kCrossedNames,
           "Crossed book policy: keep, drop-stale, drop-both (always counted)");
  add_enum(app, "--consume-trades", &ro_.book.consume_trades, pipeline::kConsumeNames,
           "Trades remove passive liquidity: auto (only until the first delta), on, off");
  add_enum(app, "--snapshot-policy", &ro_.book.snapshot, pipeline::kSnapshotNames,
           "Snapshots: auto, replace (the whole book), merge-range (keep levels deeper than the "
           "snapshot)");
  app->add_flag("--overwrite", ro_.overwrite, "Replace an earlier output in --out");
  app->add_flag("--validate", ro_.validate,
                "Keep tier-1 fidelity statistics per symbol while writing (report.json `stream`; "
                "docs/VALIDATE.md), and a thin copy beside each part for `rlx validate`");
  app->add_flag("!--no-thin-copies", ro_.thin_copies,
                "With --validate: tier-1 statistics only, no thin copies (rlx validate then "
                "decodes the parts)");
}

void ReconstructCommand::add_durability_options() {
  resume_option_ = app->add_option(
      "--resume", resume_dir_,
      "Finish the interrupted run in this folder (its inputs and options come from it)");
  app->add_flag("--no-durability", no_durability_,
                "No checkpoints or journal (a crash loses the run; for benchmarks)");
  add_enum(app, "--fsync", &ro_.fsync, pipeline::kFsyncNames,
           "Journal fsync: per-batch (nothing lost at a power cut), interval (up to "
           "--fsync-interval-ms), never (only kill -9 safe)");
  add_number(app, pipeline::kFsyncIntervalMs, &ro_.fsync_interval_ms,
             "For --fsync interval (1-3600000)");
  add_number(app, pipeline::kCheckpointBatches, &ro_.checkpoint_batches,
             "Also commit the open parts and checkpoint every N batches (0: only before each "
             "part; parts then also end there)");
  add_number(app, pipeline::kCheckpointSeconds, &ro_.checkpoint_seconds,
             "Also commit and checkpoint whenever market time (origin_time) crosses a "
             "multiple of M seconds (0: off; at most a year; deterministic, parts end there)");
  add_number(app, pipeline::kKeepCheckpoints, &ro_.keep_checkpoints,
             "Newest checkpoints kept (1-1000)");
}

void ReconstructCommand::add_worker_options() {
  add_number(app, pipeline::kWorkers, &so_.workers,
             "Worker processes at once, one per symbol (0: the number of cores; at most 256)");
  app->add_flag("--in-process", in_process_,
                "Every symbol in this one process (no supervisor, no isolation)");
  add_number(app, pipeline::kQueueSize, &so_.queue_messages,
             "Messages queued per routed worker before the router waits (1-1000000)");
  add_number(app, pipeline::kMaxFailures, &so_.max_failures,
             "Failures of one symbol's worker before it is marked failed (1-100)");
  add_number(app, pipeline::kWorkerTimeout, &so_.watchdog_seconds,
             "Seconds without progress, with work waiting, before a worker is killed (1-604800)");
  add_number(app, pipeline::kCoresPerWorker, &so_.cores_per_worker,
             "Pin each worker to this many cores, with as many Parquet writer threads "
             "(0: no pinning; at most the machine's cores)");
}

bool ReconstructCommand::prepare_resume() {
  const std::filesystem::path state = std::filesystem::path(resume_dir_) / pipeline::kStateDir;
  const pipeline::RunStatus status = pipeline::run_status(state);
  if (status == pipeline::RunStatus::kDone) {
    std::printf("rlx: %s is a finished run: nothing to resume\n", resume_dir_.c_str());
    return false;
  }
  ro_.resume = true;
  out_dir_ = resume_dir_;
  if (status == pipeline::RunStatus::kUnfinished) {
    in_process_ =
        pipeline::read_run_file(state, resume_dir_).mode != pipeline::RunMode::kSupervised;
  }
  return true;
}

int ReconstructCommand::run(const CommonOptions& common) {
  if (!resume_dir_.empty()) {
    if (!prepare_resume()) return 0;
  } else if (inputs_.empty() || out_dir_.empty()) {
    throw Error(StatusCode::kInvalidArgument,
                "reconstruct needs --input and --out (or --resume DIR)");
  }
  for (const auto& in : inputs_) ro_.inputs.emplace_back(in);
  ro_.out_dir = out_dir_;
  ro_.durable = !no_durability_;
  ro_.progress = common.progress;
  ro_.log = common.log();
  if (!in_process_) return run_supervised(common);
  const pipeline::ReconstructSummary summary = pipeline::reconstruct(ro_);
  std::fputs(pipeline::human_summary(summary, out_dir_).c_str(), stdout);
  return 0;
}

int ReconstructCommand::run_supervised(const CommonOptions& common) {
  so_.run = ro_;
  so_.worker_binary = std::filesystem::read_symlink("/proc/self/exe");
  so_.worker_args = {"--log-level", common.log_level, "--log-format", common.log_format};
  const pipeline::ReconstructSummary summary = pipeline::supervise(so_);
  std::fputs(pipeline::human_summary(summary, out_dir_).c_str(), stdout);
  if (!summary.input_error.empty()) {
    std::fprintf(stderr, "rlx: error: %s\n", summary.input_error.c_str());
    return static_cast<int>(ExitCode::kBadInput);
  }
  if (summary.failed_symbols == 0) return 0;
  for (const pipeline::SymbolSummary& s : summary.symbols) {
    if (!s.failed) continue;
    std::fprintf(stderr, "rlx: error: %s %s failed: %s\n", s.exchange.c_str(), s.symbol.c_str(),
                 s.failures.empty() ? "" : s.failures.back().c_str());
  }
  return static_cast<int>(ExitCode::kSymbolsFailed);
}

}  // namespace

std::unique_ptr<Command> reconstruct_command() { return std::make_unique<ReconstructCommand>(); }

}  // namespace rlx::cli
