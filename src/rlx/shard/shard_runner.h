// Running one shard of a plan, its state, and the merge (docs/SHARDS.md). The shard contract of
// ../SCALE-OUT.md: idempotent (two copies at once give one result, a finished shard returns at
// once), the .done marker written last, SIGTERM leaves it resumable.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/shard/plan.h"

namespace rlx::shard {

struct RunShardOptions {
  Log log;
  const std::atomic<bool>* stop_requested = nullptr;  // SIGTERM: stop, resumable (not owned)
  int32_t writer_threads = 0;                         // Parquet encoding threads (0: default)
};

enum class ShardResult : uint8_t {
  kDone = 0,         // ran now and is done
  kAlreadyDone = 1,  // its .done marker was there (or a copy running at once finished it)
  kNotReady = 2,     // the shard it continues is not done yet: retry later
  kStopped = 3,      // stop_requested: resumable, retry later
};

// Runs shard `index` of the plan in `plan_dir`. Throws rlx::Error for what stops it (its
// StatusCode; a damaged plan or marker is kBadInput naming the file), after recording it in
// shards/NNNNNN.error for `rlx status`.
ShardResult run_shard(const std::filesystem::path& plan_dir, uint32_t index,
                      const RunShardOptions& options);

// What a done shard cost, from its .done marker (-1: not recorded, a marker of an older rlx).
struct ShardCost {
  int64_t rows = 0;             // rows this shard wrote
  double seconds = -1;          // wall time of the attempt that finished it
  double cpu_seconds = -1;      // CPU time (user + system) of that attempt's process
  int64_t peak_rss_bytes = -1;  // peak resident memory of that process (`rlx run-shard`: the shard)
};

struct ShardState {
  const Shard* shard = nullptr;
  std::string state;  // done, running, failed, waiting (for the shard it continues), ready
  std::string error;  // failed: the last error
  ShardCost cost;     // done
};
std::vector<ShardState> shard_states(const Plan& plan);

// Once every shard is done: report.json over the symbols (each chain's last shard holds its
// symbol's summary), every part manifest.json lists checked, and the run marked done. The
// parts are checked present at their size; `checksums` also hashes them, which reads the
// whole output on one machine. kInterrupted when shards are missing (the message lists the
// first few).
pipeline::ReconstructSummary merge_shards(const Plan& plan, const Log& log, bool checksums);

}  // namespace rlx::shard
