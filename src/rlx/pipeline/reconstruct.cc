#include "rlx/pipeline/reconstruct.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"
#include "rlx/features/stream_monitor.h"
#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/lake_reader.h"
#include "rlx/io/tardis_reader.h"
#include "rlx/pipeline/options_check.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_journal.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/replay/replayer.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {

bool wanted(const ReconstructOptions& options, const std::string& exchange,
            const std::string& symbol) {
  return (options.exchange.empty() || options.exchange == exchange) &&
         io::symbol_matches(options.symbols, symbol);
}

// Explicit Lake files name their table by a path component (`.../book_delta_v2/...`) or by a
// file name that starts with the table name.
bool lake_table_of(const fs::path& file, io::LakeTable* table) {
  for (const auto& part : file.parent_path()) {
    if (io::parse_lake_table(part.string(), table)) return true;
  }
  const std::string name = file.filename().string();
  for (io::LakeTable t :
       {io::LakeTable::kBookDelta, io::LakeTable::kTrades, io::LakeTable::kBook}) {
    const std::string prefix = io::lake_table_name(t);
    if (name.rfind(prefix, 0) == 0) {
      *table = t;
      return true;
    }
  }
  return false;
}

// Whether a Lake partition's day is within --date-from / --date-to.
bool in_dates(const ReconstructOptions& options, const io::LakePartition& p) {
  return (options.date_from.empty() || p.date >= options.date_from) &&
         (options.date_to.empty() || p.date <= options.date_to);
}

// Replay priority of Lake tables on equal origin_time (see open_readers).
constexpr io::LakeTable kLakeOrder[] = {io::LakeTable::kTrades, io::LakeTable::kBookDelta,
                                        io::LakeTable::kBook};

// The Lake inputs of one (exchange, symbol): explicit files by table, and the layout roots
// holding it.
struct LakeGroup {
  std::vector<fs::path> files[3];
  std::vector<fs::path> roots;
};

std::map<SymbolKey, LakeGroup> lake_groups(const ReconstructOptions& options) {
  std::map<SymbolKey, LakeGroup> groups;
  for (const fs::path& input : options.inputs) {
    if (fs::is_directory(input)) {
      const auto partitions = io::list_lake_partitions(input);
      if (partitions.empty()) {
        throw bad_input(Location{input.string(), 0, ""},
                        "no Crypto Lake partitions ({table}/exchange=E/symbol=S/dt=D/) found");
      }
      for (const auto& p : partitions) {
        io::LakeTable table;
        if (!io::parse_lake_table(p.table, &table)) continue;  // other tables: not ours
        if (!wanted(options, p.exchange, p.symbol) || !in_dates(options, p)) continue;
        auto& roots = groups[{p.exchange, p.symbol}].roots;
        if (std::find(roots.begin(), roots.end(), input) == roots.end()) roots.push_back(input);
      }
    } else {
      io::LakeTable table;
      if (!lake_table_of(input, &table)) {
        throw bad_input(Location{input.string(), 0, ""},
                        "cannot tell which Lake table this file holds: put it under a "
                        "trades/, book/ or book_delta_v2/ folder");
      }
      std::string exchange, symbol;
      for (const auto& part : input.parent_path()) {
        const std::string s = part.string();
        if (s.rfind("exchange=", 0) == 0) exchange = s.substr(9);
        if (s.rfind("symbol=", 0) == 0) symbol = s.substr(7);
      }
      if (!wanted(options, exchange, symbol)) continue;
      groups[{exchange, symbol}].files[static_cast<int>(table)].push_back(input);
    }
  }
  return groups;
}

// Lake exchanges and symbols come from folder names, and name the output's folders too.
void check_lake_names(const SymbolKey& key, const LakeGroup& group) {
  for (const auto& [what, name] : {std::pair{"exchange", &key.first}, {"symbol", &key.second}}) {
    if (valid_partition_name(*name)) continue;
    const fs::path where = group.roots.empty() ? fs::path() : group.roots.front();
    throw bad_input(Location{where.string(), 0, what}, partition_name_error(what, *name));
  }
}

// --symbols or --date-from/--date-to that select no Lake partition: a usage error that says what
// the inputs hold.
Error nothing_selected(const ReconstructOptions& options) {
  std::string held;
  for (const fs::path& input : options.inputs) {
    if (!fs::is_directory(input)) continue;
    std::string first, last;
    std::vector<std::string> names;
    for (const auto& p : io::list_lake_partitions(input)) {
      const std::string name = p.exchange + "/" + p.symbol;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      if (first.empty() || p.date < first) first = p.date;
      if (last.empty() || p.date > last) last = p.date;
    }
    if (names.empty()) continue;
    std::string list;
    for (size_t i = 0; i < names.size() && i < 8; ++i) list += (i > 0 ? ", " : "") + names[i];
    if (names.size() > 8) list += ", ... (" + std::to_string(names.size()) + " in all)";
    held += fmt::format("; {} holds {} from {} to {}", input.string(), list, first, last);
  }
  return Error(StatusCode::kInvalidArgument,
               "--symbols / --date-from / --date-to select no Lake partition of the inputs" + held);
}

void open_lake(const ReconstructOptions& options,
               std::vector<std::unique_ptr<io::MessageReader>>* readers,
               std::vector<std::string>* names) {
  for (const auto& entry : lake_groups(options)) {
    const auto& key = entry.first;  // a plain reference: lambdas may capture it (clang 14)
    const LakeGroup& group = entry.second;
    check_lake_names(key, group);
    for (io::LakeTable table : kLakeOrder) {
      auto add = [&](io::LakeReaderOptions o, const std::string& name) {
        o.table = table;
        o.exchange = key.first;
        o.symbol = key.second;
        o.source = static_cast<uint32_t>(readers->size());
        o.bad_rows = options.on_bad_row;
        readers->push_back(std::make_unique<io::LakeReader>(std::move(o)));
        names->push_back(name);
      };
      for (const fs::path& root : group.roots) {
        bool present = false;
        for (const auto& p : io::list_lake_partitions(root)) {
          present |= p.table == io::lake_table_name(table) && p.exchange == key.first &&
                     p.symbol == key.second && in_dates(options, p);
        }
        if (!present) continue;
        io::LakeReaderOptions o;
        o.root = root;
        o.date_from = options.date_from;
        o.date_to = options.date_to;
        add(std::move(o), (root / io::lake_table_name(table) / ("exchange=" + key.first) /
                           ("symbol=" + key.second))
                              .string());
      }
      const auto& files = group.files[static_cast<int>(table)];
      if (!files.empty()) {
        io::LakeReaderOptions o;
        o.files = files;
        add(std::move(o), files.front().string());
      }
    }
  }
  if (readers->empty()) throw nothing_selected(options);
}

}  // namespace

void check_inputs(const ReconstructOptions& options) {
  if (options.inputs.empty()) throw Error(StatusCode::kInvalidArgument, "no --input given");
  for (const fs::path& input : options.inputs) {
    if (!fs::exists(input))
      throw bad_input(Location{input.string(), 0, ""}, "no such file or folder");
  }
  if (options.source != SourceKind::kLake) return;
  for (const auto& [key, group] : lake_groups(options)) check_lake_names(key, group);
  lake_symbols(options);  // refuses a selection of nothing
}

std::vector<SymbolKey> find_lake_symbols(const ReconstructOptions& options) {
  for (const fs::path& input : options.inputs) {
    if (!fs::exists(input))
      throw bad_input(Location{input.string(), 0, ""}, "no such file or folder");
  }
  std::vector<SymbolKey> keys;
  for (const auto& entry : lake_groups(options)) keys.push_back(entry.first);
  return keys;
}

std::vector<SymbolKey> lake_symbols(const ReconstructOptions& options) {
  std::vector<SymbolKey> keys = find_lake_symbols(options);
  if (keys.empty()) throw nothing_selected(options);
  return keys;
}

std::vector<std::unique_ptr<io::MessageReader>> open_readers(const ReconstructOptions& options,
                                                             std::vector<std::string>* names,
                                                             bool check_names) {
  std::vector<std::unique_ptr<io::MessageReader>> readers;
  if (options.inputs.empty()) throw Error(StatusCode::kInvalidArgument, "no --input given");
  for (const fs::path& input : options.inputs) {
    if (!fs::exists(input))
      throw bad_input(Location{input.string(), 0, ""}, "no such file or folder");
  }
  switch (options.source) {
    case SourceKind::kBinanceRaw:
      for (const fs::path& input : options.inputs) {
        io::BinanceRawOptions o;
        o.on_bad_row = options.on_bad_row;
        o.symbols = options.symbols;
        o.check_names = check_names;
        o.source = static_cast<uint32_t>(readers.size());
        readers.push_back(std::make_unique<io::BinanceRawReader>(input.string(), o));
        names->push_back(input.string());
      }
      break;
    case SourceKind::kTardis:
      for (const fs::path& input : options.inputs) {
        io::TardisReaderOptions o;
        o.file = input;
        o.bad_rows = options.on_bad_row;
        o.check_names = check_names;
        o.symbols = options.symbols;
        o.source = static_cast<uint32_t>(readers.size());
        readers.push_back(std::make_unique<io::TardisReader>(std::move(o)));
        names->push_back(input.string());
      }
      break;
    case SourceKind::kLake:
      open_lake(options, &readers, names);
      break;
  }
  return readers;
}

namespace {

// Hands each event to the sink, then to the tier-1 stream monitor (--validate).
class Tee final : public book::EventConsumer {
 public:
  Tee(book::EventConsumer* first, book::EventConsumer* second) : first_(first), second_(second) {}
  void on_event(const Event& event, const book::OrderBook& book) override {
    first_->on_event(event, book);
    second_->on_event(event, book);
  }

 private:
  book::EventConsumer* first_;
  book::EventConsumer* second_;
};

struct SymbolState {
  std::string exchange;
  std::string symbol;
  std::unique_ptr<book::BookEngine> engine;
  std::unique_ptr<sink::ParquetSink> sink;
  std::unique_ptr<features::StreamMonitor> monitor;  // --validate
  std::unique_ptr<Tee> tee;
  book::EventConsumer& consumer() { return tee ? static_cast<book::EventConsumer&>(*tee) : *sink; }
};

}  // namespace

std::unique_ptr<durability::FileLock> lock_out_dir(const fs::path& out_dir) {
  if (out_dir.empty()) throw Error(StatusCode::kInvalidArgument, "no --out given");
  durability::create_directories_durable(out_dir);
  return std::make_unique<durability::FileLock>(
      out_dir, durability::FileLock::Mode::kTry,
      out_dir.string() +
          " is being written by another rlx process: wait for it to end, or choose another "
          "--out (a run that was killed is finished with `rlx reconstruct --resume " +
          out_dir.string() + "`)");
}

// An existing output in out_dir is only replaced when asked: silently mixing runs would corrupt
// it; an unfinished run is pointed at --resume.
void prepare_out_dir(const ReconstructOptions& options) {
  const fs::path& out = options.out_dir;
  if (out.empty()) throw Error(StatusCode::kInvalidArgument, "no --out given");
  // A run killed before it recorded run.json left at most an empty state folder: nothing to keep.
  const fs::path state = out / kStateDir;
  if (fs::exists(out) && run_status(state) == RunStatus::kNone && fs::exists(state)) {
    bool only_state = true;
    for (const auto& entry : fs::directory_iterator(out)) {
      only_state &= entry.path().filename() == kStateDir;
    }
    if (only_state) fs::remove_all(out / kStateDir);
  }
  if (fs::exists(out) && !fs::is_empty(out)) {
    if (!options.overwrite) {
      if (run_status(state) == RunStatus::kUnfinished) {
        throw Error(StatusCode::kInvalidArgument,
                    out.string() +
                        " holds an unfinished run: finish it with `rlx "
                        "reconstruct --resume " +
                        out.string() + "`, or pass --overwrite to start over");
      }
      throw Error(StatusCode::kInvalidArgument, out.string() +
                                                    " is not empty: choose another --out or pass "
                                                    "--overwrite to replace the previous output");
    }
    for (const auto& entry : fs::directory_iterator(out)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("exchange=", 0) == 0 || name == sink::kManifestName ||
          name == sink::kReportName || name == sink::kManifestLockName || name == kStateDir) {
        fs::remove_all(entry.path());
      }
    }
  }
  fs::create_directories(out);
}

ReconstructOptions resumed_options(const ReconstructOptions& given) {
  const fs::path state = state_dir_of(given);
  switch (run_status(state)) {
    case RunStatus::kNone:
      if (!fs::is_directory(given.out_dir)) {
        throw Error(StatusCode::kInvalidArgument,
                    "--resume " + given.out_dir.string() + ": no such folder");
      }
      throw Error(StatusCode::kInvalidArgument,
                  given.out_dir.string() +
                      " holds no rlx run to resume (no .rlx/run.json: it is not an rlx output, or "
                      "its run was stopped before it recorded its inputs): run the original "
                      "command again");
    case RunStatus::kDone:
      throw Error(StatusCode::kInvalidArgument,
                  given.out_dir.string() + " is a finished run: nothing to resume");
    case RunStatus::kUnfinished:
      break;
  }
  ReconstructOptions o = read_run_file(state, given.out_dir);
  o.open_inputs = given.open_inputs;
  o.writer_threads = given.writer_threads;
  o.on_batch = given.on_batch;
  o.progress = given.progress;
  o.progress_sink = given.progress_sink;
  o.stop_at = given.stop_at;
  o.stop_requested = given.stop_requested;
  o.log = given.log;
  o.resume = true;
  o.durable = true;
  o.keep_checkpoints = given.keep_checkpoints;
  o.fsync = given.fsync;
  o.fsync_interval_ms = given.fsync_interval_ms;
  o.wal_io = given.wal_io;
  return o;
}

namespace {

int64_t utc_day(int64_t ns) {
  constexpr int64_t kDay = 86'400'000'000'000;
  return ns >= 0 ? ns / kDay : -((-ns + kDay - 1) / kDay);
}

}  // namespace

ReconstructSummary reconstruct(const ReconstructOptions& given) {
  const auto start = std::chrono::steady_clock::now();
  const ReconstructOptions options = given.resume ? resumed_options(given) : given;
  const Log& log = options.log;
  const bool worker = options.mode == RunMode::kWorker;
  const fs::path state_dir = state_dir_of(options);
  check_reconstruct_options(options);
  // A worker's folder is locked by its supervisor.
  const std::unique_ptr<durability::FileLock> out_lock =
      worker ? nullptr : lock_out_dir(options.out_dir);
  std::optional<SymbolKey> owner;
  if (worker) {
    if (options.symbols.size() != 1 || options.exchange.empty()) {
      throw Error(StatusCode::kInvalidArgument,
                  "a worker reconstructs exactly one exchange and symbol");
    }
    owner = SymbolKey{options.exchange, options.symbols.front()};
  }
  if (!options.resume) {
    // Whatever can refuse the inputs does so before the output folder changes (--overwrite
    // would otherwise have cleared the previous output for nothing).
    if (!worker && !options.open_inputs) check_inputs(options);
    if (!worker) prepare_out_dir(options);  // a worker's output tree belongs to its supervisor
    if (options.durable) write_run_file(options);
  }
  log.info("reconstruct.start", {{"inputs", static_cast<uint64_t>(options.inputs.size())},
                                 {"out", options.out_dir.string()},
                                 {"resume", std::string(options.resume ? "yes" : "no")}});

  std::unique_ptr<RunJournal> journal;
  std::optional<RunCheckpoint> restored;
  if (options.durable) {
    journal = std::make_unique<RunJournal>(
        JournalOptions{options.out_dir, state_dir, owner, options.resume, options.keep_checkpoints,
                       options.fsync, options.fsync_interval_ms, options.wal_io},
        log);
    restored = journal->take_restore_point();
  }

  std::vector<std::string> names;
  auto readers = options.open_inputs ? options.open_inputs(&names) : open_readers(options, &names);
  const replay::ReplayOptions replay_options{options.batch_size};
  std::unique_ptr<replay::Replayer> replayer =
      restored
          ? std::make_unique<replay::Replayer>(std::move(readers), replay_options, restored->replay)
          : std::make_unique<replay::Replayer>(std::move(readers), replay_options);

  std::map<SymbolKey, SymbolState> states;
  auto make_state = [&](const SymbolKey& key, std::unique_ptr<book::BookEngine> engine,
                        const std::string* monitor_state) {
    SymbolState& s = states[key];
    s.exchange = key.first;
    s.symbol = key.second;
    s.engine = std::move(engine);
    sink::ParquetSinkOptions so;
    so.root = options.out_dir;
    so.exchange = key.first;
    so.symbol = key.second;
    so.top_n = options.top_n;
    so.writer_threads = options.writer_threads;
    so.rows_per_file = static_cast<int64_t>(options.rows_per_file);
    so.write_thin = options.validate && options.thin_copies;  // what `rlx validate` reads
    if (journal) {
      for (const sink::FileInfo& f : journal->committed()) {
        if (f.exchange == key.first && f.symbol == key.second) so.committed.push_back(f);
      }
      so.skip_below_seq = journal->committed_end(key);
    }
    s.sink = std::make_unique<sink::ParquetSink>(so);
    if (options.validate) {
      if (monitor_state != nullptr) {
        BinaryReader r(*monitor_state);
        s.monitor = std::make_unique<features::StreamMonitor>(features::StreamMonitor::load(r));
      } else {
        s.monitor = std::make_unique<features::StreamMonitor>();
      }
      s.tee = std::make_unique<Tee>(s.sink.get(), s.monitor.get());
    }
    return &s;
  };

  ReconstructSummary summary;
  int64_t next_scheduled = kNull;  // next market-time checkpoint (--checkpoint-seconds)
  if (restored) {
    summary.messages = restored->messages;
    summary.filtered_out = restored->filtered_out;
    next_scheduled = restored->next_scheduled;
    for (auto& [key, engine] : restored->engines) {
      const auto m = restored->monitors.find(key);
      make_state(key, std::make_unique<book::BookEngine>(std::move(engine)),
                 m == restored->monitors.end() ? nullptr : &m->second);
    }
  }
  SymbolState* last = nullptr;
  auto state_for = [&](const Message& m) -> SymbolState* {
    if (last != nullptr && last->symbol == m.symbol && last->exchange == m.exchange) return last;
    const SymbolKey key{m.exchange, m.symbol};
    auto it = states.find(key);
    last = it != states.end()
               ? &it->second
               : make_state(key, std::make_unique<book::BookEngine>(options.book), nullptr);
    return last;
  };

  // Whether `batch` may start a part of some symbol: its rows could reach --rows-per-file, it
  // holds a message of another UTC date, the symbol has no open part, or buffered diffs may be
  // emitted with it. Then the state before it is the recovery point of that part.
  // Runs once per batch over its messages, so it avoids building keys: consecutive messages
  // mostly share a symbol, and the per-symbol bound lives in a small vector.
  std::vector<std::pair<SymbolState*, int64_t>> upper;
  auto may_start_part = [&](const std::vector<Message>& batch) {
    upper.clear();
    upper.reserve(states.size());  // no reallocation: `rows` stays valid
    SymbolState* s = nullptr;
    int64_t* rows = nullptr;
    int64_t day = 0;
    for (const Message& m : batch) {
      if (m.kind == MessageKind::kTicker) continue;
      if (s == nullptr || s->symbol != m.symbol || s->exchange != m.exchange) {
        if (!wanted(options, m.exchange, m.symbol)) continue;
        const auto it = states.find(SymbolKey{m.exchange, m.symbol});
        if (it == states.end()) return true;  // a new symbol's first part
        s = &it->second;
        if (s->engine->buffered_messages() > 0 || !s->sink->open_part_day(&day)) return true;
        auto u =
            std::find_if(upper.begin(), upper.end(), [&](const auto& e) { return e.first == s; });
        if (u == upper.end()) u = upper.emplace(upper.end(), s, s->sink->open_part_rows());
        rows = &u->second;
      }
      for (const int64_t t : {m.origin_time, m.received_time}) {
        if (t != kNull && utc_day(t) != day) return true;
      }
      *rows += std::max<int64_t>(1, static_cast<int64_t>(m.levels.size()));
      if (*rows >= static_cast<int64_t>(options.rows_per_file)) return true;
    }
    return false;
  };
  auto capture = [&](const replay::ReplayState& position) {
    RunCheckpoint c;
    c.replay = position;
    c.messages = summary.messages;
    c.filtered_out = summary.filtered_out;
    c.next_scheduled = next_scheduled;
    for (const auto& [key, s] : states) {
      c.engines.emplace(key, s.engine->snapshot());
      if (s.monitor) {
        std::string state;
        BinaryWriter w(&state);
        s.monitor->save(w);
        c.monitors.emplace(key, std::move(state));
      }
    }
    journal->checkpoint(std::move(c));
  };
  auto commit_if_changed = [&](size_t* committed_files) {
    size_t n = 0;
    for (const auto& [key, s] : states) n += s.sink->files().size();
    if (n == *committed_files) return;
    *committed_files = n;
    std::vector<sink::FileInfo> files;
    for (const auto& [key, s] : states) {
      files.insert(files.end(), s.sink->files().begin(), s.sink->files().end());
    }
    journal->commit(files);
  };

  Progress progress(options.progress, "reconstruct", options.progress_sink);
  std::vector<Message> batch;
  std::vector<std::pair<SymbolKey, int64_t>> next_seqs;
  size_t committed_files = journal ? journal->committed().size() : 0;
  replay::ReplayState before = replayer->state();
  // A shard whose window lies behind the state it resumed from has nothing to do.
  bool stop =
      options.stop_at != kNull && next_scheduled != kNull && next_scheduled > options.stop_at;
  bool interrupted = false;
  while (!stop && replayer->next_batch(&batch)) {
    if (journal && before.batches > 0 && may_start_part(batch)) capture(before);
    for (const Message& m : batch) {
      if (!wanted(options, m.exchange, m.symbol)) {  // Tardis files may hold other symbols
        ++summary.filtered_out;
        continue;
      }
      SymbolState* s = state_for(m);
      s->engine->on_message(m, s->consumer());
    }
    summary.messages += batch.size();
    // A scheduled checkpoint: parts end here, so the state after this batch is a recovery point.
    bool scheduled = false;
    if (options.checkpoint_batches > 0 && replayer->batches() % options.checkpoint_batches == 0) {
      scheduled = true;
    }
    if (options.checkpoint_seconds > 0) {
      const int64_t period = options.checkpoint_seconds * 1'000'000'000;
      for (const Message& m : batch) {
        if (m.origin_time == kNull) continue;
        if (next_scheduled == kNull) next_scheduled = (m.origin_time / period + 1) * period;
        if (m.origin_time >= next_scheduled) {
          scheduled = true;
          next_scheduled = (m.origin_time / period + 1) * period;
        }
      }
    }
    if (scheduled) {
      for (auto& [key, s] : states) s.sink->commit_open_part();
    }
    if (journal) {
      next_seqs.clear();
      for (const auto& [key, s] : states) next_seqs.emplace_back(key, s.engine->next_event_seq());
      journal->batch_done(replayer->batches(), next_seqs);
      commit_if_changed(&committed_files);
      before = replayer->state();
      if (scheduled) capture(before);
    }
    // A shard ends at the scheduled checkpoint past its window, with its parts committed.
    stop = scheduled && options.stop_at != kNull && next_scheduled > options.stop_at;
    interrupted = !stop && options.stop_requested != nullptr && options.stop_requested->load();
    stop = stop || interrupted;
    if (options.on_batch) {
      uint64_t rows = 0;
      for (const auto& [key, s] : states) rows += static_cast<uint64_t>(s.sink->rows());
      options.on_batch(summary.messages, rows);
    }
    if (progress.enabled()) {
      uint64_t done = 0, total = 0, rows = 0;
      for (size_t i = 0; i < replayer->source_count(); ++i) {
        done += replayer->source(i).bytes_done();
        total += replayer->source(i).bytes_total();
      }
      for (const auto& [key, s] : states) rows += static_cast<uint64_t>(s.sink->rows());
      progress.update(done, total, rows);
    }
  }
  if (stop || options.stop_at != kNull) {
    // Unfinished, on purpose: the checkpoints stay for the next shard (or --resume), and the
    // open parts are left to it (a resume removes what no manifest lists).
    if (journal) journal->suspend();
    summary.finished = false;
    summary.interrupted = interrupted;
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log.info("reconstruct.stopped", {{"messages", summary.messages},
                                     {"at_end_of_input", std::string(stop ? "no" : "yes")}});
    return summary;
  }
  // The end of input may still emit buffered diffs into a new part: its recovery point.
  if (journal) {
    bool buffered = false;
    for (const auto& [key, s] : states) buffered |= s.engine->buffered_messages() > 0;
    if (buffered) capture(replayer->state());
  }

  std::vector<sink::FileInfo> files;
  for (auto& [key, s] : states) {
    s.engine->finish(s.consumer());
    s.sink->finish();
    const std::vector<sink::FileInfo>& written = s.sink->files();
    SymbolSummary sym;
    sym.exchange = s.exchange;
    sym.symbol = s.symbol;
    sym.rows = static_cast<uint64_t>(s.sink->rows());
    sym.files = written.size();
    sym.stats = s.engine->stats();
    if (s.monitor) {
      JsonWriter j;
      s.monitor->finish().write_json(j);
      sym.stream_json = j.take();
    }
    summary.rows += sym.rows;
    log.info("symbol.done", {{"exchange", sym.exchange},
                             {"symbol", sym.symbol},
                             {"rows", sym.rows},
                             {"files", sym.files},
                             {"gaps", sym.stats.gaps},
                             {"resyncs", sym.stats.resyncs},
                             {"crossed", sym.stats.crossed},
                             {"unsynced_rows", sym.stats.unsynced_events}});
    if (sym.stats.gaps > 0 || sym.stats.snapshot_not_bridging > 0) {
      log.warn("symbol.gaps", {{"symbol", sym.symbol},
                               {"gaps", sym.stats.gaps},
                               {"snapshot_not_bridging", sym.stats.snapshot_not_bridging}});
    }
    summary.symbols.push_back(std::move(sym));
    files.insert(files.end(), written.begin(), written.end());
  }
  for (size_t i = 0; i < replayer->source_count(); ++i) {
    InputSummary in;
    in.path = names[i];
    in.quarantine = replayer->source(i).quarantine();
    summary.quarantined += in.quarantine.total();
    log_quarantine(log, in);
    summary.inputs.push_back(std::move(in));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish(0, 0, summary.rows);

  sink::update_manifest(options.out_dir, owner ? &*owner : nullptr, files);
  sink::write_report(worker ? state_dir : options.out_dir, report_json(summary));
  // A worker's supervisor reads its outcome from here; it exists exactly when the worker is
  // done (written before the done marker).
  if (worker) durability::write_file_atomic(state_dir / kResultFile, serialize_summary(summary));
  if (journal) journal->finish();
  log.info("reconstruct.done", {{"rows", summary.rows},
                                {"messages", summary.messages},
                                {"seconds", summary.seconds},
                                {"quarantined", summary.quarantined}});
  return summary;
}

}  // namespace rlx::pipeline
