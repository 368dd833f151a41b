// Checkpoint state of the book: OrderBook and BookEngine save/load, copies, and the proof that a
// restored engine continues exactly like the original.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"

namespace rlx::book {
namespace {

std::string saved(const OrderBook& book) {
  std::string out;
  BinaryWriter w(&out);
  book.save(w);
  return out;
}

std::string saved(const BookEngine& engine) {
  std::string out;
  BinaryWriter w(&out);
  engine.save(w);
  return out;
}

OrderBook reloaded(const OrderBook& book) {
  const std::string bytes = saved(book);
  BinaryReader r(bytes);
  OrderBook out = OrderBook::load(r);
  r.expect_end("OrderBook");
  return out;
}

BookEngine reloaded(const BookEngine& engine) {
  const std::string bytes = saved(engine);
  BinaryReader r(bytes);
  BookEngine out = BookEngine::load(r);
  r.expect_end("BookEngine");
  return out;
}

void expect_same_levels(const OrderBook& a, const OrderBook& b) {
  for (Side side : {Side::kBid, Side::kAsk}) {
    ASSERT_EQ(a.depth(side), b.depth(side));
    for (size_t i = 0; i < a.depth(side); ++i) {
      ASSERT_EQ(a.level(side, i).price, b.level(side, i).price) << i;
      ASSERT_EQ(a.level(side, i).size, b.level(side, i).size) << i;
    }
  }
  EXPECT_EQ(a.crossed(), b.crossed());
}

Decimal px(int64_t ticks) {
  return Decimal::from_raw(static_cast<__int128>(ticks) * 10'000'000'000'000'000);
}

// A deep book with most levels below the top deleted: the original keeps tombstones there.
OrderBook churned_book() {
  OrderBook book;
  for (int64_t i = 0; i < 3000; ++i) {
    book.set(Side::kBid, px(100000 - i), Decimal::from_int(1 + i % 7));
    book.set(Side::kAsk, px(100001 + i), Decimal::from_int(1 + i % 5));
  }
  for (int64_t i = 100; i < 3000; i += 3) {
    book.set(Side::kBid, px(100000 - i), Decimal());
    book.set(Side::kAsk, px(100001 + i), Decimal());
  }
  return book;
}

TEST(OrderBookState, RoundTripKeepsEveryLevel) {
  const OrderBook book = churned_book();
  const OrderBook copy = reloaded(book);
  expect_same_levels(book, copy);
  EXPECT_EQ(saved(copy), saved(book));
  EXPECT_EQ(saved(reloaded(OrderBook())), saved(OrderBook()));
}

// The restored book has no tombstones where the original has many: every later update must
// still give the same book, through inserts that reuse tombstones, deep deletes, erase_better
// and compaction.
TEST(OrderBookState, RestoredBookEvolvesExactlyLikeTheOriginal) {
  OrderBook original = churned_book();
  OrderBook restored = reloaded(original);
  std::mt19937_64 rng(42);
  for (int step = 0; step < 200000; ++step) {
    const Side side = rng() % 2 == 0 ? Side::kBid : Side::kAsk;
    const int64_t depth = static_cast<int64_t>(rng() % 3500);
    const Decimal price = side == Side::kBid ? px(100000 - depth) : px(100001 + depth);
    const uint64_t op = rng() % 1000;
    if (op < 2) {
      const Decimal at = side == Side::kBid ? px(100000 - depth / 50) : px(100001 + depth / 50);
      ASSERT_EQ(original.erase_better(side, at, op == 0), restored.erase_better(side, at, op == 0));
    } else {
      const Decimal size = op < 500 ? Decimal() : Decimal::from_int(static_cast<int64_t>(op));
      ASSERT_EQ(original.set(side, price, size), restored.set(side, price, size)) << step;
    }
    ASSERT_EQ(original.depth(side), restored.depth(side)) << step;
    if (original.depth(side) > 0) {
      ASSERT_EQ(original.best(side)->price, restored.best(side)->price) << step;
      ASSERT_EQ(original.best(side)->size, restored.best(side)->size) << step;
    }
    const Level* a = original.find(side, price);
    const Level* b = restored.find(side, price);
    ASSERT_EQ(a == nullptr, b == nullptr) << step;
    if (step % 5000 == 0) {
      expect_same_levels(original, restored);
      ASSERT_EQ(saved(original), saved(restored)) << step;
    }
  }
  expect_same_levels(original, restored);
}

TEST(OrderBookState, LoadRejectsLevelsOutOfOrderOrEmpty) {
  auto bytes_of = [](const std::vector<Level>& bids) {
    std::string out;
    BinaryWriter w(&out);
    w.u32(make_tag("OBK", 1));
    w.u64(bids.size());
    for (const Level& l : bids) {
      w.decimal(l.price);
      w.decimal(l.size);
    }
    w.u64(0);
    return out;
  };
  const Decimal one = Decimal::from_int(1);
  for (const auto& bids :
       {std::vector<Level>{{px(2), one}, {px(1), one}},
        std::vector<Level>{{px(1), one}, {px(1), one}}, std::vector<Level>{{px(1), Decimal()}}}) {
    const std::string bytes = bytes_of(bids);
    BinaryReader r(bytes);
    EXPECT_THROW(OrderBook::load(r), Error);
  }
  const std::string good = bytes_of({{px(1), one}, {px(2), one}});
  BinaryReader r(good);
  EXPECT_EQ(OrderBook::load(r).best(Side::kBid)->price, px(2));
}

// Every row as text, with the best levels after it.
struct Recorder : EventConsumer {
  std::vector<std::string> rows;
  void on_event(const Event& e, const OrderBook& book) override {
    std::string row = std::to_string(e.event_seq) + " " + event_type_name(e.type) + " " +
                      std::to_string(e.update_id) + " " + e.trade_id + " " + side_name(e.side) +
                      " " + e.price.to_string() + " " + e.size.to_string() + " " +
                      std::to_string(e.flags) + (e.last_in_message ? " last" : "");
    for (Side side : {Side::kBid, Side::kAsk}) {
      if (const Level* l = book.best(side))
        row += " " + l->size.to_string() + "@" + l->price.to_string();
    }
    rows.push_back(row);
  }
};

Message delta(int64_t first, int64_t last, std::vector<LevelUpdate> levels) {
  Message m;
  m.kind = MessageKind::kDelta;
  m.exchange = "binance";
  m.symbol = "BTCUSDT";
  m.first_update_id = first;
  m.update_id = last;
  m.origin_time = last * 1000;
  m.levels = std::move(levels);
  return m;
}

Message snapshot(int64_t id, std::vector<LevelUpdate> levels) {
  Message m = delta(kNull, id, std::move(levels));
  m.kind = MessageKind::kSnapshot;
  m.first_update_id = kNull;
  return m;
}

Message ticker(int64_t u, int64_t bid, int64_t bid_size, int64_t ask, int64_t ask_size) {
  Message m;
  m.kind = MessageKind::kTicker;
  m.update_id = u;
  m.levels = {{Side::kBid, px(bid), Decimal::from_int(bid_size)},
              {Side::kAsk, px(ask), Decimal::from_int(ask_size)}};
  return m;
}

Message trade(const char* id, Side side, int64_t price, int64_t size) {
  Message m;
  m.kind = MessageKind::kTrade;
  m.trade_id = id;
  m.side = side;
  m.price = px(price);
  m.size = Decimal::from_int(size);
  return m;
}

LevelUpdate bid(int64_t p, int64_t s) { return {Side::kBid, px(p), Decimal::from_int(s)}; }
LevelUpdate ask(int64_t p, int64_t s) { return {Side::kAsk, px(p), Decimal::from_int(s)}; }

// A Binance spot session: diffs buffered before the snapshot, a trade while unsynced, tickers
// before and after their diff (one mismatching), a gap, a crossing diff, a resync with drift.
std::vector<Message> session() {
  return {
      delta(1, 3, {bid(99, 1), ask(101, 2)}),
      trade("t1", Side::kBuy, 101, 1),
      delta(4, 6, {bid(98, 4)}),
      ticker(8, 99, 5, 101, 2),  // before its diff: pending
      delta(7, 8, {bid(99, 5), ask(102, 1)}),
      snapshot(5, {bid(99, 2), bid(97, 1), ask(101, 2), ask(103, 3)}),
      ticker(8, 99, 5, 101, 2),
      delta(9, 10, {ask(101, 0)}),
      ticker(10, 99, 5, 102, 9),  // mismatch
      trade("t2", Side::kSell, 99, 2),
      delta(11, 12, {bid(102, 1)}),  // crosses
      delta(20, 21, {bid(96, 1)}),   // gap
      ticker(30, 1, 1, 2, 2),        // never matched
      snapshot(40, {bid(98, 1), ask(100, 1)}),
      delta(40, 41, {bid(97, 3)}),
      delta(42, 42, {}),
  };
}

void run(BookEngine& engine, const std::vector<Message>& messages, size_t from, size_t to,
         Recorder& out) {
  for (size_t i = from; i < to; ++i) engine.on_message(messages[i], out);
}

TEST(BookEngineState, RestoredAtEveryMessageContinuesExactly) {
  const std::vector<Message> messages = session();
  BookOptions options;
  options.crossed = CrossedPolicy::kDropStaleOpposite;
  options.ticker_history = 3;
  options.ticker_pending = 2;
  Recorder expected;
  BookEngine reference(options);
  run(reference, messages, 0, messages.size(), expected);
  reference.finish(expected);
  std::string expected_stats;
  reference.stats().write_json(&expected_stats);
  ASSERT_GT(reference.stats().gaps, 0u);
  ASSERT_GT(reference.stats().ticker_mismatched, 0u);
  ASSERT_GT(reference.stats().drift.count, 0u);

  for (size_t k = 0; k <= messages.size(); ++k) {
    SCOPED_TRACE("restored after message " + std::to_string(k));
    Recorder rows;
    BookEngine first(options);
    run(first, messages, 0, k, rows);
    if (k == 2) EXPECT_EQ(first.buffered_messages(), 1u);  // checkpoint inside the buffering
    BookEngine second = reloaded(first.snapshot());
    EXPECT_EQ(saved(second), saved(first));
    EXPECT_EQ(second.options(), options);
    EXPECT_EQ(second.buffered_messages(), first.buffered_messages());
    EXPECT_EQ(second.synced(), first.synced());
    EXPECT_EQ(second.sequence_mode(), first.sequence_mode());
    run(second, messages, k, messages.size(), rows);
    second.finish(rows);
    EXPECT_EQ(rows.rows, expected.rows);
    std::string stats;
    second.stats().write_json(&stats);
    EXPECT_EQ(stats, expected_stats);
  }
}

TEST(BookEngineState, SnapshotIsIndependentOfTheOriginal) {
  const std::vector<Message> messages = session();
  BookEngine engine;
  Recorder rows;
  run(engine, messages, 0, 3, rows);
  const BookEngine copy = engine.snapshot();
  const std::string before = saved(copy);
  run(engine, messages, 3, messages.size(), rows);
  EXPECT_EQ(saved(copy), before);
  EXPECT_NE(saved(engine), before);
}

TEST(BookEngineState, EveryTruncationThrows) {
  const std::vector<Message> messages = session();
  BookEngine engine;
  Recorder rows;
  run(engine, messages, 0, 3, rows);  // two diffs buffered
  const std::string bytes = saved(engine);
  for (size_t n = 0; n < bytes.size(); ++n) {
    BinaryReader r(std::string_view(bytes).substr(0, n));
    EXPECT_THROW(BookEngine::load(r), Error) << n;
  }
}

}  // namespace
}  // namespace rlx::book
