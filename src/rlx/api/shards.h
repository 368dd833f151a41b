// A run cut into shards for a cluster (docs/SHARDS.md): plan once, run each shard anywhere the
// plan folder is mounted (a Slurm array task, a Kubernetes indexed pod), then merge. Chained: a
// symbol's shards run in order, each resuming where the one before stopped, and the merged output
// is the one `rlx reconstruct` writes on one machine with the same options. Independent days
// (Lake): every shard at once, each a cold start on its own days, as `rlx reconstruct
// --date-from D --date-to D` writes them.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/api/run.h"
#include "rlx/core/log.h"
#include "rlx/core/status.h"

namespace rlx {

struct PlanRequest {
  // The run: source, inputs, symbols and the output and book options (its out_dir, resume,
  // durability and worker fields are not used: the output is <plan_dir>/out, always durable).
  ReconstructRequest run;
  std::filesystem::path plan_dir;
  std::string from, to;            // UTC: 2024-08-08 (a date: to means its end) or 2024-08-08T23:55
  int64_t shard_seconds = 86'400;  // window length: divides a day, or whole days
  // chained, independent (Lake, whole days), or auto: independent for Lake inputs with whole-day
  // windows, else chained.
  std::string days = "auto";
  bool overwrite = false;  // replace a plan (and output) already in plan_dir
  // Set: also writes <plan_dir>/slurm/shard.sbatch and submit.sh, which run this executable
  // (the same path on every node).
  std::filesystem::path rlx_binary;
  uint32_t slurm_max_running = 0;    // tasks of one window at once (--array=...%K); 0: all
  uint32_t slurm_cpus_per_task = 1;  // each shard's CPUs (its Parquet encoding threads)
};

struct ShardInfo {
  uint32_t index = 0;
  std::string id;  // exchange/symbol/window start
  std::string exchange, symbol;
  int64_t after = -1;  // the shard it continues (-1: the first of its symbol)
  std::string state;   // done, running, failed, waiting, ready (shard_status)
  std::string error;   // failed: why
  // done (shard_status): what it cost, from its .done marker; -1 where the marker does not say
  int64_t rows = 0;             // rows it wrote
  double seconds = -1;          // wall time of the attempt that finished it
  double cpu_seconds = -1;      // that attempt's CPU time
  int64_t peak_rss_bytes = -1;  // peak memory of the process that ran it (`rlx run-shard`)
};

struct PlanResult {
  std::string config_xxh3;
  bool independent = false;  // independent days: no shard waits for another
  uint32_t windows = 0;
  uint32_t symbols = 0;
  std::vector<ShardInfo> shards;       // by index: window * symbols + symbol
  std::filesystem::path slurm_submit;  // plan_shards with rlx_binary: submit.sh
};

// Finds the symbols and writes <plan_dir>/plan.json and the run folder <plan_dir>/out.
Status plan_shards(const PlanRequest& request, PlanResult* result);

struct RunShardRequest {
  std::filesystem::path plan_dir;
  uint32_t index = 0;
  Log log;
  const std::atomic<bool>* stop = nullptr;  // set from another thread (SIGTERM): stop, resumable
  int32_t writer_threads = 0;               // Parquet encoding threads (0: default)
};

enum class ShardOutcome : uint8_t {
  kDone = 0,         // ran now; its .done marker is written
  kAlreadyDone = 1,  // done before (or by a copy that ran at the same time)
  kNotReady = 2,     // the shard it continues is not done: retry later
  kStopped = 3,      // stopped on request: resumable, retry later
};

// Runs one shard: idempotent, the .done marker last. A failure is also recorded for
// shard_status. kInvalidArgument: no such plan or shard; kBadInput: input or a damaged plan.
Status run_shard(const RunShardRequest& request, ShardOutcome* outcome);

Status shard_status(const std::filesystem::path& plan_dir, PlanResult* result);

// Once every shard is done: report.json, the parts checked against manifest.json (present at
// their size; `checksums`: also hashed, reading the whole output), and the run marked done.
// kInterrupted while shards are missing (named in the message).
Status merge_shards(const std::filesystem::path& plan_dir, const Log& log,
                    ReconstructResult* result, bool checksums = false);

}  // namespace rlx
