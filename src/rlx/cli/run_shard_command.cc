// `rlx run-shard`: one shard of a plan (docs/SHARDS.md), by the shard contract: idempotent, the
// .done marker last, SIGTERM leaves it resumable, sysexits exit codes (cli/exit_code.h).
#include <sched.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rlx/api/shards.h"
#include "rlx/cli/command.h"
#include "rlx/cli/stop_on_signal.h"

namespace rlx::cli {
namespace {

// The CPUs this process was given: Slurm's allocation when it says, else the affinity mask.
int32_t given_cpus() {
  if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK"); slurm != nullptr) {
    const int32_t n = std::atoi(slurm);
    if (n > 0) return n;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return 1;
}

class RunShardCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand("run-shard",
                                "Run one shard of a plan (exit 0 done, 75 retry "
                                "later, 65 bad data, 64-78 usage and setup)");
    app->add_option("--plan", plan_dir_, "Plan folder (rlx plan --out)")->required();
    app->add_option("--index", request_.index, "Shard index (plan.json)")->required();
    app->add_option("--threads", threads_,
                    "Parquet encoding threads (default: $SLURM_CPUS_PER_TASK, else the CPUs "
                    "this process may run on)");
    common->add_to(app);
  }

  int exit_code_of(StatusCode code) const override {
    return static_cast<int>(shard_exit_code(code));
  }

  int run(const CommonOptions& common) override {
    std::atomic<bool> stop{false};
    StopOnSignal signals;
    signals.on_stop([&stop] { stop = true; });
    request_.plan_dir = plan_dir_;
    request_.log = common.log();
    request_.stop = &stop;
    request_.writer_threads = threads_ > 0 ? threads_ : given_cpus();
    ShardOutcome outcome = ShardOutcome::kDone;
    check(run_shard(request_, &outcome));
    switch (outcome) {
      case ShardOutcome::kDone:
        std::printf("rlx run-shard: shard %u done\n", request_.index);
        return 0;
      case ShardOutcome::kAlreadyDone:
        return 0;
      case ShardOutcome::kNotReady:
        std::fprintf(stderr, "rlx: shard %u waits for the shard it continues: retry later\n",
                     request_.index);
        return static_cast<int>(ShardExit::kRetry);
      case ShardOutcome::kStopped:
        std::fprintf(stderr, "rlx: shard %u stopped (signal): resumable, retry later\n",
                     request_.index);
        return static_cast<int>(ShardExit::kRetry);
    }
    return 0;
  }

 private:
  RunShardRequest request_;
  std::string plan_dir_;
  int32_t threads_ = 0;
};

}  // namespace

std::unique_ptr<Command> run_shard_command() { return std::make_unique<RunShardCommand>(); }

}  // namespace rlx::cli
