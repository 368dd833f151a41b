#include "rlx/shard/slurm.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "rlx/durability/durable_file.h"

namespace rlx::shard {
namespace fs = std::filesystem;
namespace {

// Single-quoted for bash: the paths may hold spaces.
std::string quoted(const fs::path& p) {
  std::string out = "'";
  for (const char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

fs::path write_slurm_files(const Plan& plan, const SlurmOptions& options) {
  const fs::path dir = fs::absolute(plan.dir) / "slurm";
  durability::create_directories_durable(dir / "logs");
  const auto symbols = static_cast<uint32_t>(plan.keys.size());
  const std::string plan_dir = quoted(fs::absolute(plan.dir));
  const std::string rlx = quoted(options.rlx_binary);
  // exec: Slurm's SIGTERM reaches rlx itself, and no process is left behind the task.
  const std::string sbatch = fmt::format(
      R"(#!/bin/bash
# One shard of {plan}: written by `rlx plan` (docs/SHARDS.md). Array task T of window W runs
# shard W * {symbols} + T. Exit 75 asks to be retried later (Slurm: RequeueExit=75).
#SBATCH --job-name=rlx-shard
#SBATCH --cpus-per-task={cpus}
#SBATCH --output={logs}/%A_%a.out
#SBATCH --open-mode=append
set -eu
window=$1
exec {rlx} run-shard --plan {plan} --index $(( window * {symbols} + SLURM_ARRAY_TASK_ID ))
)",
      fmt::arg("plan", plan_dir), fmt::arg("symbols", symbols),
      fmt::arg("cpus", options.cpus_per_task), fmt::arg("logs", (dir / "logs").string()),
      fmt::arg("rlx", rlx));
  const std::string throttle =
      options.max_running > 0 ? fmt::format("%{}", options.max_running) : std::string();
  const std::string submit = fmt::format(
      R"(#!/bin/bash
# Submits the plan {plan} to Slurm (written by `rlx plan`; docs/SHARDS.md): one job array per
# window ({windows}), a task per symbol ({symbols}); chained plans run each task after the same
# symbol's task of the previous window (aftercorr), independent days all at once; then the merge
# (afterok: chained, on the last window, which comes after all the others; independent, on every
# window). Prints "window W JOBID" per window and "merge JOBID".
set -euo pipefail
chained={chained}
previous=""
all=""
for window in $(seq 0 {last_window}); do
  dependency=()
  if [ "$chained" = 1 ] && [ -n "$previous" ]; then
    dependency=(--dependency=aftercorr:"$previous")
  fi
  previous=$(sbatch --parsable --array=0-{last_task}{throttle} "${{dependency[@]}}" \
    {sbatch} "$window")
  previous=${{previous%%;*}}
  all="$all:$previous"
  echo "window $window $previous"
done
if [ "$chained" = 1 ]; then all=":$previous"; fi
merge=$(sbatch --parsable --dependency=afterok"$all" --job-name=rlx-merge \
  --output={logs}/merge_%j.out --wrap "exec {rlx} merge --plan {plan}")
echo "merge ${{merge%%;*}}"
)",
      fmt::arg("plan", plan_dir), fmt::arg("windows", plan.windows), fmt::arg("symbols", symbols),
      fmt::arg("last_window", plan.windows - 1), fmt::arg("last_task", symbols - 1),
      fmt::arg("throttle", throttle), fmt::arg("sbatch", quoted(dir / "shard.sbatch")),
      fmt::arg("chained", plan.independent ? 0 : 1), fmt::arg("logs", (dir / "logs").string()),
      fmt::arg("rlx", rlx));
  durability::write_file_atomic(dir / "shard.sbatch", sbatch);
  durability::write_file_atomic(dir / "submit.sh", submit);
  ::chmod((dir / "shard.sbatch").c_str(), 0755);
  ::chmod((dir / "submit.sh").c_str(), 0755);
  return dir / "submit.sh";
}

}  // namespace rlx::shard
