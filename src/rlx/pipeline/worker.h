// One symbol of a supervised run, in its own process (`rlx worker`, started by the supervisor):
// its book and its partitions, its own checkpoints and journal under
// <out>/.rlx/symbols/<exchange>/<symbol>/, and a few status lines to the supervisor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "rlx/core/log.h"
#include "rlx/pipeline/reconstruct.h"

namespace rlx::pipeline {

// Where a worker's messages come from.
enum class Feed : uint8_t {
  kDirect = 0,   // inputs of its symbol alone (Lake partitions): it opens them itself
  kChannel = 1,  // the router's pipe (mixed inputs, while the router reads them)
  kSpool = 2,    // the spool file the router wrote for it (mixed inputs, no slot at the time)
  kInputs = 3,   // the mixed inputs, read and filtered by itself (a restart)
};

struct WorkerOptions {
  std::filesystem::path out_dir;  // the supervised run's folder (its .rlx/run.json)
  SymbolKey key;
  Feed feed = Feed::kDirect;
  int channel_fd = -1;  // kChannel: the read end of the router's pipe (taken over)
  // Status lines to the supervisor: "P <messages> <rows>" after batches (at most every 100 ms; the
  // watchdog's progress), and "E <exit code> <message>" before an error exit. -1: none.
  int status_fd = -1;
  Log log;
  int32_t writer_threads = 0;                         // ReconstructOptions::writer_threads
  int64_t stop_at = kNull;                            // ReconstructOptions::stop_at (a shard's end)
  const std::atomic<bool>* stop_requested = nullptr;  // ReconstructOptions::stop_requested
  std::function<void(uint64_t messages)> after_batch;  // test hook (fault injection)
};

std::filesystem::path worker_state_dir(const std::filesystem::path& out_dir, const SymbolKey& key);
std::filesystem::path spool_path(const std::filesystem::path& out_dir, const SymbolKey& key);

// Runs (or resumes, from its own checkpoint) the worker's symbol to the end. A fresh start
// clears whatever an earlier attempt left of its symbol. Throws rlx::Error like reconstruct();
// the caller reports it on status_fd (write_status_error) and exits with its code.
ReconstructSummary run_worker(const WorkerOptions& options);

void write_status_error(int status_fd, int32_t code, std::string_view message);

}  // namespace rlx::pipeline
