#include "rlx/book/book_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "rlx/core/binary_io.h"

namespace rlx::book {
namespace {

constexpr size_t kMaxMismatchExamples = 5;

Decimal abs_diff(Decimal a, Decimal b) { return a >= b ? a - b : b - a; }

double to_double(Decimal d) {
  return static_cast<double>(static_cast<long double>(d.raw()) /
                             static_cast<long double>(Decimal::kOne));
}

std::string describe(const Level& level) {
  return level.size.to_string() + "@" + level.price.to_string();
}

void append_json_string(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      *out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

double DriftStats::mean_mismatched_levels() const {
  return count == 0 ? 0.0 : static_cast<double>(mismatched_levels) / static_cast<double>(count);
}

double DriftStats::mean_rel_size_diff() const {
  return count == 0 ? 0.0 : rel_size_diff_sum / static_cast<double>(count);
}

void DriftStats::add(const DriftStats& o) {
  count += o.count;
  best_mismatches += o.best_mismatches;
  mismatched_levels += o.mismatched_levels;
  max_mismatched_levels = std::max(max_mismatched_levels, o.max_mismatched_levels);
  abs_size_diff = abs_size_diff + o.abs_size_diff;
  max_abs_size_diff = std::max(max_abs_size_diff, o.max_abs_size_diff);
  rel_size_diff_sum += o.rel_size_diff_sum;
  max_rel_size_diff = std::max(max_rel_size_diff, o.max_rel_size_diff);
}

void BookStats::add(const BookStats& o) {
  for (size_t i = 0; i < std::size(messages); ++i) messages[i] += o.messages[i];
  for (size_t i = 0; i < std::size(events); ++i) events[i] += o.events[i];
  for (auto [mine, theirs] : {std::pair{&gaps, &o.gaps},
                              {&resyncs, &o.resyncs},
                              {&dropped_before_snapshot, &o.dropped_before_snapshot},
                              {&snapshot_not_bridging, &o.snapshot_not_bridging},
                              {&stale, &o.stale},
                              {&stale_snapshots, &o.stale_snapshots},
                              {&out_of_order, &o.out_of_order},
                              {&buffer_overflow, &o.buffer_overflow},
                              {&buffer_flushed_at_end, &o.buffer_flushed_at_end},
                              {&crossed, &o.crossed},
                              {&crossed_rows, &o.crossed_rows},
                              {&crossed_levels_dropped, &o.crossed_levels_dropped},
                              {&trades_consumed, &o.trades_consumed},
                              {&trade_levels_removed, &o.trade_levels_removed},
                              {&unsynced_events, &o.unsynced_events},
                              {&reapplied_after_snapshot, &o.reapplied_after_snapshot},
                              {&ticker_matched, &o.ticker_matched},
                              {&ticker_matched_before_diff, &o.ticker_matched_before_diff},
                              {&ticker_matched_last_diff, &o.ticker_matched_last_diff},
                              {&ticker_mismatched, &o.ticker_mismatched},
                              {&ticker_unmatched, &o.ticker_unmatched}}) {
    *mine += *theirs;
  }
  drift.add(o.drift);
  for (const std::string& e : o.ticker_mismatch_examples) {
    if (ticker_mismatch_examples.size() >= kMaxMismatchExamples) break;
    ticker_mismatch_examples.push_back(e);
  }
}

void BookStats::write_json(std::string* out) const {
  static constexpr const char* kMessageNames[] = {"trade", "snapshot", "delta", "ticker"};
  std::string& s = *out;
  s += "{";
  for (int i = 0; i < 4; ++i)
    s += fmt::format("\"messages_{}\":{},", kMessageNames[i], messages[i]);
  for (int i = 0; i < 3; ++i) {
    s += fmt::format("\"events_{}\":{},", event_type_name(static_cast<EventType>(i)), events[i]);
  }
  s += fmt::format(
      "\"gaps\":{},\"resyncs\":{},\"dropped_before_snapshot\":{},\"snapshot_not_bridging\":{},"
      "\"stale\":{},\"stale_snapshots\":{},\"out_of_order\":{},\"buffer_overflow\":{},\"buffer_"
      "flushed_at_end\":{},"
      "\"crossed\":{},\"crossed_rows\":{},\"crossed_levels_dropped\":{},\"trades_consumed\":{},"
      "\"trade_levels_removed\":{},\"unsynced_events\":{},\"reapplied_after_snapshot\":{},",
      gaps, resyncs, dropped_before_snapshot, snapshot_not_bridging, stale, stale_snapshots,
      out_of_order, buffer_overflow, buffer_flushed_at_end, crossed, crossed_rows,
      crossed_levels_dropped, trades_consumed, trade_levels_removed, unsynced_events,
      reapplied_after_snapshot);
  s += fmt::format(
      "\"drift_count\":{},\"drift_best_mismatches\":{},\"drift_mismatched_levels\":{},"
      "\"drift_mean_mismatched_levels\":{},\"drift_max_mismatched_levels\":{},"
      "\"drift_abs_size_diff\":\"{}\",\"drift_max_abs_size_diff\":\"{}\","
      "\"drift_mean_rel_size_diff\":{},\"drift_max_rel_size_diff\":{},",
      drift.count, drift.best_mismatches, drift.mismatched_levels, drift.mean_mismatched_levels(),
      drift.max_mismatched_levels, drift.abs_size_diff.to_string(),
      drift.max_abs_size_diff.to_string(), drift.mean_rel_size_diff(), drift.max_rel_size_diff);
  s += fmt::format(
      "\"ticker_matched\":{},\"ticker_matched_before_diff\":{},\"ticker_matched_last_diff\":{},"
      "\"ticker_mismatched\":{},\"ticker_unmatched\":{},",
      ticker_matched, ticker_matched_before_diff, ticker_matched_last_diff, ticker_mismatched,
      ticker_unmatched);
  s += "\"ticker_mismatch_examples\":[";
  for (size_t i = 0; i < ticker_mismatch_examples.size(); ++i) {
    if (i > 0) s += ",";
    append_json_string(out, ticker_mismatch_examples[i]);
  }
  s += "]}";
}

BookEngine::BookEngine(BookOptions options) : options_(options), mode_(options.sequence) {}

bool BookEngine::binance() const {
  return mode_ == SequenceMode::kBinanceSpot || mode_ == SequenceMode::kBinanceFutures;
}

void BookEngine::resolve_mode(const Message& message) {
  if (mode_ != SequenceMode::kAuto) return;
  if (message.prev_update_id != kNull) {
    mode_ = SequenceMode::kBinanceFutures;
  } else if (message.first_update_id != kNull) {
    mode_ = SequenceMode::kBinanceSpot;
  } else if (message.update_id != kNull) {
    mode_ = SequenceMode::kNonDecreasing;
  } else {
    mode_ = SequenceMode::kNone;
  }
  // A snapshot that came first left the state awaiting a bridge; only Binance bridges.
  if (!binance() && state_ == State::kAwaitingBridge) state_ = State::kSynced;
}

void BookEngine::on_message(const Message& message, EventConsumer& consumer) {
  ++stats_.messages[static_cast<size_t>(message.kind) & 3];
  switch (message.kind) {
    case MessageKind::kTrade:
      on_trade(message, consumer);
      break;
    case MessageKind::kSnapshot:
      on_snapshot(message, consumer);
      break;
    case MessageKind::kDelta:
      resolve_mode(message);
      on_delta(message, consumer);
      break;
    case MessageKind::kTicker:
      on_ticker(message);
      break;
  }
}

void BookEngine::finish(EventConsumer& consumer) {
  while (!buffer_.empty()) emit_unsynced_buffered(consumer, /*at_end=*/true);
  stats_.ticker_unmatched += pending_.size();
  pending_.clear();
}

void BookEngine::emit(Event& event, EventConsumer& consumer) {
  event.event_seq = next_seq_++;
  ++stats_.events[static_cast<size_t>(event.type)];
  if (event.flags & event_flags::kUnsynced) ++stats_.unsynced_events;
  if (event.flags & event_flags::kCrossed) ++stats_.crossed_rows;
  consumer.on_event(event, book_);
}

void BookEngine::on_snapshot(const Message& message, EventConsumer& consumer) {
  // A snapshot older than a book that is known to be exact (a periodic Lake `book` row that
  // sorts after a diff of the same millisecond) would roll the book back: skip and count it.
  if (state_ == State::kSynced && message.update_id != kNull && last_u_ != kNull &&
      message.update_id < last_u_) {
    ++stats_.stale_snapshots;
    return;
  }
  uint32_t flags = 0;
  if (has_snapshot_) {
    measure_drift(message);
    ++stats_.resyncs;
    flags |= event_flags::kResync;
  }
  SnapshotPolicy policy = options_.snapshot;
  if (policy == SnapshotPolicy::kAuto) {
    policy = mode_ == SequenceMode::kNonDecreasing ? SnapshotPolicy::kMergeRange
                                                   : SnapshotPolicy::kReplace;
  }
  if (policy == SnapshotPolicy::kReplace) {
    book_.clear();
  } else {
    for (Side side : {Side::kBid, Side::kAsk}) {
      bool any = false;
      Decimal worst;
      for (const LevelUpdate& l : message.levels) {
        if (l.side != side) continue;
        if (!any || (side == Side::kBid ? l.price < worst : l.price > worst)) worst = l.price;
        any = true;
      }
      if (any) {
        book_.erase_better(side, worst, /*inclusive=*/true);
      } else {
        book_.clear_side(side);
      }
    }
  }
  apply_book_message(message, EventType::kBookSnapshot, flags, consumer);
  has_snapshot_ = true;
  snapshot_id_ = message.update_id;
  last_u_ = binance() || mode_ == SequenceMode::kAuto ? kNull : last_u_;
  state_ = binance() || mode_ == SequenceMode::kAuto ? State::kAwaitingBridge : State::kSynced;
  reapply_retained();
  if (!buffer_.empty()) {
    std::deque<Message> buffered = std::move(buffer_);
    buffer_.clear();
    for (const Message& diff : buffered) on_delta(diff, consumer);
  }
}

void BookEngine::on_delta(const Message& message, EventConsumer& consumer) {
  seen_delta_ = true;
  const int64_t u = message.update_id;
  if (!binance()) {
    uint32_t flags = 0;
    if (mode_ == SequenceMode::kNonDecreasing && u != kNull) {
      if (last_u_ != kNull && u < last_u_) {
        ++stats_.out_of_order;
        flags |= event_flags::kOutOfOrder;
      } else {
        last_u_ = u;
      }
    }
    if (state_ == State::kAwaitingBridge) state_ = State::kSynced;
    if (state_ != State::kSynced) flags |= event_flags::kUnsynced;
    apply_book_message(message, EventType::kBookDelta, flags, consumer);
    return;
  }
  const bool futures = mode_ == SequenceMode::kBinanceFutures;
  switch (state_) {
    case State::kNoSnapshot:
      buffer_.push_back(message);
      if (buffer_.size() > options_.max_buffered_messages) {
        emit_unsynced_buffered(consumer, /*at_end=*/false);
      }
      return;
    case State::kAwaitingBridge: {
      // Binance: spot drops u <= lastUpdateId, futures drops u < lastUpdateId.
      if (futures ? u < snapshot_id_ : u <= snapshot_id_) {
        ++stats_.dropped_before_snapshot;
        return;
      }
      // Futures: the diff holding lastUpdateId, or (the snapshot was taken right after a diff
      // that was already applied) the one whose pu is lastUpdateId: continuity from the snapshot.
      const int64_t first = message.first_update_id;
      const bool bridges = futures ? (first <= snapshot_id_ && snapshot_id_ <= u) ||
                                         message.prev_update_id == snapshot_id_
                                   : first <= snapshot_id_ + 1 && snapshot_id_ + 1 <= u;
      last_u_ = u;
      if (!bridges) {
        ++stats_.snapshot_not_bridging;
        state_ = State::kUnsynced;
        apply_book_message(message, EventType::kBookDelta,
                           event_flags::kGap | event_flags::kUnsynced, consumer);
        after_applied_diff(u, false);
        retain(message, /*fresh_gap=*/true);
        return;
      }
      state_ = State::kSynced;
      apply_book_message(message, EventType::kBookDelta, 0, consumer);
      after_applied_diff(u, true);
      return;
    }
    case State::kSynced:
    case State::kUnsynced: {
      if (u <= last_u_) {
        ++stats_.stale;
        return;
      }
      // Spot: an overlap (U <= prev_u + 1 < u) carries the final state of every level it names,
      // so it is as good as U == prev_u + 1 (Binance's own rule); futures: pu must be prev_u.
      const bool continuous =
          futures ? message.prev_update_id == last_u_ : message.first_update_id <= last_u_ + 1;
      uint32_t flags = 0;
      if (!continuous) {
        ++stats_.gaps;
        flags |= event_flags::kGap;
        state_ = State::kUnsynced;
      }
      if (state_ == State::kUnsynced) flags |= event_flags::kUnsynced;
      last_u_ = u;
      apply_book_message(message, EventType::kBookDelta, flags, consumer);
      after_applied_diff(u, state_ == State::kSynced);
      if (state_ == State::kUnsynced) retain(message, /*fresh_gap=*/!continuous);
      return;
    }
  }
}

void BookEngine::retain(const Message& message, bool fresh_gap) {
  if (fresh_gap) retained_.clear();
  retained_.push_back(message);
  if (retained_.size() > options_.max_buffered_messages) retained_.pop_front();
}

// After a resync snapshot: diffs that arrived (unsynced) while it was fetched and are newer
// than it bring the book to the stream's state. The first must bridge the snapshot and the rest
// follow without a break; their rows were emitted already, so they are applied, not emitted.
void BookEngine::reapply_retained() {
  std::deque<Message> retained = std::move(retained_);
  retained_.clear();
  const bool futures = mode_ == SequenceMode::kBinanceFutures;
  for (const Message& m : retained) {
    const int64_t u = m.update_id;
    if (state_ == State::kAwaitingBridge) {
      if (futures ? u < snapshot_id_ : u <= snapshot_id_) continue;  // in the snapshot
      const bool bridges = futures ? (m.first_update_id <= snapshot_id_ && snapshot_id_ <= u) ||
                                         m.prev_update_id == snapshot_id_
                                   : m.first_update_id <= snapshot_id_ + 1 && snapshot_id_ + 1 <= u;
      if (!bridges) {
        // The snapshot is older than the diffs already seen: it cannot be used.
        ++stats_.snapshot_not_bridging;
        state_ = State::kUnsynced;
        retain(m, /*fresh_gap=*/true);
        return;
      }
    } else {
      const bool continuous =
          futures ? m.prev_update_id == last_u_ : m.first_update_id <= last_u_ + 1;
      if (!continuous) {
        state_ = State::kUnsynced;
        retain(m, /*fresh_gap=*/true);
        return;
      }
    }
    for (const LevelUpdate& l : m.levels) {
      if (l.side == Side::kBid || l.side == Side::kAsk) book_.set(l.side, l.price, l.size);
    }
    last_u_ = u;
    state_ = State::kSynced;
    ++stats_.reapplied_after_snapshot;
  }
}

void BookEngine::emit_unsynced_buffered(EventConsumer& consumer, bool at_end) {
  Message message = std::move(buffer_.front());
  buffer_.pop_front();
  ++(at_end ? stats_.buffer_flushed_at_end : stats_.buffer_overflow);
  apply_book_message(message, EventType::kBookDelta, event_flags::kUnsynced, consumer);
}

void BookEngine::on_trade(const Message& message, EventConsumer& consumer) {
  const bool consume = options_.consume_trades == TradeConsumption::kOn ||
                       (options_.consume_trades == TradeConsumption::kAuto && !seen_delta_);
  if (consume) {
    Side passive = Side::kNone;
    if (message.side == Side::kBuy) {
      passive = Side::kAsk;
    } else if (message.side == Side::kSell) {
      passive = Side::kBid;
    } else if (const Level* ask = book_.best(Side::kAsk); ask && message.price >= ask->price) {
      passive = Side::kAsk;
    } else if (const Level* bid = book_.best(Side::kBid); bid && message.price <= bid->price) {
      passive = Side::kBid;
    }
    if (passive != Side::kNone) {
      // Levels better than the trade price were traded through; the level at it shrinks.
      size_t removed = book_.erase_better(passive, message.price, /*inclusive=*/false);
      bool changed = removed > 0;
      if (const Level* at = book_.find(passive, message.price)) {
        const Decimal left = at->size > message.size ? at->size - message.size : Decimal();
        if (left.is_zero()) ++removed;
        book_.set(passive, message.price, left);
        changed = true;
      }
      if (changed) ++stats_.trades_consumed;
      stats_.trade_levels_removed += removed;
    }
  }
  Event& e = event_;
  e.type = EventType::kTrade;
  e.origin_time = message.origin_time;
  e.received_time = message.received_time;
  e.update_id = message.update_id;
  e.first_update_id = message.first_update_id;
  e.prev_update_id = message.prev_update_id;
  e.trade_id = message.trade_id;
  e.side = message.side;
  e.price = message.price;
  e.size = message.size;
  e.last_in_message = true;
  e.flags = 0;
  if (state_ == State::kNoSnapshot || state_ == State::kUnsynced) e.flags |= event_flags::kUnsynced;
  if (book_.crossed()) e.flags |= event_flags::kCrossed;
  emit(e, consumer);
}

void BookEngine::apply_book_message(const Message& message, EventType type, uint32_t flags,
                                    EventConsumer& consumer) {
  Event& e = event_;
  e.type = type;
  e.origin_time = message.origin_time;
  e.received_time = message.received_time;
  e.update_id = message.update_id;
  e.first_update_id = message.first_update_id;
  e.prev_update_id = message.prev_update_id;
  e.trade_id.clear();
  const size_t n = message.levels.size();
  if (n == 0) {  // still one row, so the message is visible
    e.side = Side::kNone;
    e.price = Decimal();
    e.size = Decimal();
    e.last_in_message = true;
    e.flags = flags | (book_.crossed() ? event_flags::kCrossed : 0);
    emit(e, consumer);
    return;
  }
  // Highest bid and lowest ask this message set: which side is newer when it crosses.
  bool any_bid = false;
  bool any_ask = false;
  Decimal max_bid;
  Decimal min_ask;
  for (size_t i = 0; i < n; ++i) {
    const LevelUpdate& l = message.levels[i];
    if (l.side == Side::kBid || l.side == Side::kAsk) {
      book_.set(l.side, l.price, l.size);
      if (!l.size.is_zero()) {
        if (l.side == Side::kBid) {
          if (!any_bid || l.price > max_bid) max_bid = l.price;
          any_bid = true;
        } else {
          if (!any_ask || l.price < min_ask) min_ask = l.price;
          any_ask = true;
        }
      }
    }
    e.side = l.side;
    e.price = l.price;
    e.size = l.size;
    e.flags = flags;
    e.last_in_message = i + 1 == n;
    if (book_.crossed()) {
      // Mid-message crossings are transient (a diff raises the bid before it removes the ask):
      // flagged, but the policy runs on the message's final state only.
      e.flags |= event_flags::kCrossed;
      if (e.last_in_message) {
        ++stats_.crossed;
        const Decimal bb = book_.best(Side::kBid)->price;
        const Decimal ba = book_.best(Side::kAsk)->price;
        const bool bid_newer = any_bid && max_bid >= ba;
        const bool ask_newer = any_ask && min_ask <= bb;
        if (options_.crossed == CrossedPolicy::kDropStaleOpposite && bid_newer != ask_newer) {
          stats_.crossed_levels_dropped += bid_newer ? book_.erase_better(Side::kAsk, bb, true)
                                                     : book_.erase_better(Side::kBid, ba, true);
        } else if (options_.crossed != CrossedPolicy::kKeep) {
          while (book_.crossed()) {
            book_.set(Side::kBid, book_.best(Side::kBid)->price, Decimal());
            book_.set(Side::kAsk, book_.best(Side::kAsk)->price, Decimal());
            stats_.crossed_levels_dropped += 2;
          }
        }
      }
    }
    emit(e, consumer);
  }
}

BookEngine::TickerCheck BookEngine::book_top(int64_t update_id) const {
  TickerCheck t{update_id, Level{}, Level{}};
  if (const Level* bid = book_.best(Side::kBid)) t.bid = *bid;
  if (const Level* ask = book_.best(Side::kAsk)) t.ask = *ask;
  return t;
}

void BookEngine::after_applied_diff(int64_t update_id, bool synced) {
  if (synced && options_.ticker_history > 0) {
    if (history_.size() >= options_.ticker_history) history_.pop_front();
    history_.push_back(book_top(update_id));
  }
  if (pending_.empty()) return;
  size_t kept = 0;
  for (const TickerCheck& t : pending_) {
    if (t.update_id > update_id) {
      pending_[kept++] = t;
    } else if (t.update_id == update_id && synced) {
      compare_ticker(t, history_.back(), &stats_.ticker_matched_before_diff);
    } else {
      ++stats_.ticker_unmatched;
    }
  }
  pending_.resize(kept);
}

void BookEngine::on_ticker(const Message& message) {
  TickerCheck t{message.update_id, Level{}, Level{}};
  for (const LevelUpdate& l : message.levels) {
    if (l.side == Side::kBid) t.bid = Level{l.price, l.size};
    if (l.side == Side::kAsk) t.ask = Level{l.price, l.size};
  }
  if (t.update_id == kNull) {
    ++stats_.ticker_unmatched;
    return;
  }
  if (last_u_ != kNull && t.update_id <= last_u_) {
    for (auto it = history_.rbegin(); it != history_.rend() && it->update_id >= t.update_id; ++it) {
      if (it->update_id == t.update_id) {
        compare_ticker(t, *it,
                       it == history_.rbegin() && it->update_id == last_u_
                           ? &stats_.ticker_matched_last_diff
                           : nullptr);
        return;
      }
    }
    ++stats_.ticker_unmatched;
    return;
  }
  if (options_.ticker_pending == 0) {
    ++stats_.ticker_unmatched;
    return;
  }
  if (pending_.size() >= options_.ticker_pending) {
    pending_.erase(pending_.begin());
    ++stats_.ticker_unmatched;
  }
  pending_.push_back(t);
}

void BookEngine::compare_ticker(const TickerCheck& ticker, const TickerCheck& book,
                                uint64_t* match_kind) {
  const bool same = ticker.bid.price == book.bid.price && ticker.bid.size == book.bid.size &&
                    ticker.ask.price == book.ask.price && ticker.ask.size == book.ask.size;
  if (same) {
    ++stats_.ticker_matched;
    if (match_kind != nullptr) ++*match_kind;
    return;
  }
  ++stats_.ticker_mismatched;
  if (stats_.ticker_mismatch_examples.size() < kMaxMismatchExamples) {
    stats_.ticker_mismatch_examples.push_back(fmt::format(
        "u={}: ticker bid {} ask {}, book bid {} ask {}", ticker.update_id, describe(ticker.bid),
        describe(ticker.ask), describe(book.bid), describe(book.ask)));
  }
}

void BookEngine::measure_drift(const Message& snapshot) {
  size_t mismatched = 0;
  Decimal diff;
  Decimal total;
  bool best_mismatch = false;
  std::vector<Level> levels;
  for (Side side : {Side::kBid, Side::kAsk}) {
    const bool bid = side == Side::kBid;
    levels.clear();
    for (const LevelUpdate& l : snapshot.levels) {
      if (l.side == side && !l.size.is_zero()) levels.push_back(Level{l.price, l.size});
    }
    // Best first.
    std::sort(levels.begin(), levels.end(), [bid](const Level& a, const Level& b) {
      return bid ? a.price > b.price : a.price < b.price;
    });
    const Level* book_best = book_.best(side);
    if (levels.empty() != (book_best == nullptr) ||
        (book_best && (book_best->price != levels[0].price || book_best->size != levels[0].size))) {
      best_mismatch = true;
    }
    if (levels.empty()) continue;
    // Merge walk over the snapshot's price range, keyed by exact price.
    const Decimal worst = levels.back().price;
    const size_t depth = book_.depth(side);
    size_t i = 0;
    size_t j = 0;
    auto better = [bid](Decimal a, Decimal b) { return bid ? a > b : a < b; };
    while (i < levels.size() || j < depth) {
      const Level* b = nullptr;
      if (j < depth) {
        b = &book_.level(side, j);
        if (better(worst, b->price)) b = nullptr;  // beyond the snapshot's range
      }
      if (i >= levels.size() && b == nullptr) break;
      if (b != nullptr && i < levels.size() && b->price == levels[i].price) {
        if (b->size != levels[i].size) {
          ++mismatched;
          diff = diff + abs_diff(b->size, levels[i].size);
        }
        total = total + levels[i].size;
        ++i;
        ++j;
      } else if (b != nullptr && (i >= levels.size() || better(b->price, levels[i].price))) {
        ++mismatched;  // the book has a level the snapshot does not
        diff = diff + b->size;
        ++j;
      } else {
        ++mismatched;  // the snapshot has a level the book does not
        diff = diff + levels[i].size;
        total = total + levels[i].size;
        ++i;
      }
    }
  }
  DriftStats& d = stats_.drift;
  ++d.count;
  if (best_mismatch) ++d.best_mismatches;
  d.mismatched_levels += mismatched;
  d.max_mismatched_levels = std::max<uint64_t>(d.max_mismatched_levels, mismatched);
  d.abs_size_diff = d.abs_size_diff + diff;
  d.max_abs_size_diff = std::max(d.max_abs_size_diff, diff);
  const double rel =
      total.is_zero() ? (diff.is_zero() ? 0.0 : 1.0) : to_double(diff) / to_double(total);
  d.rel_size_diff_sum += rel;
  d.max_rel_size_diff = std::max(d.max_rel_size_diff, rel);
}

}  // namespace rlx::book

namespace rlx::book {
namespace {

constexpr uint32_t kEngineTag = make_tag("BKE", 2);

static_assert(sizeof(BookOptions) == 32, "BookOptions changed: update BookEngine::save/load");

}  // namespace

// A new BookStats field must be added to save/load: this size is the reminder.
static_assert(sizeof(BookStats) == 336, "BookStats changed: update BookStats::save and load");

void BookStats::save(BinaryWriter& w) const {
  const BookStats& s = *this;
  for (uint64_t v : s.messages) w.u64(v);
  for (uint64_t v : s.events) w.u64(v);
  for (uint64_t v : {s.gaps, s.resyncs, s.dropped_before_snapshot, s.snapshot_not_bridging, s.stale,
                     s.stale_snapshots, s.out_of_order, s.buffer_overflow, s.buffer_flushed_at_end,
                     s.crossed, s.crossed_rows, s.crossed_levels_dropped, s.trades_consumed,
                     s.trade_levels_removed, s.unsynced_events, s.reapplied_after_snapshot}) {
    w.u64(v);
  }
  const DriftStats& d = s.drift;
  w.u64(d.count);
  w.u64(d.best_mismatches);
  w.u64(d.mismatched_levels);
  w.u64(d.max_mismatched_levels);
  w.decimal(d.abs_size_diff);
  w.decimal(d.max_abs_size_diff);
  w.f64(d.rel_size_diff_sum);
  w.f64(d.max_rel_size_diff);
  for (uint64_t v : {s.ticker_matched, s.ticker_matched_before_diff, s.ticker_matched_last_diff,
                     s.ticker_mismatched, s.ticker_unmatched}) {
    w.u64(v);
  }
  w.u64(s.ticker_mismatch_examples.size());
  for (const std::string& e : s.ticker_mismatch_examples) w.str(e);
}

BookStats BookStats::load(BinaryReader& r) {
  BookStats s;
  for (uint64_t& v : s.messages) v = r.u64("BookStats.messages");
  for (uint64_t& v : s.events) v = r.u64("BookStats.events");
  for (uint64_t* v :
       {&s.gaps, &s.resyncs, &s.dropped_before_snapshot, &s.snapshot_not_bridging, &s.stale,
        &s.stale_snapshots, &s.out_of_order, &s.buffer_overflow, &s.buffer_flushed_at_end,
        &s.crossed, &s.crossed_rows, &s.crossed_levels_dropped, &s.trades_consumed,
        &s.trade_levels_removed, &s.unsynced_events, &s.reapplied_after_snapshot}) {
    *v = r.u64("BookStats counter");
  }
  DriftStats& d = s.drift;
  d.count = r.u64("DriftStats.count");
  d.best_mismatches = r.u64("DriftStats.best_mismatches");
  d.mismatched_levels = r.u64("DriftStats.mismatched_levels");
  d.max_mismatched_levels = r.u64("DriftStats.max_mismatched_levels");
  d.abs_size_diff = r.decimal("DriftStats.abs_size_diff");
  d.max_abs_size_diff = r.decimal("DriftStats.max_abs_size_diff");
  d.rel_size_diff_sum = r.f64("DriftStats.rel_size_diff_sum");
  d.max_rel_size_diff = r.f64("DriftStats.max_rel_size_diff");
  for (uint64_t* v : {&s.ticker_matched, &s.ticker_matched_before_diff, &s.ticker_matched_last_diff,
                      &s.ticker_mismatched, &s.ticker_unmatched}) {
    *v = r.u64("BookStats ticker counter");
  }
  s.ticker_mismatch_examples.resize(r.count("BookStats.ticker_mismatch_examples", 8));
  for (std::string& e : s.ticker_mismatch_examples) e = r.str("BookStats ticker mismatch example");
  return s;
}

void BookEngine::save(BinaryWriter& w) const {
  w.u32(kEngineTag);
  w.u8(static_cast<uint8_t>(options_.sequence));
  w.u8(static_cast<uint8_t>(options_.crossed));
  w.u8(static_cast<uint8_t>(options_.consume_trades));
  w.u8(static_cast<uint8_t>(options_.snapshot));
  w.u64(options_.max_buffered_messages);
  w.u64(options_.ticker_history);
  w.u64(options_.ticker_pending);
  book_.save(w);
  stats_.save(w);
  w.u8(static_cast<uint8_t>(mode_));
  w.u8(static_cast<uint8_t>(state_));
  w.boolean(has_snapshot_);
  w.boolean(seen_delta_);
  w.i64(snapshot_id_);
  w.i64(last_u_);
  w.i64(next_seq_);
  w.u64(buffer_.size());
  for (const Message& m : buffer_) save_message(w, m);
  w.u64(retained_.size());
  for (const Message& m : retained_) save_message(w, m);
  auto save_checks = [&w](const auto& checks) {
    w.u64(checks.size());
    for (const TickerCheck& t : checks) {
      w.i64(t.update_id);
      w.decimal(t.bid.price);
      w.decimal(t.bid.size);
      w.decimal(t.ask.price);
      w.decimal(t.ask.size);
    }
  };
  save_checks(history_);
  save_checks(pending_);
}

BookEngine BookEngine::load(BinaryReader& r) {
  r.expect_tag(kEngineTag, "BookEngine");
  BookOptions o;
  o.sequence = r.enumeration("BookOptions.sequence", SequenceMode::kNone);
  o.crossed = r.enumeration("BookOptions.crossed", CrossedPolicy::kDropBoth);
  o.consume_trades = r.enumeration("BookOptions.consume_trades", TradeConsumption::kOff);
  o.snapshot = r.enumeration("BookOptions.snapshot", SnapshotPolicy::kMergeRange);
  o.max_buffered_messages = r.u64("BookOptions.max_buffered_messages");
  o.ticker_history = r.u64("BookOptions.ticker_history");
  o.ticker_pending = r.u64("BookOptions.ticker_pending");
  BookEngine e(o);
  e.book_ = OrderBook::load(r);
  e.stats_ = BookStats::load(r);
  e.mode_ = r.enumeration("BookEngine.mode", SequenceMode::kNone);
  e.state_ = r.enumeration("BookEngine.state", State::kUnsynced);
  e.has_snapshot_ = r.boolean("BookEngine.has_snapshot");
  e.seen_delta_ = r.boolean("BookEngine.seen_delta");
  e.snapshot_id_ = r.i64("BookEngine.snapshot_id");
  e.last_u_ = r.i64("BookEngine.last_u");
  e.next_seq_ = r.i64("BookEngine.next_seq");
  // A message takes at least 100 bytes (fixed fields), a ticker check 72.
  e.buffer_.resize(r.count("BookEngine.buffer", 100));
  for (Message& m : e.buffer_) load_message(r, &m);
  e.retained_.resize(r.count("BookEngine.retained", 100));
  for (Message& m : e.retained_) load_message(r, &m);
  const uint64_t history = r.count("BookEngine.ticker_history", 72);
  for (int list = 0; list < 2; ++list) {
    const uint64_t n = list == 0 ? history : r.count("BookEngine.ticker_pending", 72);
    for (uint64_t i = 0; i < n; ++i) {
      TickerCheck t{};
      t.update_id = r.i64("TickerCheck.update_id");
      t.bid.price = r.decimal("TickerCheck.bid");
      t.bid.size = r.decimal("TickerCheck.bid");
      t.ask.price = r.decimal("TickerCheck.ask");
      t.ask.size = r.decimal("TickerCheck.ask");
      if (list == 0) {
        e.history_.push_back(t);
      } else {
        e.pending_.push_back(t);
      }
    }
  }
  return e;
}

}  // namespace rlx::book
