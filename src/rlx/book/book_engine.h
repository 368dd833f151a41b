// The per-symbol book state machine: turns normalised messages, in replay order, into output
// events (one per level, one per trade), keeps the OrderBook in step, follows Binance's sync
// procedure (buffer, snapshot, bridge, continuity), and counts every anomaly in BookStats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "rlx/book/order_book.h"
#include "rlx/core/event.h"
#include "rlx/core/message.h"

namespace rlx::book {

// How delta continuity is validated.
enum class SequenceMode : uint8_t {
  kAuto = 0,            // decided at the first delta: pu present -> futures, U -> spot,
                        // update_id -> non-decreasing, nothing -> none
  kBinanceSpot = 1,     // U == prev_u + 1 (an overlap U <= prev_u + 1 < u is accepted too)
  kBinanceFutures = 2,  // pu == prev_u
  kNonDecreasing = 3,   // Lake sequence_number never decreases
  kNone = 4,            // Tardis: no ids to check
};

// What to do when a message leaves the book crossed (best bid >= best ask).
enum class CrossedPolicy : uint8_t {
  kKeep = 0,               // leave it, flag it, count it
  kDropStaleOpposite = 1,  // remove the opposite side's levels the message crossed through
  kDropBoth = 2,           // remove both bests until the book is no longer crossed
};

// Whether a trade removes liquidity from the passive side.
enum class TradeConsumption : uint8_t {
  kAuto = 0,  // on until the first delta is seen (deltas then carry the truth)
  kOn = 1,
  kOff = 2,
};

// How a snapshot replaces the book.
enum class SnapshotPolicy : uint8_t {
  kAuto = 0,        // kMergeRange for kNonDecreasing (Lake top-20), kReplace otherwise
  kReplace = 1,     // the snapshot is the whole book
  kMergeRange = 2,  // replace levels at or better than the snapshot's worst level on each side;
                    // keep the deeper ones (a partial snapshot says nothing about them)
};

struct BookOptions {
  SequenceMode sequence = SequenceMode::kAuto;
  CrossedPolicy crossed = CrossedPolicy::kKeep;
  TradeConsumption consume_trades = TradeConsumption::kAuto;
  SnapshotPolicy snapshot = SnapshotPolicy::kAuto;
  size_t max_buffered_messages = 10000;  // Binance pre-snapshot diff buffer bound
  size_t ticker_history = 4096;          // applied diffs remembered for ticker checks
  size_t ticker_pending = 4096;          // tickers waiting for their diff

  friend bool operator==(const BookOptions&, const BookOptions&) = default;
};

// Drift of the book against a snapshot that arrives when the book is already initialised.
struct DriftStats {
  uint64_t count = 0;              // snapshots compared
  uint64_t best_mismatches = 0;    // snapshots whose best bid or ask (price, size) differed
  uint64_t mismatched_levels = 0;  // sum over compared snapshots
  uint64_t max_mismatched_levels = 0;
  Decimal abs_size_diff;  // sum over compared snapshots of sum |book - snapshot|
  Decimal max_abs_size_diff;
  double rel_size_diff_sum = 0;  // per snapshot: sum |diff| / sum snapshot sizes
  double max_rel_size_diff = 0;

  double mean_mismatched_levels() const;
  double mean_rel_size_diff() const;
  void add(const DriftStats& other);  // another run's: sums, and the larger maxima
};

struct BookStats {
  uint64_t messages[4] = {};             // by MessageKind
  uint64_t events[3] = {};               // by EventType
  uint64_t gaps = 0;                     // continuity breaks after sync
  uint64_t resyncs = 0;                  // snapshots applied to an initialised book
  uint64_t dropped_before_snapshot = 0;  // diffs older than the snapshot: not applied, not emitted
  uint64_t snapshot_not_bridging = 0;    // first diff after a snapshot did not bridge it
  uint64_t stale = 0;                    // diffs older than the book: not applied, not emitted
  uint64_t stale_snapshots = 0;  // snapshots older than the synced book: not applied, not emitted
  uint64_t out_of_order = 0;     // kNonDecreasing: sequence went backwards
  uint64_t buffer_overflow = 0;  // buffered diffs emitted unsynced: bound exceeded
  uint64_t buffer_flushed_at_end = 0;   // buffered diffs emitted unsynced: input ended
  uint64_t crossed = 0;                 // messages that left the book crossed
  uint64_t crossed_rows = 0;            // rows after which the book was crossed (incl. transient)
  uint64_t crossed_levels_dropped = 0;  // levels removed by the crossed policy
  uint64_t trades_consumed = 0;         // trades that changed the book
  uint64_t trade_levels_removed = 0;
  uint64_t unsynced_events = 0;  // rows flagged kUnsynced
  // Diffs emitted unsynced while a resync snapshot was on its way, newer than that snapshot,
  // and re-applied to the book after it (their rows are not emitted again).
  uint64_t reapplied_after_snapshot = 0;
  DriftStats drift;
  uint64_t ticker_matched = 0;  // all matches, broken down in the next two and the remainder:
  uint64_t ticker_matched_before_diff = 0;  // the ticker arrived before its diff
  uint64_t ticker_matched_last_diff = 0;    // it arrived when its diff was the last one applied
  uint64_t ticker_mismatched = 0;
  uint64_t ticker_unmatched = 0;                      // no applied (synced) diff had the ticker's u
  std::vector<std::string> ticker_mismatch_examples;  // the first few, described

  // Another run's counts added to these (independent shards of one symbol); the mismatch
  // examples are kept up to the usual few.
  void add(const BookStats& other);
  // A flat JSON object with every field above (deterministic key order).
  void write_json(std::string* out) const;
  // Every field, exactly (checkpoints; a worker's result for the supervisor).
  void save(BinaryWriter& writer) const;
  static BookStats load(BinaryReader& reader);
};

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  // Once per output row, after the row is applied to `book`.
  virtual void on_event(const Event& event, const OrderBook& book) = 0;
};

class BookEngine {
 public:
  explicit BookEngine(BookOptions options = {});
  // A copy is the whole state (book, sync state, buffers, stats): the checkpoint snapshot.
  BookEngine(const BookEngine&) = default;
  BookEngine& operator=(const BookEngine&) = default;
  BookEngine(BookEngine&&) = default;
  BookEngine& operator=(BookEngine&&) = default;

  void on_message(const Message& message, EventConsumer& consumer);
  // End of input: emits (unsynced) any diffs still waiting for a snapshot.
  void finish(EventConsumer& consumer);

  const BookStats& stats() const { return stats_; }
  const OrderBook& book() const { return book_; }
  // The sequence mode in use (kAuto until the first delta resolves it).
  SequenceMode sequence_mode() const { return mode_; }
  bool synced() const { return state_ == State::kSynced; }
  // A snapshot was applied at some point.
  bool has_snapshot() const { return has_snapshot_; }
  // A snapshot was applied and the diff that bridges it has not come yet.
  bool awaiting_bridge() const { return state_ == State::kAwaitingBridge; }
  // The id of the book's state, as a REST snapshot of it would carry: u of the last applied
  // diff, else the last snapshot's id, else kNull.
  int64_t last_update_id() const { return last_u_ != kNull ? last_u_ : snapshot_id_; }
  const BookOptions& options() const { return options_; }
  // Binance diffs waiting for the first snapshot.
  size_t buffered_messages() const { return buffer_.size(); }
  // The event_seq the next output row will get (rows emitted so far).
  int64_t next_event_seq() const { return next_seq_; }

  // Checkpoints. snapshot() is a self-contained copy, cheap enough to take on the replay
  // thread between batches (book_state_benchmark); save() it later on any thread.
  BookEngine snapshot() const { return *this; }
  // Every piece of state, options included: an engine restored by load() and fed the same
  // messages emits the same rows and ends with the same stats as the original.
  void save(BinaryWriter& writer) const;
  // Throws rlx::Error(kInternal) on a short read, a wrong tag or a bad value. The caller
  // compares options() with the run's own options if they must match.
  static BookEngine load(BinaryReader& reader);

 private:
  enum class State : uint8_t {
    kNoSnapshot,      // before the first snapshot (Binance: diffs are buffered)
    kAwaitingBridge,  // snapshot applied; the next diff must bridge it
    kSynced,
    kUnsynced,  // after a gap or a non-bridging diff, until the next snapshot
  };
  struct TickerCheck {
    int64_t update_id;
    Level bid;  // size zero: side empty
    Level ask;
  };

  bool binance() const;
  void resolve_mode(const Message& message);
  void on_snapshot(const Message& message, EventConsumer& consumer);
  void on_delta(const Message& message, EventConsumer& consumer);
  void on_trade(const Message& message, EventConsumer& consumer);
  void on_ticker(const Message& message);
  // Applies and emits the rows of a book message with the given flags.
  void apply_book_message(const Message& message, EventType type, uint32_t flags,
                          EventConsumer& consumer);
  void emit_unsynced_buffered(EventConsumer& consumer, bool at_end);
  void retain(const Message& message, bool fresh_gap);
  void reapply_retained();
  void measure_drift(const Message& snapshot);
  void after_applied_diff(int64_t update_id, bool synced);
  void compare_ticker(const TickerCheck& ticker, const TickerCheck& book, uint64_t* match_kind);
  TickerCheck book_top(int64_t update_id) const;
  void emit(Event& event, EventConsumer& consumer);

  BookOptions options_;
  OrderBook book_;
  BookStats stats_;
  SequenceMode mode_;
  State state_ = State::kNoSnapshot;
  bool has_snapshot_ = false;
  bool seen_delta_ = false;
  int64_t snapshot_id_ = kNull;  // lastUpdateId of the snapshot awaiting its bridge
  int64_t last_u_ = kNull;       // u of the last applied diff (Lake: highest sequence seen)
  int64_t next_seq_ = 0;
  std::deque<Message> buffer_;  // Binance diffs before the first snapshot
  // Binance diffs applied (and emitted) unsynced since the last gap: a resync snapshot older than
  // some of them re-applies the newer ones, as the venue's procedure applies buffered events.
  std::deque<Message> retained_;
  std::deque<TickerCheck> history_;
  std::vector<TickerCheck> pending_;
  Event event_;  // reused row
};

}  // namespace rlx::book
