// A run cut into shards for a cluster (docs/SHARDS.md): one shard per (exchange, symbol) and
// market-time window. Chained (the default): a symbol's shards each resume the run where the one
// before stopped (its checkpoint at the window's end), so the chain's output is, byte for byte,
// the one a single machine writes with the same options. Independent days (Lake inputs, whose
// `book` snapshots restart the book): each shard is its own reconstruction of one symbol's dt
// partitions of its days, started cold, so all run at once; the merge gathers their parts. The
// plan is written once and never changes.
//
// <plan>/plan.json    the shards (index, symbol, window, the shard it continues), config hash
// <plan>/out/         the output: a supervised run's folder (.rlx/run.json holds its options)
// <plan>/shards/      NNNNNN.done (written last, when a shard is done), .error, .lock
// <plan>/days/        independent days: NNNNNN/, each shard's own run folder
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/core/message.h"
#include "rlx/core/name_table.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/worker.h"

namespace rlx::shard {

// How a symbol's windows relate: chained (each resumes the one before: exact), independent (Lake
// with whole-day windows: each a cold start on its own days), or auto (independent where it can
// be: Lake inputs, whole-day windows, no --validate; chained otherwise).
enum class Days : uint8_t { kAuto, kChained, kIndependent };
inline constexpr NameTable<Days, 3> kDaysNames = {
    {{"auto", Days::kAuto}, {"chained", Days::kChained}, {"independent", Days::kIndependent}}};

struct PlanOptions {
  pipeline::ReconstructOptions run;  // inputs and options; out_dir is ignored (<plan>/out)
  std::filesystem::path dir;         // the plan folder (created; must not hold a plan)
  int64_t from_ns = kNull;           // the first window starts here (market time, UTC)
  int64_t to_ns = kNull;             // the last window ends here
  int64_t shard_seconds = 86'400;    // window length; divides a day or is whole days
  Days days = Days::kAuto;
  bool overwrite = false;  // replace a plan already in dir
};

struct Shard {
  uint32_t index = 0;  // window * symbols + symbol: the tasks of one window are contiguous
  pipeline::SymbolKey key;
  int64_t start_ns = kNull;  // kNull: the first of its chain (also takes what precedes from)
  int64_t end_ns = kNull;    // kNull: the last (runs to the end of input and finishes)
  int64_t after = -1;        // the shard this one continues (-1: none)
  pipeline::Feed feed = pipeline::Feed::kInputs;
  std::string id() const;  // "binance-futures/BTCUSDT/2024-08-08T00:00:00Z"
};

struct Plan {
  std::filesystem::path dir;
  std::string config_xxh3;  // of run.json and the shard list: a .done marker names it
  int64_t shard_seconds = 0;
  bool independent = false;  // independent days: no shard continues another
  uint32_t windows = 0;
  std::vector<pipeline::SymbolKey> keys;  // sorted
  std::vector<Shard> shards;              // by index

  std::filesystem::path out_dir() const { return dir / "out"; }
  std::filesystem::path day_dir(uint32_t index) const;  // independent days: a shard's own run
  std::filesystem::path marker(uint32_t index, const char* suffix) const;
};

// Writes the plan: finds the symbols (Lake: the partitions; otherwise the first 100,000
// messages of each input), writes <dir>/out/.rlx/run.json and <dir>/plan.json.
Plan make_plan(const PlanOptions& options);

// Reads <dir>/plan.json (kInvalidArgument: no plan there; kBadInput: a damaged one).
Plan read_plan(const std::filesystem::path& dir);

// "2024-08-08", "2024-08-08T23:55", "2024-08-08T23:55:30" (UTC) in ns; `end_of_day`: a date
// alone means the end of that day. Throws kInvalidArgument naming `flag`.
int64_t parse_utc(const std::string& text, const char* flag, bool end_of_day);
std::string format_utc(int64_t ns);  // "2024-08-08T23:55:00Z"

}  // namespace rlx::shard
