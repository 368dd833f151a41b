#include "rlx/book/book_engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rlx::book {
namespace {

using event_flags::kCrossed;
using event_flags::kGap;
using event_flags::kOutOfOrder;
using event_flags::kResync;
using event_flags::kUnsynced;

Decimal d(const char* text) {
  Decimal out;
  EXPECT_TRUE(Decimal::parse(text, &out)) << text;
  return out;
}
LevelUpdate B(const char* price, const char* size) { return {Side::kBid, d(price), d(size)}; }
LevelUpdate A(const char* price, const char* size) { return {Side::kAsk, d(price), d(size)}; }

Message spot_diff(int64_t first, int64_t last, std::vector<LevelUpdate> levels) {
  Message m;
  m.kind = MessageKind::kDelta;
  m.market = Market::kSpot;
  m.first_update_id = first;
  m.update_id = last;
  m.levels = std::move(levels);
  return m;
}
Message futures_diff(int64_t first, int64_t last, int64_t prev, std::vector<LevelUpdate> levels) {
  Message m = spot_diff(first, last, std::move(levels));
  m.market = Market::kUsdM;
  m.prev_update_id = prev;
  return m;
}
Message lake_delta(int64_t seq, std::vector<LevelUpdate> levels) {
  Message m;
  m.kind = MessageKind::kDelta;
  m.update_id = seq;
  m.levels = std::move(levels);
  return m;
}
Message snapshot(int64_t last, std::vector<LevelUpdate> levels) {
  Message m;
  m.kind = MessageKind::kSnapshot;
  m.update_id = last;
  m.levels = std::move(levels);
  return m;
}
Message trade(Side side, const char* price, const char* size) {
  Message m;
  m.kind = MessageKind::kTrade;
  m.side = side;
  m.price = d(price);
  m.size = d(size);
  m.trade_id = "t1";
  return m;
}
Message ticker(int64_t u, const char* bp, const char* bs, const char* ap, const char* as) {
  Message m;
  m.kind = MessageKind::kTicker;
  m.update_id = u;
  m.levels = {B(bp, bs), A(ap, as)};
  return m;
}

// Records every row with the book's best bid/ask as the consumer saw them.
struct Recorder : EventConsumer {
  struct Row {
    Event event;
    Decimal best_bid;
    Decimal best_ask;
  };
  std::vector<Row> rows;
  void on_event(const Event& event, const OrderBook& book) override {
    Row row{event, Decimal(), Decimal()};
    if (book.depth(Side::kBid) > 0) row.best_bid = book.level(Side::kBid, 0).price;
    if (book.depth(Side::kAsk) > 0) row.best_ask = book.level(Side::kAsk, 0).price;
    rows.push_back(row);
  }
};

BookOptions spot_options() {
  BookOptions o;
  o.sequence = SequenceMode::kBinanceSpot;
  return o;
}
BookOptions futures_options() {
  BookOptions o;
  o.sequence = SequenceMode::kBinanceFutures;
  return o;
}

// Independent day shards add their counts per symbol: sums, the larger maxima, and at most the
// usual five mismatch examples.
TEST(BookStats, AddSumsCountsKeepsMaximaAndCapsExamples) {
  BookStats a;
  a.messages[2] = 10;
  a.events[0] = 3;
  a.gaps = 1;
  a.ticker_unmatched = 2;
  a.drift.count = 4;
  a.drift.max_mismatched_levels = 7;
  a.drift.abs_size_diff = Decimal::from_int(2);
  a.ticker_mismatch_examples = {"a1", "a2", "a3", "a4"};
  BookStats b;
  b.messages[2] = 5;
  b.events[0] = 1;
  b.gaps = 2;
  b.reapplied_after_snapshot = 9;
  b.drift.count = 1;
  b.drift.max_mismatched_levels = 3;
  b.drift.abs_size_diff = Decimal::from_int(5);
  b.drift.max_rel_size_diff = 0.5;
  b.ticker_mismatch_examples = {"b1", "b2"};
  a.add(b);
  EXPECT_EQ(a.messages[2], 15u);
  EXPECT_EQ(a.events[0], 4u);
  EXPECT_EQ(a.gaps, 3u);
  EXPECT_EQ(a.ticker_unmatched, 2u);
  EXPECT_EQ(a.reapplied_after_snapshot, 9u);
  EXPECT_EQ(a.drift.count, 5u);
  EXPECT_EQ(a.drift.max_mismatched_levels, 7u);
  EXPECT_EQ(a.drift.abs_size_diff, Decimal::from_int(7));
  EXPECT_EQ(a.drift.max_rel_size_diff, 0.5);
  EXPECT_EQ(a.ticker_mismatch_examples, (std::vector<std::string>{"a1", "a2", "a3", "a4", "b1"}));
}

TEST(BookEngine, SpotSyncBuffersDropsBridgesAndContinues) {
  BookEngine engine(spot_options());
  Recorder rec;
  engine.on_message(spot_diff(1, 5, {B("99", "1")}), rec);                    // dropped: u <= 10
  engine.on_message(spot_diff(6, 10, {B("98", "1")}), rec);                   // dropped: u == 10
  engine.on_message(spot_diff(11, 12, {B("100", "2"), A("101", "3")}), rec);  // bridges 11
  EXPECT_TRUE(rec.rows.empty());  // buffered until the snapshot
  engine.on_message(snapshot(10, {B("100", "1"), B("99.5", "1"), A("101", "1")}), rec);
  engine.on_message(spot_diff(13, 13, {A("101", "0")}), rec);
  engine.on_message(spot_diff(14, 15, {}), rec);
  engine.finish(rec);

  ASSERT_EQ(rec.rows.size(), 3u + 2u + 1u + 1u);
  for (size_t i = 0; i < rec.rows.size(); ++i) {
    EXPECT_EQ(rec.rows[i].event.event_seq, static_cast<int64_t>(i));
    EXPECT_EQ(rec.rows[i].event.flags, 0u) << i;
  }
  EXPECT_EQ(rec.rows[0].event.type, EventType::kBookSnapshot);
  EXPECT_FALSE(rec.rows[1].event.last_in_message);
  EXPECT_TRUE(rec.rows[2].event.last_in_message);
  EXPECT_EQ(rec.rows[3].event.type, EventType::kBookDelta);
  EXPECT_EQ(rec.rows[3].event.update_id, 12);
  EXPECT_FALSE(rec.rows[3].event.last_in_message);
  EXPECT_TRUE(rec.rows[4].event.last_in_message);
  EXPECT_EQ(rec.rows[5].best_ask, Decimal());  // ask 101 deleted
  // Zero-level diff still yields one row.
  EXPECT_EQ(rec.rows[6].event.side, Side::kNone);
  EXPECT_EQ(rec.rows[6].event.update_id, 15);
  EXPECT_TRUE(rec.rows[6].event.last_in_message);

  const BookStats& s = engine.stats();
  EXPECT_EQ(s.dropped_before_snapshot, 2u);
  EXPECT_EQ(s.gaps, 0u);
  EXPECT_EQ(s.resyncs, 0u);
  EXPECT_EQ(s.snapshot_not_bridging, 0u);
  EXPECT_EQ(s.messages[static_cast<int>(MessageKind::kDelta)], 5u);
  EXPECT_EQ(s.events[static_cast<int>(EventType::kBookDelta)], 4u);
  EXPECT_EQ(s.events[static_cast<int>(EventType::kBookSnapshot)], 3u);
  EXPECT_TRUE(engine.synced());
  EXPECT_EQ(engine.book().best(Side::kBid)->size, d("2"));
}

TEST(BookEngine, ConsumerSeesEachRowApplied) {
  BookEngine engine(spot_options());
  Recorder rec;
  engine.on_message(snapshot(10, {B("100", "1"), A("102", "1")}), rec);
  engine.on_message(spot_diff(11, 11, {B("101", "1"), A("101.5", "1")}), rec);
  ASSERT_EQ(rec.rows.size(), 4u);
  EXPECT_EQ(rec.rows[2].best_bid, d("101"));
  EXPECT_EQ(rec.rows[2].best_ask, d("102"));
  EXPECT_EQ(rec.rows[3].best_ask, d("101.5"));
}

TEST(BookEngine, SpotOverlapIsContinuousGapIsFlaggedUntilSnapshot) {
  BookEngine engine(spot_options());
  Recorder rec;
  engine.on_message(snapshot(10, {B("100", "1"), A("101", "1")}), rec);
  engine.on_message(spot_diff(9, 12, {B("100", "2")}), rec);   // bridges (U <= 11 <= u)
  engine.on_message(spot_diff(12, 14, {B("100", "3")}), rec);  // overlap: accepted
  engine.on_message(spot_diff(13, 14, {B("100", "9")}), rec);  // stale: u <= 14
  engine.on_message(spot_diff(16, 17, {B("100", "4")}), rec);  // gap: 15 missing
  engine.on_message(trade(Side::kBuy, "101", "0.1"), rec);
  engine.on_message(spot_diff(18, 18, {B("100", "5"), A("101", "2")}), rec);
  engine.on_message(snapshot(20, {B("100", "5"), A("101", "7")}), rec);
  engine.on_message(spot_diff(21, 21, {B("100", "6")}), rec);
  engine.finish(rec);

  const auto& r = rec.rows;
  ASSERT_EQ(r.size(), 2u + 1 + 1 + 1 + 1 + 2 + 2 + 1);
  EXPECT_EQ(r[2].event.flags, 0u);
  EXPECT_EQ(r[3].event.flags, 0u);
  EXPECT_EQ(r[4].event.update_id, 17);
  EXPECT_EQ(r[4].event.flags, kGap | kUnsynced);
  EXPECT_EQ(r[5].event.type, EventType::kTrade);
  EXPECT_EQ(r[5].event.flags, kUnsynced);
  EXPECT_EQ(r[6].event.flags, kUnsynced);
  EXPECT_EQ(r[7].event.flags, kUnsynced);
  EXPECT_EQ(r[8].event.type, EventType::kBookSnapshot);
  EXPECT_EQ(r[8].event.flags, kResync);
  EXPECT_EQ(r[10].event.flags, 0u);

  const BookStats& s = engine.stats();
  EXPECT_EQ(s.stale, 1u);
  EXPECT_EQ(s.gaps, 1u);
  EXPECT_EQ(s.resyncs, 1u);
  EXPECT_EQ(s.unsynced_events, 4u);
  // Drift at the resync: book had ask 101 size 2, snapshot says 7.
  EXPECT_EQ(s.drift.count, 1u);
  EXPECT_EQ(s.drift.best_mismatches, 1u);
  EXPECT_EQ(s.drift.mismatched_levels, 1u);
  EXPECT_EQ(s.drift.abs_size_diff, d("5"));
  EXPECT_DOUBLE_EQ(s.drift.max_rel_size_diff, 5.0 / 12.0);
  EXPECT_TRUE(engine.synced());
}

TEST(BookEngine, FuturesBridgeKeepsUEqualLastUpdateIdAndChecksPu) {
  BookEngine engine(futures_options());
  Recorder rec;
  engine.on_message(futures_diff(90, 99, 80, {B("1", "1")}), rec);   // u < 100: dropped
  engine.on_message(futures_diff(95, 100, 99, {B("2", "1")}), rec);  // U <= 100 <= u: bridge
  engine.on_message(snapshot(100, {B("2", "5"), A("3", "1")}), rec);
  engine.on_message(futures_diff(103, 110, 100, {A("3", "2")}), rec);  // pu == 100
  engine.on_message(futures_diff(111, 120, 105, {A("3", "4")}), rec);  // pu != 110: gap
  engine.on_message(futures_diff(121, 130, 120, {A("3", "5")}), rec);  // continuous, unsynced
  const auto& r = rec.rows;
  ASSERT_EQ(r.size(), 2u + 4u);
  EXPECT_EQ(r[2].event.update_id, 100);
  EXPECT_EQ(r[2].event.flags, 0u);
  EXPECT_EQ(r[3].event.flags, 0u);
  EXPECT_EQ(r[4].event.flags, kGap | kUnsynced);
  EXPECT_EQ(r[5].event.flags, kUnsynced);
  EXPECT_EQ(engine.stats().dropped_before_snapshot, 1u);
  EXPECT_EQ(engine.stats().gaps, 1u);
  EXPECT_FALSE(engine.synced());
}

// A snapshot taken right after a diff (its id is that diff's u): the next diff holds no id
// equal to it, but its pu is the snapshot's id, which proves continuity from the snapshot.
TEST(BookEngine, FuturesSnapshotBridgesOnPuEqualToItsId) {
  BookEngine engine(futures_options());
  Recorder rec;
  engine.on_message(snapshot(100, {B("2", "5"), A("3", "1")}), rec);
  EXPECT_TRUE(engine.awaiting_bridge());
  EXPECT_EQ(engine.last_update_id(), 100);
  engine.on_message(futures_diff(105, 110, 100, {A("3", "2")}), rec);  // pu == 100
  EXPECT_TRUE(engine.synced());
  EXPECT_EQ(engine.last_update_id(), 110);
  EXPECT_EQ(rec.rows.back().event.flags, 0u);
  EXPECT_EQ(engine.stats().snapshot_not_bridging, 0u);
}

// A resync snapshot that arrives after diffs newer than it (they came while it was fetched):
// those diffs, emitted unsynced already, are re-applied after it and the book is synced at once,
// as the venue's procedure applies its buffered events. Their rows are not emitted again.
TEST(BookEngine, FuturesResyncReappliesTheDiffsNewerThanTheSnapshot) {
  BookEngine engine(futures_options());
  Recorder rec;
  engine.on_message(snapshot(100, {B("2", "5"), A("3", "1")}), rec);
  engine.on_message(futures_diff(101, 110, 100, {A("3", "2")}), rec);
  engine.on_message(futures_diff(121, 130, 115, {A("3", "4")}), rec);  // gap
  engine.on_message(futures_diff(131, 140, 130, {A("4", "7")}), rec);  // unsynced
  engine.on_message(futures_diff(141, 150, 140, {B("2", "0")}), rec);  // unsynced
  EXPECT_FALSE(engine.synced());
  const size_t rows_before = rec.rows.size();
  // The snapshot was taken at 135, inside the diff 131..140.
  engine.on_message(snapshot(135, {B("2", "5"), B("1", "1"), A("3", "4")}), rec);
  EXPECT_TRUE(engine.synced());
  EXPECT_EQ(engine.last_update_id(), 150);
  EXPECT_EQ(engine.stats().reapplied_after_snapshot, 2u);
  EXPECT_EQ(rec.rows.size(), rows_before + 3);  // only the snapshot's rows
  // The book holds the snapshot plus both re-applied diffs.
  EXPECT_EQ(engine.book().best(Side::kBid)->price.to_string(), "1");
  ASSERT_NE(engine.book().find(Side::kAsk, Decimal::from_raw(4 * Decimal::kOne)), nullptr);
  engine.on_message(futures_diff(151, 160, 150, {A("3", "9")}), rec);
  EXPECT_TRUE(engine.synced());
  EXPECT_EQ(rec.rows.back().event.flags, 0u);
  // A snapshot older than every diff seen since the gap cannot be used.
  engine.on_message(futures_diff(171, 180, 165, {A("3", "1")}), rec);  // gap
  engine.on_message(snapshot(168, {B("2", "5"), A("3", "4")}), rec);
  EXPECT_FALSE(engine.synced());
  EXPECT_EQ(engine.stats().snapshot_not_bridging, 1u);
}

TEST(BookEngine, NonBridgingFirstDiffIsCountedAndFlagged) {
  BookEngine engine(futures_options());
  Recorder rec;
  engine.on_message(snapshot(100, {B("2", "5"), A("3", "1")}), rec);
  engine.on_message(futures_diff(105, 110, 104, {A("3", "2")}), rec);  // U > 100
  engine.on_message(futures_diff(111, 112, 110, {A("3", "3")}), rec);
  ASSERT_EQ(rec.rows.size(), 4u);
  EXPECT_EQ(rec.rows[2].event.flags, kGap | kUnsynced);
  EXPECT_EQ(rec.rows[3].event.flags, kUnsynced);
  EXPECT_EQ(engine.stats().snapshot_not_bridging, 1u);
  EXPECT_EQ(engine.stats().gaps, 0u);
  EXPECT_FALSE(engine.synced());
}

TEST(BookEngine, BufferBoundAndEndOfInputEmitUnsynced) {
  BookOptions o = spot_options();
  o.max_buffered_messages = 2;
  BookEngine engine(o);
  Recorder rec;
  engine.on_message(spot_diff(1, 1, {B("1", "1")}), rec);
  engine.on_message(trade(Side::kSell, "1", "0.5"), rec);  // emitted at once, unsynced
  engine.on_message(spot_diff(2, 2, {B("2", "1")}), rec);
  engine.on_message(spot_diff(3, 3, {B("3", "1")}), rec);  // overflow: diff 1 emitted
  ASSERT_EQ(rec.rows.size(), 2u);
  EXPECT_EQ(rec.rows[0].event.type, EventType::kTrade);
  EXPECT_EQ(rec.rows[0].event.flags, kUnsynced);
  EXPECT_EQ(rec.rows[1].event.update_id, 1);
  EXPECT_EQ(rec.rows[1].event.flags, kUnsynced);
  EXPECT_EQ(rec.rows[1].best_bid, d("1"));  // applied to the book as it is
  engine.finish(rec);
  ASSERT_EQ(rec.rows.size(), 4u);
  EXPECT_EQ(rec.rows[3].event.update_id, 3);
  EXPECT_EQ(rec.rows[3].event.flags, kUnsynced);
  EXPECT_EQ(engine.stats().buffer_overflow, 1u);
  EXPECT_EQ(engine.stats().buffer_flushed_at_end, 2u);
  EXPECT_EQ(engine.stats().unsynced_events, 4u);
}

TEST(BookEngine, ZeroLevelSnapshotIsVisibleAndClearsBook) {
  BookEngine engine(spot_options());
  Recorder rec;
  engine.on_message(snapshot(10, {B("1", "1")}), rec);
  engine.on_message(snapshot(11, {}), rec);
  ASSERT_EQ(rec.rows.size(), 2u);
  EXPECT_EQ(rec.rows[1].event.side, Side::kNone);
  EXPECT_EQ(rec.rows[1].event.type, EventType::kBookSnapshot);
  EXPECT_EQ(rec.rows[1].event.flags, kResync);
  EXPECT_EQ(engine.book().depth(Side::kBid), 0u);
  EXPECT_EQ(engine.stats().drift.best_mismatches, 1u);
}

TEST(BookEngine, CrossedPolicies) {
  auto run = [](CrossedPolicy policy, BookStats* stats, std::vector<Recorder::Row>* rows) {
    BookOptions o = spot_options();
    o.crossed = policy;
    BookEngine engine(o);
    Recorder rec;
    engine.on_message(snapshot(10, {B("100", "1"), B("99", "1"), A("101", "1"), A("102", "1")}),
                      rec);
    // Transient cross inside a message (bid raised before the ask is removed): not counted.
    engine.on_message(spot_diff(11, 11, {B("101", "1"), A("101", "0")}), rec);
    // Bid 103 crosses asks 102 (stale): the message leaves the book crossed.
    engine.on_message(spot_diff(12, 12, {B("103", "1")}), rec);
    *stats = engine.stats();
    *rows = rec.rows;
    return engine.book().crossed();
  };
  BookStats s;
  std::vector<Recorder::Row> rows;
  EXPECT_TRUE(run(CrossedPolicy::kKeep, &s, &rows));
  ASSERT_EQ(rows.size(), 4u + 2u + 1u);
  EXPECT_EQ(rows[4].event.flags, kCrossed);  // transient, flagged
  EXPECT_EQ(rows[5].event.flags, 0u);
  EXPECT_EQ(rows[6].event.flags, kCrossed);
  EXPECT_EQ(s.crossed, 1u);
  EXPECT_EQ(s.crossed_rows, 2u);
  EXPECT_EQ(s.crossed_levels_dropped, 0u);

  EXPECT_FALSE(run(CrossedPolicy::kDropStaleOpposite, &s, &rows));
  EXPECT_EQ(s.crossed, 1u);
  EXPECT_EQ(s.crossed_levels_dropped, 1u);  // ask 102
  EXPECT_EQ(rows.back().best_bid, d("103"));
  EXPECT_EQ(rows.back().best_ask, Decimal());
  EXPECT_EQ(rows.back().event.flags, kCrossed);  // the crossing is still flagged

  EXPECT_FALSE(run(CrossedPolicy::kDropBoth, &s, &rows));
  EXPECT_EQ(s.crossed_levels_dropped, 2u);  // bid 103 and ask 102
  EXPECT_EQ(rows.back().best_bid, d("101"));
}

TEST(BookEngine, TradeConsumptionAutoUntilFirstDelta) {
  BookEngine engine(spot_options());
  Recorder rec;
  engine.on_message(snapshot(10, {B("100", "1"), B("99", "2"), A("101", "1"), A("102", "2")}), rec);
  // A sell at 99 traded through bid 100 and took 0.5 of bid 99.
  engine.on_message(trade(Side::kSell, "99", "0.5"), rec);
  EXPECT_EQ(engine.book().best(Side::kBid)->price, d("99"));
  EXPECT_EQ(engine.book().best(Side::kBid)->size, d("1.5"));
  // A buy at 101 for more than the level removes it.
  engine.on_message(trade(Side::kBuy, "101", "5"), rec);
  EXPECT_EQ(engine.book().best(Side::kAsk)->price, d("102"));
  EXPECT_EQ(engine.stats().trades_consumed, 2u);
  EXPECT_EQ(engine.stats().trade_levels_removed, 2u);
  EXPECT_EQ(rec.rows.back().best_ask, d("102"));  // the consumer sees the consumed book
  // After the first delta, trades no longer touch the book.
  engine.on_message(spot_diff(11, 11, {B("99", "1.5")}), rec);
  engine.on_message(trade(Side::kBuy, "102", "1"), rec);
  EXPECT_EQ(engine.book().best(Side::kAsk)->size, d("2"));
  EXPECT_EQ(rec.rows.back().event.type, EventType::kTrade);
  EXPECT_EQ(rec.rows.back().event.trade_id, "t1");
  EXPECT_EQ(rec.rows.back().event.price, d("102"));
}

TEST(BookEngine, TradeConsumptionOnAndOff) {
  for (TradeConsumption mode : {TradeConsumption::kOn, TradeConsumption::kOff}) {
    BookOptions o = spot_options();
    o.consume_trades = mode;
    BookEngine engine(o);
    Recorder rec;
    engine.on_message(snapshot(10, {B("100", "1"), A("101", "1")}), rec);
    engine.on_message(spot_diff(11, 11, {A("101", "3")}), rec);
    engine.on_message(trade(Side::kNone, "101", "1"), rec);  // side inferred from the book
    EXPECT_EQ(engine.book().best(Side::kAsk)->size,
              mode == TradeConsumption::kOn ? d("2") : d("3"));
  }
}

TEST(BookEngine, TickersCheckedBeforeAndAfterTheirDiff) {
  BookEngine engine(futures_options());
  Recorder rec;
  engine.on_message(snapshot(100, {B("10", "1"), A("11", "1")}), rec);
  engine.on_message(ticker(101, "10", "2", "11", "1"), rec);  // before its diff: pending
  engine.on_message(futures_diff(100, 101, 99, {B("10", "2")}), rec);
  engine.on_message(ticker(101, "10", "2", "11", "1"), rec);  // after: from the history
  engine.on_message(ticker(105, "10", "2", "11", "1"), rec);  // pending, never matched
  engine.on_message(futures_diff(102, 106, 101, {A("11", "3")}), rec);
  engine.on_message(ticker(106, "10", "2", "11", "1"), rec);  // mismatch: ask size is 3
  engine.on_message(ticker(103, "10", "2", "11", "1"), rec);  // no diff had u=103
  engine.finish(rec);
  const BookStats& s = engine.stats();
  EXPECT_EQ(s.ticker_matched, 2u);
  EXPECT_EQ(s.ticker_mismatched, 1u);
  EXPECT_EQ(s.ticker_unmatched, 2u);
  ASSERT_EQ(s.ticker_mismatch_examples.size(), 1u);
  EXPECT_EQ(s.ticker_mismatch_examples[0],
            "u=106: ticker bid 2@10 ask 1@11, book bid 2@10 ask 3@11");
  EXPECT_EQ(s.messages[static_cast<int>(MessageKind::kTicker)], 5u);
  EXPECT_EQ(rec.rows.size(), 4u);  // tickers are never output
  std::string json;
  s.write_json(&json);
  EXPECT_NE(json.find("\"ticker_matched\":2,"), std::string::npos) << json;
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
}

TEST(BookEngine, LakeNonDecreasingOutOfOrderAndPartialSnapshot) {
  BookOptions o;
  o.sequence = SequenceMode::kNonDecreasing;
  BookEngine engine(o);
  Recorder rec;
  // A day that starts without a snapshot: deltas applied, flagged unsynced.
  engine.on_message(lake_delta(5, {B("90", "1"), B("99", "1"), A("120", "1"), A("105", "1")}), rec);
  EXPECT_EQ(rec.rows[0].event.flags, kUnsynced);
  // Top-2 snapshot per side: range bids >= 98, asks <= 103. Bid 99 is inside the range and
  // goes; bid 90 and ask 105/120 are deeper and stay.
  engine.on_message(snapshot(6, {B("100", "1"), B("98", "1"), A("101", "1"), A("103", "1")}), rec);
  EXPECT_EQ(rec.rows[4].event.flags, 0u);  // first snapshot: no resync
  const OrderBook& book = engine.book();
  ASSERT_EQ(book.depth(Side::kBid), 3u);
  EXPECT_EQ(book.level(Side::kBid, 2).price, d("90"));
  ASSERT_EQ(book.depth(Side::kAsk), 4u);
  EXPECT_EQ(book.level(Side::kAsk, 3).price, d("120"));
  engine.on_message(lake_delta(7, {B("100", "2")}), rec);
  engine.on_message(lake_delta(7, {B("100", "3")}), rec);  // equal: fine
  engine.on_message(lake_delta(6, {B("100", "4")}), rec);  // decrease
  engine.on_message(lake_delta(8, {B("100", "5")}), rec);
  const size_t n = rec.rows.size();
  EXPECT_EQ(rec.rows[n - 4].event.flags, 0u);
  EXPECT_EQ(rec.rows[n - 3].event.flags, 0u);
  EXPECT_EQ(rec.rows[n - 2].event.flags, kOutOfOrder);
  EXPECT_EQ(rec.rows[n - 1].event.flags, 0u);
  EXPECT_EQ(engine.stats().out_of_order, 1u);
  EXPECT_EQ(book.best(Side::kBid)->size, d("5"));  // out-of-order deltas are still applied
}

TEST(BookEngine, SnapshotOlderThanASyncedBookIsSkippedAndCounted) {
  BookOptions o;
  o.sequence = SequenceMode::kNonDecreasing;
  BookEngine engine(o);
  Recorder rec;
  engine.on_message(snapshot(10, {B("100", "1"), A("101", "1")}), rec);
  engine.on_message(lake_delta(11, {B("100", "0"), A("100", "2")}), rec);  // the market moved down
  const size_t rows = rec.rows.size();
  // A `book` row sampled at 10 that sorts after diff 11 (same millisecond) must not roll back.
  engine.on_message(snapshot(10, {B("100", "1"), A("101", "1")}), rec);
  EXPECT_EQ(rec.rows.size(), rows);
  EXPECT_EQ(engine.stats().stale_snapshots, 1u);
  EXPECT_EQ(engine.stats().resyncs, 0u);
  EXPECT_FALSE(engine.book().crossed());
  EXPECT_EQ(engine.book().depth(Side::kBid), 0u);
  EXPECT_EQ(engine.book().best(Side::kAsk)->price, d("100"));
  // A newer snapshot still resyncs.
  engine.on_message(snapshot(12, {B("99", "1"), A("100", "2")}), rec);
  EXPECT_EQ(engine.stats().resyncs, 1u);
}

TEST(BookEngine, AutoModeFromFields) {
  {
    BookEngine engine;
    Recorder rec;
    engine.on_message(futures_diff(1, 2, 0, {B("1", "1")}), rec);
    EXPECT_EQ(engine.sequence_mode(), SequenceMode::kBinanceFutures);
    EXPECT_TRUE(rec.rows.empty());  // buffered
  }
  {
    BookEngine engine;
    Recorder rec;
    engine.on_message(snapshot(10, {B("1", "1")}), rec);
    engine.on_message(spot_diff(11, 11, {B("1", "2")}), rec);
    EXPECT_EQ(engine.sequence_mode(), SequenceMode::kBinanceSpot);
    EXPECT_TRUE(engine.synced());
  }
  {
    BookEngine engine;
    Recorder rec;
    engine.on_message(snapshot(10, {B("1", "1")}), rec);
    engine.on_message(lake_delta(3, {B("1", "2")}), rec);
    EXPECT_EQ(engine.sequence_mode(), SequenceMode::kNonDecreasing);
    EXPECT_TRUE(engine.synced());
    EXPECT_EQ(rec.rows.back().event.flags, 0u);
  }
}

}  // namespace
}  // namespace rlx::book
