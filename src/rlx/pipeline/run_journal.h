// The durable side of one `rlx reconstruct` run (docs/DURABILITY.md): the checkpoint store, the
// write-ahead journal of batches, manifest.json at every part commit, and, on --resume, the
// choice of the checkpoint to restore and the check that the replay regenerates what the
// crashed run journaled.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/log.h"
#include "rlx/durability/checkpoint_store.h"
#include "rlx/durability/wal.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::pipeline {

struct JournalOptions {
  std::filesystem::path out_dir;    // the output tree and its manifest.json
  std::filesystem::path state_dir;  // WAL and checkpoints (<out>/.rlx, or a worker's folder)
  std::optional<SymbolKey> owner;   // a worker: the one symbol whose parts this run owns
  bool resume = false;
  size_t keep_checkpoints = 3;
  durability::FsyncPolicy fsync = durability::FsyncPolicy::kInterval;
  int64_t fsync_interval_ms = 200;
  durability::WalIo* wal_io = nullptr;  // test hook (ENOSPC injection)
};

// Everything a checkpoint holds: the state after `replay.batches` batches.
struct RunCheckpoint {
  replay::ReplayState replay;
  uint64_t messages = 0;           // ReconstructSummary::messages so far
  uint64_t filtered_out = 0;       // ReconstructSummary::filtered_out so far
  int64_t next_scheduled = kNull;  // next --checkpoint-seconds boundary (market time)
  std::map<SymbolKey, book::BookEngine> engines;
  // --validate: each symbol's stream monitor (features::StreamMonitor::save), by symbol.
  std::map<SymbolKey, std::string> monitors;

  std::string serialize() const;
  static RunCheckpoint parse(std::string_view payload);
};

class RunJournal {
 public:
  // Opens (and on resume, reads and repairs) the run's state under state_dir.
  RunJournal(JournalOptions options, const Log& log);
  ~RunJournal();
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;

  // Resume: the parts manifest.json lists for the owned symbols (verified; unlisted parts and
  // temp files of those symbols removed).
  const std::vector<sink::FileInfo>& committed() const { return committed_; }
  // Resume: the checkpoint to restore, if one verifies and lies at or before every symbol's
  // first uncommitted row; otherwise the run restarts from the beginning.
  std::optional<RunCheckpoint> take_restore_point();
  // The first event_seq of `key` not yet committed (0 when nothing is).
  int64_t committed_end(const SymbolKey& key) const;

  // Queues a checkpoint; `state` was copied on the replay thread, it is serialised and
  // written on the checkpoint thread.
  void checkpoint(RunCheckpoint state);
  // After each batch: journals (batch, each symbol's next event_seq) and, on resume, checks
  // them against what the crashed run journaled for the same batch.
  void batch_done(uint64_t batch, const std::vector<std::pair<SymbolKey, int64_t>>& next_seqs);
  // After a batch in which parts were committed: the owned symbols' entries of manifest.json
  // become `files` (sink::update_manifest).
  void commit(const std::vector<sink::FileInfo>& files);
  // The run is complete: manifest and report are written; marks it done and removes the WAL
  // and the checkpoints.
  void finish();
  // The run stops unfinished (a shard's end, SIGTERM): pending checkpoints are written and the
  // journal is closed, so that a resume continues from the newest checkpoint.
  void suspend();

 private:
  JournalOptions options_;
  const Log& log_;
  std::vector<sink::FileInfo> committed_;
  std::map<SymbolKey, int64_t> committed_end_;
  std::map<uint64_t, std::string> journaled_;  // batch -> record of the crashed run
  std::vector<durability::LoadedCheckpoint> candidates_;
  std::unique_ptr<durability::CheckpointStore> store_;
  std::unique_ptr<durability::WalWriter> wal_;
  std::deque<uint64_t> checkpoint_lsns_;  // WAL position at each kept checkpoint
  std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
};

}  // namespace rlx::pipeline
