#include "rlx/pipeline/run_journal.h"

#include <algorithm>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/thin_part.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kCheckpointTag = make_tag("RCK", 4);
constexpr uint32_t kBatchTag = make_tag("RBT", 1);

fs::path checkpoint_dir(const fs::path& state) { return state / "checkpoints"; }
fs::path wal_dir(const fs::path& state) { return state / "wal"; }

std::string batch_record(uint64_t batch,
                         const std::vector<std::pair<SymbolKey, int64_t>>& next_seqs) {
  std::string out;
  BinaryWriter w(&out);
  w.u32(kBatchTag);
  w.u64(batch);
  w.u64(next_seqs.size());
  for (const auto& [key, seq] : next_seqs) {
    w.str(key.first);
    w.str(key.second);
    w.i64(seq);
  }
  return out;
}

uint64_t batch_of(std::string_view record) {
  BinaryReader r(record);
  r.expect_tag(kBatchTag, "journal record");
  return r.u64("journal batch");
}

// Parquet parts, thin copies and temp files under the output (of `owner` only, when given) that
// manifest.json does not list: what a crash left between writing a part and committing it.
// They are regenerated identically.
void remove_uncommitted(const fs::path& out, const std::optional<SymbolKey>& owner,
                        const std::vector<sink::FileInfo>& committed, const Log& log) {
  std::vector<std::string> listed;
  listed.reserve(committed.size());
  for (const sink::FileInfo& f : committed) {
    listed.push_back((out / f.path).lexically_normal());
    if (f.thin_bytes > 0) listed.push_back((out / sink::thin_path(f.path)).lexically_normal());
  }
  std::sort(listed.begin(), listed.end());
  std::vector<fs::path> scopes;  // the owner's partition folder, or every exchange's
  if (owner) {
    scopes.push_back(out / sink::symbol_partition(owner->first, owner->second));
  } else {
    for (const auto& top : fs::directory_iterator(out)) {
      if (top.path().filename().string().rfind("exchange=", 0) == 0) scopes.push_back(top.path());
    }
  }
  std::vector<fs::path> doomed;
  for (const fs::path& scope : scopes) {
    if (!fs::exists(scope)) continue;
    for (const auto& e : fs::recursive_directory_iterator(scope)) {
      if (!e.is_regular_file()) continue;
      const std::string p = e.path().lexically_normal();
      if (!std::binary_search(listed.begin(), listed.end(), p)) doomed.push_back(e.path());
    }
  }
  for (const fs::path& p : doomed) {
    log.info("resume.remove_uncommitted", {{"path", p.string()}});
    fs::remove(p);
  }
  if (!doomed.empty()) durability::fsync_dir(out);
}

}  // namespace

std::string RunCheckpoint::serialize() const {
  std::string out;
  BinaryWriter w(&out);
  w.u32(kCheckpointTag);
  replay.save(w);
  w.u64(messages);
  w.u64(filtered_out);
  w.i64(next_scheduled);
  w.u64(engines.size());
  for (const auto& [key, engine] : engines) {
    w.str(key.first);
    w.str(key.second);
    engine.save(w);
  }
  w.u64(monitors.size());
  for (const auto& [key, state] : monitors) {
    w.str(key.first);
    w.str(key.second);
    w.str(state);
  }
  return out;
}

RunCheckpoint RunCheckpoint::parse(std::string_view payload) {
  BinaryReader r(payload);
  r.expect_tag(kCheckpointTag, "run checkpoint");
  RunCheckpoint c;
  c.replay = replay::ReplayState::load(r);
  c.messages = r.u64("messages");
  c.filtered_out = r.u64("filtered_out");
  c.next_scheduled = r.i64("next_scheduled");
  const uint64_t n = r.count("engines", 17);
  for (uint64_t i = 0; i < n; ++i) {
    std::string exchange = r.str("exchange");
    std::string symbol = r.str("symbol");
    c.engines.emplace(SymbolKey{std::move(exchange), std::move(symbol)}, book::BookEngine::load(r));
  }
  const uint64_t m = r.count("monitors", 24);
  for (uint64_t i = 0; i < m; ++i) {
    std::string exchange = r.str("exchange");
    std::string symbol = r.str("symbol");
    c.monitors.emplace(SymbolKey{std::move(exchange), std::move(symbol)}, r.str("monitor"));
  }
  r.expect_end("run checkpoint");
  return c;
}

RunJournal::RunJournal(JournalOptions options, const Log& log)
    : options_(std::move(options)), log_(log) {
  const fs::path& out = options_.out_dir;
  if (options_.resume) {
    // The journal of the crashed run (a torn last record is cut).
    const durability::WalScan scan = durability::scan_wal(
        wal_dir(options_.state_dir), /*repair=*/true, [this](uint64_t, std::string_view payload) {
          journaled_[batch_of(payload)] = std::string(payload);
        });
    if (scan.torn_tail) {
      log_.warn("resume.wal_torn_tail", {{"file", scan.torn_file.string()},
                                         {"offset", scan.torn_offset},
                                         {"bytes_cut", scan.torn_bytes}});
    }
    committed_ = sink::read_manifest(out);
    if (options_.owner) {
      const SymbolKey& key = *options_.owner;
      std::erase_if(committed_, [&key](const sink::FileInfo& f) {
        return f.exchange != key.first || f.symbol != key.second;
      });
    }
    const std::vector<std::string> problems = sink::verify_manifest(out, committed_);
    if (!problems.empty()) {
      throw Error(StatusCode::kBadInput,
                  problems.front() +
                      ": a committed part cannot be trusted, so this run cannot be "
                      "resumed exactly; start over with --overwrite");
    }
    remove_uncommitted(out, options_.owner, committed_, log_);
    for (const sink::FileInfo& f : committed_) {
      int64_t& end = committed_end_[{f.exchange, f.symbol}];
      end = std::max(end, f.last_event_seq + 1);
    }
    std::vector<std::string> skipped;
    candidates_ =
        durability::CheckpointStore::load_valid(checkpoint_dir(options_.state_dir), &skipped);
    for (const std::string& p : skipped) log_.warn("resume.checkpoint_skipped", {{"why", p}});
    log_.info("resume.scan", {{"journaled_batches", static_cast<uint64_t>(journaled_.size())},
                              {"committed_parts", static_cast<uint64_t>(committed_.size())},
                              {"checkpoints", static_cast<uint64_t>(candidates_.size())}});
  }
}

RunJournal::~RunJournal() = default;

int64_t RunJournal::committed_end(const SymbolKey& key) const {
  const auto it = committed_end_.find(key);
  return it == committed_end_.end() ? 0 : it->second;
}

std::optional<RunCheckpoint> RunJournal::take_restore_point() {
  std::optional<RunCheckpoint> chosen;
  uint64_t chosen_id = 0;
  for (const durability::LoadedCheckpoint& c : candidates_) {
    RunCheckpoint state = RunCheckpoint::parse(c.payload);
    bool usable = true;
    for (const auto& [key, engine] : state.engines) {
      usable &= engine.next_event_seq() <= committed_end(key);
    }
    if (usable) {
      chosen = std::move(state);
      chosen_id = c.id;
      break;
    }
  }
  candidates_.clear();
  // Checkpoints the resumed run cannot use are dropped; it writes its own from here on.
  durability::CheckpointStore::drop_newer_than(checkpoint_dir(options_.state_dir),
                                               chosen ? chosen_id : 0);
  store_ = std::make_unique<durability::CheckpointStore>(durability::CheckpointStoreOptions{
      checkpoint_dir(options_.state_dir), options_.keep_checkpoints});
  durability::WalOptions wo;
  wo.dir = wal_dir(options_.state_dir);
  wo.fsync = options_.fsync;
  wo.fsync_interval_ms = options_.fsync_interval_ms;
  wo.io = options_.wal_io;
  wal_ = std::make_unique<durability::WalWriter>(wo);
  if (options_.resume) {
    log_.info("resume.restore_point", {{"batch", chosen ? chosen->replay.batches : uint64_t{0}},
                                       {"from_scratch", std::string(chosen ? "no" : "yes")}});
  }
  return chosen;
}

void RunJournal::checkpoint(RunCheckpoint state) {
  const uint64_t id = state.replay.batches;
  checkpoint_lsns_.push_back(wal_->next_lsn());
  // Journal records older than the oldest kept checkpoint can never be needed again.
  if (checkpoint_lsns_.size() > options_.keep_checkpoints) {
    checkpoint_lsns_.pop_front();
    wal_->truncate_before(checkpoint_lsns_.front());
  }
  auto shared = std::make_shared<RunCheckpoint>(std::move(state));
  store_->submit(id, [shared] { return shared->serialize(); });
}

void RunJournal::batch_done(uint64_t batch,
                            const std::vector<std::pair<SymbolKey, int64_t>>& next_seqs) {
  std::string record = batch_record(batch, next_seqs);
  if (!journaled_.empty()) {
    const auto it = journaled_.find(batch);
    if (it != journaled_.end()) {
      if (it->second != record) {
        throw Error(StatusCode::kInternal,
                    "resume: batch " + std::to_string(batch) +
                        " does not end where the interrupted run journaled it: the inputs or "
                        "the program changed; start over with --overwrite");
      }
      journaled_.erase(journaled_.begin(), std::next(it));
      if (journaled_.empty()) {
        // Back where the interrupted run was: the recovery is over.
        log_.info(
            "resume.caught_up",
            {{"batch", batch},
             {"seconds",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_).count()}});
      }
    }
  }
  wal_->append(record);
  wal_->sync();
}

void RunJournal::commit(const std::vector<sink::FileInfo>& files) {
  sink::update_manifest(options_.out_dir, options_.owner ? &*options_.owner : nullptr, files);
}

void RunJournal::suspend() {
  store_->wait();
  wal_->close();
}

void RunJournal::finish() {
  store_->wait();
  wal_->close();
  wal_.reset();
  store_.reset();
  mark_done(options_.state_dir);
  std::error_code ec;
  fs::remove_all(wal_dir(options_.state_dir), ec);
  fs::remove_all(checkpoint_dir(options_.state_dir), ec);
}

}  // namespace rlx::pipeline
