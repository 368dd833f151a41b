// `rlx reconstruct`: a client of rlx::reconstruct (api/run.h). It rebuilds the L2 book and
// writes the event stream, supervised (one `rlx worker` process per symbol, this executable) or
// in this process; --resume finishes an interrupted run.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/api/run.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/exit_code.h"
#include "rlx/cli/run_options.h"
#include "rlx/core/error.h"
#include "rlx/core/progress.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {
namespace {

class ReconstructCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  void add_durability_options();
  void add_worker_options();

  ReconstructRequest request_;
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
  add_enum(app, "--source", &request_.source, pipeline::kSourceNames,
           "Input kind: binance-raw, lake, tardis");
  app->add_option(
      "--input", inputs_,
      "Input files (binance-raw, tardis; plain, .gz or .zst), or Lake roots / Lake files");
  app->add_option("--out", out_dir_,
                  "Output folder (Hive-partitioned Parquet, manifest.json, report.json)");
  app->add_option("--symbols", request_.symbols,
                  "Only these symbols (upper case; default: every symbol present)")
      ->delimiter(',');
  app->add_option("--date-from", request_.date_from,
                  "Lake layout: first dt partition (YYYY-MM-DD)");
  app->add_option("--date-to", request_.date_to, "Lake layout: last dt partition (YYYY-MM-DD)");
  add_output_options(app, &request_);
  add_durability_options();
  add_worker_options();
  resume_option_->excludes("--input")->excludes("--no-durability")->excludes("--in-process");
  common->add_to(app);
}

void ReconstructCommand::add_durability_options() {
  resume_option_ = app->add_option(
      "--resume", resume_dir_,
      "Finish the interrupted run in this folder (its inputs and options come from it)");
  app->add_flag("--no-durability", no_durability_,
                "No checkpoints or journal (a crash loses the run; for benchmarks)");
  add_enum(app, "--fsync", &request_.fsync, pipeline::kFsyncNames,
           "Journal fsync: per-batch (nothing lost at a power cut), interval (up to "
           "--fsync-interval-ms), never (only kill -9 safe)");
  add_number(app, pipeline::kFsyncIntervalMs, &request_.fsync_interval_ms,
             "For --fsync interval (1-3600000)");
  add_number(app, pipeline::kCheckpointBatches, &request_.checkpoint_batches,
             "Also commit the open parts and checkpoint every N batches (0: only before each "
             "part; parts then also end there)");
  add_number(app, pipeline::kCheckpointSeconds, &request_.checkpoint_seconds,
             "Also commit and checkpoint whenever market time (origin_time) crosses a "
             "multiple of M seconds (0: off; at most a year; deterministic, parts end there)");
  add_number(app, pipeline::kKeepCheckpoints, &request_.keep_checkpoints,
             "Newest checkpoints kept (1-1000)");
}

void ReconstructCommand::add_worker_options() {
  add_number(app, pipeline::kWorkers, &request_.workers,
             "Worker processes at once, one per symbol (0: the number of cores; at most 256)");
  app->add_flag("--in-process", in_process_,
                "Every symbol in this one process (no supervisor, no isolation)");
  add_number(app, pipeline::kQueueSize, &request_.queue_messages,
             "Messages queued per routed worker before the router waits (1-1000000)");
  add_number(app, pipeline::kMaxFailures, &request_.max_failures,
             "Failures of one symbol's worker before it is marked failed (1-100)");
  add_number(app, pipeline::kWorkerTimeout, &request_.worker_timeout_s,
             "Seconds without progress, with work waiting, before a worker is killed (1-604800)");
  add_number(app, pipeline::kCoresPerWorker, &request_.cores_per_worker,
             "Pin each worker to this many cores, with as many Parquet writer threads "
             "(0: no pinning; at most the machine's cores)");
}

int ReconstructCommand::run(const CommonOptions& common) {
  if (!resume_dir_.empty()) {
    request_.resume = true;
    out_dir_ = resume_dir_;
  } else if (inputs_.empty() || out_dir_.empty()) {
    throw Error(StatusCode::kInvalidArgument,
                "reconstruct needs --input and --out (or --resume DIR)");
  }
  request_.inputs.assign(inputs_.begin(), inputs_.end());
  request_.out_dir = out_dir_;
  request_.durable = !no_durability_;
  // Supervised unless --in-process; a resumed run keeps its own mode.
  if (!in_process_) request_.rlx_binary = std::filesystem::read_symlink("/proc/self/exe");
  request_.log = common.log();
  ReconstructResult result;
  Status s;
  {
    TerminalProgress line(common.progress, "reconstruct");  // ends its line before the summary
    request_.progress = line.sink();
    s = reconstruct(request_, &result);
  }
  if (result.was_finished) {
    std::printf("rlx: %s is a finished run: nothing to resume\n", resume_dir_.c_str());
    return 0;
  }
  std::fputs(result.summary.c_str(), stdout);
  check(s);
  if (result.failed_symbols == 0) return 0;
  for (const SymbolResult& y : result.symbols) {
    if (!y.failed) continue;
    std::fprintf(stderr, "rlx: error: %s %s failed: %s\n", y.exchange.c_str(), y.symbol.c_str(),
                 y.failures.empty() ? "" : y.failures.back().c_str());
  }
  return static_cast<int>(ExitCode::kSymbolsFailed);
}

}  // namespace

std::unique_ptr<Command> reconstruct_command() { return std::make_unique<ReconstructCommand>(); }

}  // namespace rlx::cli
