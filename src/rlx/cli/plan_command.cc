// `rlx plan`: cut a reconstruction into shards for a cluster (docs/SHARDS.md); a client of
// rlx::plan_shards (api/shards.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/api/shards.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/run_options.h"
#include "rlx/core/error.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/shard/plan.h"

namespace rlx::cli {
namespace {

class PlanCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand(
        "plan", "Cut a reconstruction into shards (symbol x window) for a cluster: plan.json");
    add_enum(app, "--source", &request_.run.source, pipeline::kSourceNames,
             "Input kind: binance-raw, lake, tardis");
    app->add_option("--input", inputs_, "Input files, or Lake roots (as for reconstruct)")
        ->required();
    app->add_option("--symbols", request_.run.symbols,
                    "Only these symbols (default: every symbol the inputs hold)")
        ->delimiter(',');
    app->add_option("--from", request_.from,
                    "Start of the first window, UTC: 2024-08-08 or 2024-08-08T23:55 (the first "
                    "shard of each symbol also takes what comes before)")
        ->required();
    app->add_option("--to", request_.to,
                    "End of the last window, UTC (a date alone: the end of that day; the last "
                    "shard also takes what comes after)")
        ->required();
    app->add_option("--out", plan_dir_, "Plan folder: plan.json, out/ (the output), shards/")
        ->required();
    app->add_option("--shard-seconds", request_.shard_seconds,
                    "Window length: divides a day (86400), or whole days")
        ->capture_default_str();
    add_enum(app, "--days", &request_.days, shard::kDaysNames,
             "chained (each shard resumes its symbol's previous one: exact), independent "
             "(Lake: each shard a cold start on its own days, all at once), or auto "
             "(independent for Lake with whole-day windows)");
    add_output_options(app, &request_.run);
    app->add_flag("--slurm", submit_,
                  "Submit the plan to Slurm (plan/slurm/submit.sh: a job array per window, each "
                  "task after its symbol's previous shard, then the merge)");
    app->add_option("--max-running", request_.slurm_max_running,
                    "Slurm: tasks of one window running at once (0: no limit)")
        ->capture_default_str();
    app->add_option("--cpus-per-task", request_.slurm_cpus_per_task,
                    "Slurm: CPUs of each shard (its Parquet encoding threads)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    common->add_to(app);
  }

  int run(const CommonOptions& common) override {
    request_.run.inputs.assign(inputs_.begin(), inputs_.end());
    request_.run.log = common.log();
    request_.plan_dir = plan_dir_;
    request_.overwrite = request_.run.overwrite;
    request_.rlx_binary = std::filesystem::read_symlink("/proc/self/exe");
    PlanResult plan;
    check(plan_shards(request_, &plan));
    std::printf(
        "rlx plan: %zu shards (%u windows x %u symbols, %s) in %s\n"
        "run each with `rlx run-shard --plan %s --index I` (I = 0..%zu; %s), then "
        "`rlx merge --plan %s`\n",
        plan.shards.size(), plan.windows, plan.symbols,
        plan.independent ? "independent days" : "chained", plan_dir_.c_str(), plan_dir_.c_str(),
        plan.shards.size() - 1,
        plan.independent ? "all at once: each day starts its book cold"
                         : "a symbol's shards in order",
        plan_dir_.c_str());
    std::printf("Slurm: %s submits it\n", plan.slurm_submit.c_str());
    if (!submit_) return 0;
    std::fflush(stdout);
    // submit.sh prints each job's id; sbatch's own errors reach stderr.
    const std::string command = "bash '" + plan.slurm_submit.string() + "'";
    if (std::system(command.c_str()) != 0) {
      throw Error(StatusCode::kIo, "Slurm refused the plan (" + command +
                                       " failed): is sbatch on PATH and SLURM_CONF set?");
    }
    return 0;
  }

 private:
  PlanRequest request_;
  std::vector<std::string> inputs_;
  std::string plan_dir_;
  bool submit_ = false;
};

}  // namespace

std::unique_ptr<Command> plan_command() { return std::make_unique<PlanCommand>(); }

}  // namespace rlx::cli
