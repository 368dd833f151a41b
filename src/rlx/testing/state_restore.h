// Checkpoint/restore harness for tests: replays sources through a Replayer into one BookEngine
// per (exchange, symbol), either uninterrupted or stopped after batch k, saved, torn down,
// restored from freshly opened sources and continued. Both give a RunOutput to compare.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/binary_io.h"
#include "rlx/io/reader.h"
#include "rlx/replay/replayer.h"

namespace rlx::testing {

using OpenSources = std::function<std::vector<std::unique_ptr<io::MessageReader>>()>;

struct RunOutput {
  std::vector<uint64_t> rows;           // a hash of every row: event, symbol, best bid/ask, depths
  std::vector<size_t> batch_sizes;      // every batch handed out
  std::vector<std::string> stats;       // per engine: "exchange/symbol " + BookStats::write_json
  std::vector<std::string> quarantine;  // per source: every reason, count and first example
  // After batch b (index b - 1): some engine was buffering diffs before its first snapshot /
  // some engine was synced.
  std::vector<bool> buffering;
  std::vector<bool> synced;
};

inline std::string describe(const io::Quarantine& q) {
  std::string s;
  for (const auto& [reason, entry] : q.reasons) {
    s += reason + "=" + std::to_string(entry.count) + " (" + entry.first_example + ")\n";
  }
  return s;
}

// The replay loop of `rlx reconstruct`, minus the sink.
class StatePipeline : public book::EventConsumer {
 public:
  static constexpr uint32_t kTag = make_tag("TSP", 1);

  StatePipeline(const OpenSources& open, size_t batch_size)
      : replayer_(open(), replay::ReplayOptions{batch_size}) {}
  // Restores from checkpoint() bytes, reopening the sources.
  StatePipeline(const OpenSources& open, size_t batch_size, const std::string& checkpoint)
      : replayer_(restore_replayer(open, batch_size, checkpoint)) {
    BinaryReader r(checkpoint);
    r.expect_tag(kTag, "StatePipeline");
    replay::ReplayState::load(r);
    const uint64_t n = r.count("engines", 8);
    for (uint64_t i = 0; i < n; ++i) {
      std::string exchange = r.str("exchange");
      std::string symbol = r.str("symbol");
      engines_.emplace(std::make_pair(exchange, symbol), book::BookEngine::load(r));
    }
    r.expect_end("StatePipeline");
  }

  // The checkpoint: snapshot() copies first (the replay thread's part), then serialises.
  std::string checkpoint() const {
    const replay::ReplayState state = replayer_.state();
    std::vector<std::pair<std::pair<std::string, std::string>, book::BookEngine>> copies;
    for (const auto& [key, engine] : engines_) copies.emplace_back(key, engine.snapshot());
    std::string out;
    BinaryWriter w(&out);
    w.u32(kTag);
    state.save(w);
    w.u64(copies.size());
    for (const auto& [key, engine] : copies) {
      w.str(key.first);
      w.str(key.second);
      engine.save(w);
    }
    return out;
  }

  // Processes one batch; false at the end of input.
  bool step(RunOutput* out) {
    if (!replayer_.next_batch(&batch_)) return false;
    out->batch_sizes.push_back(batch_.size());
    rows_ = &out->rows;
    for (const Message& m : batch_) {
      const auto key = std::make_pair(m.exchange, m.symbol);
      auto it = engines_.find(key);
      if (it == engines_.end()) it = engines_.emplace(key, book::BookEngine()).first;
      symbol_ = &it->first;
      it->second.on_message(m, *this);
    }
    bool buffering = false;
    bool synced = false;
    for (const auto& [key, engine] : engines_) {
      buffering |= engine.buffered_messages() > 0;
      synced |= engine.synced();
    }
    out->buffering.push_back(buffering);
    out->synced.push_back(synced);
    return true;
  }

  void finish(RunOutput* out) {
    rows_ = &out->rows;
    for (auto& [key, engine] : engines_) {
      symbol_ = &key;
      engine.finish(*this);
      std::string json = key.first + "/" + key.second + " ";
      engine.stats().write_json(&json);
      out->stats.push_back(json);
    }
    for (size_t i = 0; i < replayer_.source_count(); ++i) {
      out->quarantine.push_back(describe(replayer_.source(i).quarantine()));
    }
  }

  const replay::Replayer& replayer() const { return replayer_; }

  void on_event(const Event& e, const book::OrderBook& book) override {
    row_.clear();
    BinaryWriter w(&row_);
    w.str(symbol_->first);
    w.str(symbol_->second);
    w.i64(e.event_seq);
    w.u8(static_cast<uint8_t>(e.type));
    w.i64(e.origin_time);
    w.i64(e.received_time);
    w.i64(e.update_id);
    w.i64(e.first_update_id);
    w.i64(e.prev_update_id);
    w.str(e.trade_id);
    w.u8(static_cast<uint8_t>(e.side));
    w.decimal(e.price);
    w.decimal(e.size);
    w.boolean(e.last_in_message);
    w.u32(e.flags);
    for (Side side : {Side::kBid, Side::kAsk}) {
      const Level* best = book.best(side);
      w.boolean(best != nullptr);
      if (best != nullptr) {
        w.decimal(best->price);
        w.decimal(best->size);
      }
      w.u64(book.depth(side));
    }
    rows_->push_back(std::hash<std::string>{}(row_));
  }

 private:
  static replay::Replayer restore_replayer(const OpenSources& open, size_t batch_size,
                                           const std::string& checkpoint) {
    BinaryReader r(checkpoint);
    r.expect_tag(kTag, "StatePipeline");
    return replay::Replayer(open(), replay::ReplayOptions{batch_size},
                            replay::ReplayState::load(r));
  }

  replay::Replayer replayer_;
  std::map<std::pair<std::string, std::string>, book::BookEngine> engines_;
  std::vector<Message> batch_;
  const std::pair<std::string, std::string>* symbol_ = nullptr;
  std::vector<uint64_t>* rows_ = nullptr;
  std::string row_;
};

inline RunOutput run_uninterrupted(const OpenSources& open, size_t batch_size) {
  RunOutput out;
  StatePipeline p(open, batch_size);
  while (p.step(&out)) {
  }
  p.finish(&out);
  return out;
}

// Runs `batches` batches, checkpoints, destroys everything, restores and runs to the end.
inline RunOutput run_with_restore(const OpenSources& open, size_t batch_size, uint64_t batches) {
  RunOutput out;
  std::string checkpoint;
  std::vector<std::string> quarantine_at_checkpoint;
  {
    StatePipeline p(open, batch_size);
    for (uint64_t b = 0; b < batches && p.step(&out); ++b) {
    }
    checkpoint = p.checkpoint();
    for (size_t i = 0; i < p.replayer().source_count(); ++i) {
      quarantine_at_checkpoint.push_back(describe(p.replayer().source(i).quarantine()));
    }
  }
  StatePipeline p(open, batch_size, checkpoint);
  // The restored state saves to the same bytes, and the readers stand where they stood.
  const std::string again = p.checkpoint();
  EXPECT_TRUE(again == checkpoint)
      << "the restored state saves differently after batch " << batches << " (" << again.size()
      << " vs " << checkpoint.size() << " bytes)";
  EXPECT_EQ(p.replayer().batches(), out.batch_sizes.size());
  for (size_t i = 0; i < p.replayer().source_count(); ++i) {
    EXPECT_EQ(describe(p.replayer().source(i).quarantine()), quarantine_at_checkpoint[i])
        << "source " << i << " after batch " << batches;
  }
  while (p.step(&out)) {
  }
  p.finish(&out);
  return out;
}

// Checkpoints to try: before anything, inside the pre-snapshot buffering, right after the first
// sync, the middle, just before the end, after the last batch (before finish).
inline std::vector<uint64_t> interesting_batches(const RunOutput& full) {
  const uint64_t n = full.batch_sizes.size();
  std::vector<uint64_t> ks = {0, n / 3, n / 2, n > 0 ? n - 1 : 0, n};
  for (uint64_t b = 0; b < n; ++b) {
    if (full.buffering[b]) {
      ks.push_back(b + 1);
      break;
    }
  }
  for (uint64_t b = 0; b < n; ++b) {
    if (full.synced[b]) {
      ks.push_back(b + 1);
      break;
    }
  }
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

// Runs uninterrupted, then with a restore at every interesting batch: everything must be equal.
// Returns the uninterrupted run.
inline RunOutput expect_restore_equals_uninterrupted(const OpenSources& open, size_t batch_size) {
  RunOutput full = run_uninterrupted(open, batch_size);
  EXPECT_FALSE(full.rows.empty());
  for (uint64_t k : interesting_batches(full)) {
    SCOPED_TRACE("checkpoint after batch " + std::to_string(k) + " of " +
                 std::to_string(full.batch_sizes.size()));
    const RunOutput restored = run_with_restore(open, batch_size, k);
    EXPECT_EQ(restored.rows.size(), full.rows.size());
    if (restored.rows.size() != full.rows.size()) continue;
    const auto diff = std::mismatch(full.rows.begin(), full.rows.end(), restored.rows.begin());
    EXPECT_TRUE(diff.first == full.rows.end())
        << "first differing row: " << (diff.first - full.rows.begin());
    EXPECT_EQ(restored.batch_sizes, full.batch_sizes);
    EXPECT_EQ(restored.stats, full.stats);
    EXPECT_EQ(restored.quarantine, full.quarantine);
  }
  return full;
}

}  // namespace rlx::testing
