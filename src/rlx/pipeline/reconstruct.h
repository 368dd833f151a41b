// `rlx reconstruct`: readers -> replayer -> book engine -> enrichment and Parquet sink, for
// every symbol found in the inputs, with manifest.json and report.json at the end.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/log.h"
#include "rlx/core/progress.h"
#include "rlx/durability/wal.h"
#include "rlx/io/reader.h"

namespace rlx::durability {
class FileLock;
}

namespace rlx::pipeline {

enum class SourceKind : uint8_t { kBinanceRaw = 0, kLake = 1, kTardis = 2 };

// How a run is organised (recorded in run.json, so --resume continues it the same way).
enum class RunMode : uint8_t {
  kInProcess = 0,   // every symbol in this process (`--in-process`)
  kSupervised = 1,  // a supervisor and one worker process per symbol (pipeline/supervisor.h)
  kWorker = 2,      // one symbol of a supervised run
};

using SymbolKey = std::pair<std::string, std::string>;  // exchange, symbol

// Opens a run's readers in replay-priority order, naming each in *names (open_readers below,
// or a worker's routed feed).
using OpenInputs =
    std::function<std::vector<std::unique_ptr<io::MessageReader>>(std::vector<std::string>* names)>;

struct ReconstructOptions {
  SourceKind source = SourceKind::kBinanceRaw;
  std::vector<std::filesystem::path> inputs;  // files, or Lake roots
  std::filesystem::path out_dir;
  std::vector<std::string> symbols;  // empty: every symbol present; else names or globs (BTC*)
  std::string date_from;             // Lake layout: first dt (YYYY-MM-DD), inclusive
  std::string date_to;               // Lake layout: last dt, inclusive
  size_t batch_size = 1000;          // messages per micro-batch
  int32_t top_n = 5;                 // enrichment levels per side
  uint64_t rows_per_file = 1'000'000;
  bool overwrite = false;  // replace an existing output in out_dir
  // Extra checkpoints (0: off). Every N batches, or whenever replayed market time (origin_time)
  // crosses a multiple of M seconds, the open parts are committed and a checkpoint taken, so
  // recovery redoes at most that much. Both are part of the output's definition (parts end
  // there), deterministic, and recorded in run.json. Without them a checkpoint precedes each
  // part (docs/DURABILITY.md).
  uint64_t checkpoint_batches = 0;
  int64_t checkpoint_seconds = 0;
  book::BookOptions book;
  // Tier-1 fidelity statistics per symbol, kept inline while the run writes (docs/VALIDATE.md):
  // report.json gets each symbol's `stream` object. Recorded in run.json; checkpointed.
  bool validate = false;
  // With `validate`: each part also gets its thin copy (sink/thin_part.h), which `rlx validate`
  // reads instead of the part (--no-thin-copies: tier 1 only). Recorded in run.json.
  bool thin_copies = true;
  // DuckDB threads encoding each symbol's Parquet (0: the sink's default). The bytes are the
  // same for any value, so it is a runtime setting, not recorded in run.json.
  int32_t writer_threads = 0;
  io::BadRowPolicy on_bad_row = io::BadRowPolicy::kFail;
  ProgressMode progress = ProgressMode::kAuto;
  ProgressSink* progress_sink = nullptr;  // set: progress goes there, not to stderr (not owned)
  Log log;                                // structured logs on stderr; silent by default

  RunMode mode = RunMode::kInProcess;
  // kWorker: the one exchange this worker keeps (options.symbols holds its one symbol). Its
  // state lives in state_dir, manifest.json is updated for its symbol only (under a lock shared
  // with the other workers), and report.json goes to state_dir.
  std::string exchange;
  std::filesystem::path state_dir;  // empty: <out_dir>/.rlx
  OpenInputs open_inputs;           // set: replaces open_readers (not recorded in run.json)
  // After every batch, with the messages and rows so far (a worker's heartbeat).
  std::function<void(uint64_t messages, uint64_t rows)> on_batch;
  // A shard of a longer run (docs/SHARDS.md): stop after the scheduled checkpoint
  // (checkpoint_seconds) at or past this market time, or at the end of input, without finishing:
  // the run stays resumable and the next shard resumes it. kNull: run to the end and finish.
  // A runtime setting, not recorded in run.json.
  int64_t stop_at = kNull;
  // Set from another thread (SIGTERM): stop after the current batch, resumable. Not owned.
  const std::atomic<bool>* stop_requested = nullptr;

  // Crash safety (docs/DURABILITY.md). With `resume`, only out_dir and the fields below are
  // taken from here: everything else comes from the run's .rlx/run.json.
  bool resume = false;
  bool durable = true;  // checkpoints + journal; off: nothing under .rlx, no --resume
  size_t keep_checkpoints = 3;
  durability::FsyncPolicy fsync = durability::FsyncPolicy::kInterval;
  int64_t fsync_interval_ms = 200;
  durability::WalIo* wal_io = nullptr;  // test hook: inject write failures (ENOSPC)
};

struct SymbolSummary {
  std::string exchange;
  std::string symbol;
  uint64_t rows = 0;
  uint64_t files = 0;
  book::BookStats stats;
  // Supervised runs: how the symbol's worker processes fared.
  bool failed = false;                // the circuit breaker opened: no complete output
  uint32_t attempts = 0;              // worker processes started for it in this run
  std::vector<std::string> failures;  // why each failed attempt ended, in order
  uint64_t max_rss_bytes = 0;         // the largest peak RSS among them
  std::string stream_json;            // --validate: the tier-1 statistics (StreamSummary JSON)
};

struct InputSummary {
  std::string path;
  io::Quarantine quarantine;
};

struct ReconstructSummary {
  std::vector<SymbolSummary> symbols;  // sorted by exchange, symbol
  std::vector<InputSummary> inputs;
  uint64_t messages = 0;
  uint64_t rows = 0;
  uint64_t quarantined = 0;
  uint64_t filtered_out = 0;  // messages of symbols not asked for (--symbols)
  double seconds = 0;
  RunMode mode = RunMode::kInProcess;
  uint32_t workers = 0;         // supervised: most worker processes at once
  uint64_t failed_symbols = 0;  // supervised: symbols whose circuit breaker opened
  std::string input_error;      // supervised: a routed input that could not be read
  // false: stopped by stop_at or stop_requested before the end; nothing was finished (no
  // manifest or report written), and --resume (or the next shard) goes on from the last
  // checkpoint.
  bool finished = true;
  bool interrupted = false;  // stopped by stop_requested (not at a shard's end)
};

// Runs the whole reconstruction. Throws rlx::Error (its StatusCode says what went wrong).
ReconstructSummary reconstruct(const ReconstructOptions& options);

// Creates `out_dir` if needed and takes its run lock, held for the whole run by whichever rlx
// process writes it (in-process run, supervisor, convert): a second one is refused with
// Error(kInvalidArgument), whatever its flags (--overwrite, --resume), before it touches anything.
std::unique_ptr<durability::FileLock> lock_out_dir(const std::filesystem::path& out_dir);

// Prepares options.out_dir for a new run: refuses a non-empty one unless options.overwrite
// (pointing an unfinished run at --resume), then clears the previous output.
void prepare_out_dir(const ReconstructOptions& options);

// The options of `given`'s run, read back from its run.json for --resume, with this
// invocation's runtime settings (progress, logs, fsync, hooks).
ReconstructOptions resumed_options(const ReconstructOptions& given);

// What can refuse a new in-process run's inputs before its output folder changes: a missing
// input (kBadInput); for Lake, a folder name that cannot name an output folder (kBadInput) and a
// --symbols / --date-* selection of nothing (kInvalidArgument).
void check_inputs(const ReconstructOptions& options);

// The (exchange, symbol) pairs of Lake `options.inputs` that options.symbols (and the dates)
// select, sorted; kInvalidArgument when they select nothing.
std::vector<SymbolKey> lake_symbols(const ReconstructOptions& options);
// The same, empty when nothing is selected (a day with no partition is not an error there).
std::vector<SymbolKey> find_lake_symbols(const ReconstructOptions& options);

// The readers for `options`, in replay-priority order (Lake: trades, book_delta_v2, book per
// symbol, so a trade precedes the delta that shows its effect and a snapshot follows the delta
// with its sequence number). Also used by `rlx convert`.
// `check_names` false: rows whose exchange or symbol cannot name an output folder pass through
// (the router fails that symbol alone); true: they are bad rows under options.on_bad_row.
std::vector<std::unique_ptr<io::MessageReader>> open_readers(const ReconstructOptions& options,
                                                             std::vector<std::string>* names,
                                                             bool check_names = true);

}  // namespace rlx::pipeline
