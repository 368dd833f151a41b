// The plan as Slurm jobs (docs/SHARDS.md): one job array per window, one task per symbol, each
// window's tasks depending on the previous window's corresponding task (aftercorr), then the
// merge (afterok on the last window). Written into <plan>/slurm/ by `rlx plan`; submit.sh
// submits them (`rlx plan --slurm` runs it).
#pragma once

#include <cstdint>
#include <filesystem>

#include "rlx/shard/plan.h"

namespace rlx::shard {

struct SlurmOptions {
  std::filesystem::path rlx_binary;  // the same path on every node (a shared install)
  uint32_t max_running = 0;          // tasks of one window at once (sbatch --array=…%K); 0: all
  uint32_t cpus_per_task = 1;
};

// Writes <plan>/slurm/shard.sbatch and <plan>/slurm/submit.sh; returns submit.sh's path.
std::filesystem::path write_slurm_files(const Plan& plan, const SlurmOptions& options);

}  // namespace rlx::shard
