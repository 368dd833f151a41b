#include "rlx/features/feature_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"
#include "rlx/testing/event_feed.h"
#include "rlx/testing/test_data.h"

namespace rlx::features {
namespace {

using testing::dec;

constexpr int64_t kMs = 1'000'000;

// A builder fed by hand-made messages.
struct Feed {
  explicit Feed(FeatureOptions o = {}) : builder(std::move(o)) {}
  void book(EventType type, int64_t t, const std::vector<testing::EventFeed::Row>& rows,
            uint32_t flags = 0) {
    feed.book(type, t, rows, flags);
  }
  void trade(int64_t t, Side side, const char* price, const char* size, const char* id) {
    feed.trade(t, side, price, size, id);
  }
  FeatureBuilder builder;
  testing::EventFeed feed{&builder};
};

// A small case computed by hand: units from the snapshot, rows at message boundaries, the
// interval counts, and Cont's OFI.
TEST(FeatureBuilder, HandComputedCase) {
  Feed f;
  const auto B = Side::kBid;
  const auto A = Side::kAsk;
  f.trade(1000 * kMs, Side::kSell, "100.0", "0.3", "7");  // before the units are known
  f.book(EventType::kBookSnapshot, 1050 * kMs,
         {{B, "99.9", "2.3"}, {B, "100.0", "1.0"}, {A, "100.1", "1.5"}, {A, "100.2", "3.0"}});
  f.book(EventType::kBookDelta, 1250 * kMs, {{B, "100.0", "0.5"}});
  f.trade(1300 * kMs, Side::kBuy, "100.1", "0.2", "8");
  f.book(EventType::kBookDelta, 2050 * kMs, {{A, "100.1", "0"}, {B, "100.1", "0.7"}},
         event_flags::kGap);
  const Features x = f.builder.finish();

  EXPECT_EQ(x.units.tick, dec("0.1"));
  EXPECT_EQ(x.units.lot, dec("0.1"));
  EXPECT_EQ(x.off_grid_values, 0u);
  EXPECT_EQ(x.events, 9u);
  EXPECT_EQ(x.first_ns, 1000 * kMs);
  EXPECT_EQ(x.last_ns, 2050 * kMs);

  ASSERT_EQ(x.trades.size(), 2u);
  EXPECT_EQ(x.trades.id, (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(x.trades.price_ticks, (std::vector<int64_t>{1000, 1001}));
  EXPECT_EQ(x.trades.size_lots, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(x.trades.side, (std::vector<int8_t>{-1, 1}));
  // Diffs only: a snapshot is the source's sampling of the book, not a market event.
  EXPECT_EQ(x.book_message_ns, (std::vector<int64_t>{1250 * kMs, 2050 * kMs}));
  ASSERT_EQ(x.seams.size(), 1u);
  EXPECT_EQ(x.seams[0].time_ns, 2050 * kMs);

  // 100 ms grid: from 1.1 s (the first grid time after the snapshot) to 2.0 s; the diff at
  // 2.05 s comes after the last grid time.
  const Grid* g = x.grid(100 * kMs);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->rows(), 10u);
  EXPECT_EQ(g->time_ns.front(), 1100 * kMs);
  EXPECT_EQ(g->time_ns.back(), 2000 * kMs);
  EXPECT_EQ(g->levels, 5u);
  // 1.1 s and 1.2 s: the snapshot's book.
  EXPECT_EQ(g->best_bid(0), 1000);
  EXPECT_EQ(g->bid_lots[0], 10);
  EXPECT_EQ(g->bid_ticks[1], 999);
  EXPECT_EQ(g->bid_lots[1], 23);
  EXPECT_EQ(g->bid_ticks[2], kNoPrice);
  EXPECT_EQ(g->bid_lots[2], 0);
  EXPECT_EQ(g->best_ask(0), 1001);
  EXPECT_EQ(g->ask_lots[0], 15);
  EXPECT_TRUE(g->two_sided(0));
  EXPECT_EQ(g->book_messages[0], 0u);  // the snapshot is not counted
  EXPECT_EQ(g->book_messages[1], 0u);
  // 1.3 s: the diff at 1.25 s and the trade at 1.3 s (a row holds its own time).
  EXPECT_EQ(g->bid_lots[2 * 5], 5);
  EXPECT_EQ(g->book_messages[2], 1u);
  EXPECT_EQ(g->trades[2], 1u);
  EXPECT_EQ(g->buy_lots[2], 2);
  EXPECT_EQ(g->sell_lots[2], 0);
  EXPECT_EQ(g->ofi_lots[2], 5 - 10);  // same best bid price, its size 1.0 -> 0.5
  for (size_t r = 3; r < 10; ++r) {
    EXPECT_EQ(g->trades[r], 0u);
    EXPECT_EQ(g->ofi_lots[r], 0);
    EXPECT_EQ(g->state[r], 0);
  }
  // 1 s grid: one row at 2.0 s holding everything since the snapshot.
  const Grid* s = x.grid(1000 * kMs);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->rows(), 1u);
  EXPECT_EQ(s->time_ns[0], 2000 * kMs);
  EXPECT_EQ(s->levels, 20u);
  EXPECT_EQ(s->book_messages[0], 1u);
  EXPECT_EQ(s->trades[0], 1u);
  EXPECT_EQ(s->ofi_lots[0], -5);
}

TEST(FeatureBuilder, TheLastMessageAndItsSeamReachTheLastRow) {
  FeatureOptions o;
  o.grids = {{100 * kMs, 2}};
  Feed f(o);
  const auto B = Side::kBid;
  const auto A = Side::kAsk;
  f.book(EventType::kBookSnapshot, 1000 * kMs,
         {{B, "10", "1"}, {B, "9", "1"}, {A, "11", "1"}, {A, "12", "2"}});
  // A crossing diff flagged unsynced, exactly on a grid time.
  f.book(EventType::kBookDelta, 1200 * kMs, {{B, "11", "4"}}, event_flags::kUnsynced);
  const Features x = f.builder.finish();
  const Grid& g = x.grids.at(0);
  ASSERT_EQ(g.rows(), 3u);  // 1.0, 1.1, 1.2
  EXPECT_EQ(g.state[0], 0);
  EXPECT_EQ(g.state[1], 0);
  EXPECT_EQ(g.state[2], grid_state::kCrossed | grid_state::kUnsynced | grid_state::kSeam);
  EXPECT_FALSE(g.two_sided(2));
  EXPECT_EQ(g.best_bid(2), 11);
  EXPECT_EQ(g.bid_lots[2 * 2], 4);
  EXPECT_EQ(x.units.tick, dec("1"));
}

// A resync snapshot that leaves the top levels as they were (Lake's periodic `book` rows) is a
// check passed, not a seam; one that changes them is a seam.
TEST(FeatureBuilder, OnlyAResyncThatChangesTheBookIsASeam) {
  FeatureOptions o;
  o.grids = {{100 * kMs, 2}};
  Feed f(o);
  const auto B = Side::kBid;
  const auto A = Side::kAsk;
  f.book(EventType::kBookSnapshot, 1000 * kMs,
         {{B, "10", "1"}, {B, "9", "1"}, {A, "11", "1"}, {A, "12", "2"}});
  f.book(EventType::kBookSnapshot, 1150 * kMs,
         {{B, "10", "1"}, {B, "9", "1"}, {A, "11", "1"}, {A, "12", "2"}}, event_flags::kResync);
  f.book(EventType::kBookSnapshot, 1250 * kMs,
         {{B, "10", "3"}, {B, "9", "1"}, {A, "11", "1"}, {A, "12", "2"}}, event_flags::kResync);
  f.book(EventType::kBookDelta, 1350 * kMs, {{B, "9", "2"}});
  const Features x = f.builder.finish();
  ASSERT_EQ(x.seams.size(), 1u);
  EXPECT_EQ(x.seams[0].time_ns, 1250 * kMs);
  const Grid& g = x.grids.at(0);
  ASSERT_EQ(g.rows(), 4u);                       // 1.0, 1.1, 1.2, 1.3
  EXPECT_EQ(g.state[2] & grid_state::kSeam, 0);  // (1.1, 1.2]: the agreeing snapshot
  EXPECT_EQ(g.state[3] & grid_state::kSeam, grid_state::kSeam);
}

TEST(FeatureBuilder, GivenUnitsAreKeptAndOffGridValuesCounted) {
  FeatureOptions o;
  o.units.tick = dec("0.5");
  o.units.lot = dec("1");
  o.grids = {{1000 * kMs, 1}};
  Feed f(o);
  f.book(EventType::kBookSnapshot, 1000 * kMs,
         {{Side::kBid, "10", "1"}, {Side::kAsk, "10.5", "2"}});
  f.trade(1100 * kMs, Side::kBuy, "10.25", "1.5", "1");  // neither on the tick nor on the lot
  const Features x = f.builder.finish();
  EXPECT_EQ(x.units.tick, dec("0.5"));
  EXPECT_EQ(x.off_grid_values, 2u);
  EXPECT_EQ(x.trades.price_ticks.at(0), 20);  // truncated toward zero
}

TEST(FeatureBuilder, NoSnapshotMeansNoUnits) {
  Feed f;
  f.trade(1000 * kMs, Side::kBuy, "1", "1", "1");
  try {
    f.builder.finish();
    FAIL() << "finish() without units";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
  }
  EXPECT_THROW(FeatureBuilder(FeatureOptions{Units{}, {{0, 5}}}), Error);
  EXPECT_THROW(FeatureBuilder(FeatureOptions{Units{}, {{kMs, 65}}}), Error);
}

// The real USD-M capture: every 1 s grid row's best bid and ask (price and size) equal the
// enrichment columns `rlx reconstruct` wrote, read back by DuckDB, for the row the grid time
// selects. Two independent paths: the sink's enrichment and the builder's cache.
TEST(FeatureBuilder, RealCaptureGridMatchesReconstructOutput) {
  RLX_REQUIRE_DATA(input, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  pipeline::ReconstructOptions ro;
  ro.inputs = {input};
  ro.out_dir = tmp.path() / "out";
  ro.durable = false;
  ro.progress = ProgressMode::kNever;
  pipeline::reconstruct(ro);

  std::vector<std::string> names;
  replay::Replayer replayer(pipeline::open_readers(ro, &names), replay::ReplayOptions{});
  book::BookEngine engine(ro.book);
  FeatureBuilder builder;
  std::vector<Message> batch;
  while (replayer.next_batch(&batch)) {
    for (const Message& m : batch) engine.on_message(m, builder);
  }
  engine.finish(builder);
  const Features x = builder.finish();
  EXPECT_EQ(x.units.tick, dec("0.1"));
  EXPECT_EQ(x.units.lot, dec("0.001"));
  EXPECT_EQ(x.off_grid_values, 0u);
  const Grid* g = x.grid(1000 * kMs);
  ASSERT_NE(g, nullptr);
  ASSERT_GT(g->rows(), 300u);  // the capture spans 344 s

  io::DuckDb db;
  // The builder's rule in SQL: row t is the book just before the first event with time > t.
  // Streams' times interleave out of order (a diff stamped 2 ms later can precede trades), so
  // that is the last row whose running maximum of time is <= t.
  const std::string sql =
      "WITH e AS (SELECT event_seq, max(coalesce(origin_time, received_time)) OVER (ORDER BY "
      "event_seq ROWS UNBOUNDED PRECEDING) AS m, best_bid_price, best_bid_size, best_ask_price, "
      "best_ask_size FROM read_parquet(" +
      io::sql_quote((ro.out_dir / "**" / "*.parquet").string()) +
      ")), r AS (SELECT m, arg_max(best_bid_price, event_seq) AS bp, "
      "arg_max(best_bid_size, event_seq) AS bs, arg_max(best_ask_price, event_seq) AS ap, "
      "arg_max(best_ask_size, event_seq) AS asz FROM e GROUP BY m), "
      "g AS (SELECT unnest(range(" +
      std::to_string(g->time_ns.front()) + ", " + std::to_string(g->time_ns.back() + 1) +
      ", 1000000000)) AS gt) "
      "SELECT gt, bp, bs, ap, asz FROM g ASOF JOIN r ON r.m <= g.gt ORDER BY gt";
  const io::TextTable t = io::query_text(db, sql);
  ASSERT_EQ(t.rows.size(), g->rows());
  const auto in_units = [](const std::string& text, Decimal unit) {
    return static_cast<int64_t>(dec(text.c_str()).raw() / unit.raw());
  };
  size_t compared = 0;
  for (size_t r = 0; r < g->rows(); ++r) {
    ASSERT_EQ(std::stoll(t.rows[r][0]), g->time_ns[r]);
    if (t.rows[r][1] == "NULL" || t.rows[r][3] == "NULL") continue;
    ++compared;
    EXPECT_EQ(in_units(t.rows[r][1], x.units.tick), g->best_bid(r))
        << "row " << r << " t " << g->time_ns[r] << " state " << int(g->state[r]);
    EXPECT_EQ(in_units(t.rows[r][2], x.units.lot), g->bid_lots[r * g->levels]) << "row " << r;
    EXPECT_EQ(in_units(t.rows[r][3], x.units.tick), g->best_ask(r)) << "row " << r;
    EXPECT_EQ(in_units(t.rows[r][4], x.units.lot), g->ask_lots[r * g->levels]) << "row " << r;
  }
  EXPECT_GT(compared, 300u);
  // Every trade of the output is in the trade series, in order.
  const io::TextTable n =
      io::query_text(db, "SELECT count(*) FROM read_parquet(" +
                             io::sql_quote((ro.out_dir / "**" / "*.parquet").string()) +
                             ") WHERE event_type = 'TRADE'");
  EXPECT_EQ(std::stoull(n.rows.at(0).at(0)), x.trades.size());
}

}  // namespace
}  // namespace rlx::features
