// `rlx reconstruct` for many symbols: a supervisor process runs one worker process per symbol
// (pipeline/worker.h), at most `workers` at once. Lake inputs are per symbol and each worker
// reads its own; inputs that mix symbols are read once by the router (pipeline/router.h) and
// fed to the workers through bounded channels, or spooled for a worker that has no slot yet.
//
// Isolation: a worker that crashes, stops making progress while it has work (watchdog), or
// fails on bad data is restarted from its last checkpoint after an exponential backoff; after
// `max_failures` failures its symbol is marked failed, its partial output moved to
// .rlx/failed/, and the others go on. manifest.json is shared: every worker updates its own
// entries under a lock (sink::update_manifest). Killing the supervisor kills its workers;
// `--resume` finishes what is left. docs/DURABILITY.md has the whole story.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/pipeline/reconstruct.h"

namespace rlx::pipeline {

struct SupervisorOptions {
  ReconstructOptions run;                // the run (mode is set to kSupervised)
  std::filesystem::path worker_binary;   // the rlx executable; workers run `rlx worker ...`
  std::vector<std::string> worker_args;  // added to each worker's command line (log options)
  uint32_t workers = 0;                  // worker processes at once (0: the number of cores)
  size_t queue_messages = 1000;          // each routed worker's channel bound
  uint32_t max_failures = 3;             // failures before a symbol's circuit breaker opens
  double watchdog_seconds = 120;         // no progress this long, with work waiting: killed
  double backoff_seconds = 0.25;         // delay before the first restart; doubled each time
  // Cores each worker may use (sched_setaffinity: worker slot k gets cores k*N .. k*N+N-1,
  // modulo the machine's), and its Parquet writer threads. 0: no pinning, default threads.
  uint32_t cores_per_worker = 0;
};

// Runs (or with run.resume, finishes) a supervised reconstruction. Symbols that failed are in
// the summary (failed, failures) and counted in failed_symbols; the caller turns that into
// cli::ExitCode::kSymbolsFailed. Throws rlx::Error for what stops the whole run (usage, output).
ReconstructSummary supervise(const SupervisorOptions& options);

}  // namespace rlx::pipeline
