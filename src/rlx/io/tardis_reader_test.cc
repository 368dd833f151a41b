#include "rlx/io/tardis_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rlx/io/duckdb.h"
#include "rlx/testing/test_data.h"

namespace rlx::io {
namespace {

namespace fs = std::filesystem;

std::vector<Message> read_all(TardisReader& r) {
  std::vector<Message> out;
  Message m;
  while (r.next(&m)) out.push_back(m);
  return out;
}

size_t count_side(const Message& m, Side side) {
  size_t n = 0;
  for (const LevelUpdate& l : m.levels) n += l.side == side;
  return n;
}

TardisReaderOptions opts(const fs::path& p) {
  TardisReaderOptions o;
  o.file = p;
  return o;
}

// ---- real samples (../shared/data/tardis) ---------------------------------------------------

TEST(TardisReaderRealData, DeribitIncrementalBookL2IsOneSnapshot) {
  RLX_REQUIRE_DATA(path, "tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv");
  TardisReader r(opts(path));
  EXPECT_EQ(r.kind(), TardisKind::kIncrementalBookL2);
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 1u);
  const Message& m = msgs[0];
  EXPECT_EQ(m.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m.exchange, "deribit");
  EXPECT_EQ(m.symbol, "BTC-PERPETUAL");
  EXPECT_EQ(m.origin_time, 1585699200245000000LL);
  EXPECT_EQ(m.received_time, 1585699200355684000LL);
  EXPECT_EQ(m.source_row, 2u);
  ASSERT_EQ(m.levels.size(), 15u);
  EXPECT_EQ(count_side(m, Side::kAsk), 15u);
  EXPECT_EQ(m.levels[0].price.to_string(), "6421.5");
  EXPECT_EQ(m.levels[0].size.to_string(), "18640");
  EXPECT_EQ(m.levels[14].price.to_string(), "6428.5");
  EXPECT_EQ(m.levels[14].size.to_string(), "39950");
  EXPECT_EQ(r.stats().rows, 15u);
  EXPECT_EQ(r.stats().snapshots, 1u);
  EXPECT_EQ(r.quarantine().total(), 0u);
}

TEST(TardisReaderRealData, BinanceFuturesBookSnapshots) {
  for (const auto& [name, depth] :
       std::vector<std::pair<std::string, int32_t>>{{"25", 25}, {"5", 5}}) {
    SCOPED_TRACE(name);
    RLX_REQUIRE_DATA(path, "tardis/binance-futures_book_snapshot_" + name + "_BTCUSDT.csv");
    TardisReader r(opts(path));
    EXPECT_EQ(r.kind(), TardisKind::kBookSnapshot);
    EXPECT_EQ(r.depth(), depth);
    const auto msgs = read_all(r);
    ASSERT_EQ(msgs.size(), 10u);
    for (const Message& m : msgs) {
      EXPECT_EQ(m.kind, MessageKind::kSnapshot);
      EXPECT_EQ(count_side(m, Side::kBid), static_cast<size_t>(depth));
      EXPECT_EQ(count_side(m, Side::kAsk), static_cast<size_t>(depth));
      EXPECT_EQ(m.levels[0].side, Side::kBid);  // bids first, best first
      EXPECT_EQ(m.levels[depth].side, Side::kAsk);
    }
    const Message& m = msgs[0];
    EXPECT_EQ(m.exchange, "binance-futures");
    EXPECT_EQ(m.symbol, "BTCUSDT");
    EXPECT_EQ(m.origin_time, 1598918403696000000LL);
    EXPECT_EQ(m.received_time, 1598918403810979000LL);
    EXPECT_EQ(m.levels[0].price.to_string(), "11657.07");
    EXPECT_EQ(m.levels[0].size.to_string(), "10.896");
    EXPECT_EQ(m.levels[depth].price.to_string(), "11657.08");
    EXPECT_EQ(m.levels[depth].size.to_string(), "1.714");
    EXPECT_EQ(m.levels[depth + 1].price.to_string(), "11657.54");
    EXPECT_EQ(m.levels[depth + 1].size.to_string(), "5.4");
    EXPECT_EQ(msgs[1].source_row, 3u);
  }
}

TEST(TardisReaderRealData, BitmexTradesWithUuidIds) {
  RLX_REQUIRE_DATA(path, "tardis/bitmex_trades_XBTUSD.csv");
  TardisReader r(opts(path));
  EXPECT_EQ(r.kind(), TardisKind::kTrades);
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 10u);
  EXPECT_EQ(msgs[0].kind, MessageKind::kTrade);
  EXPECT_EQ(msgs[0].trade_id, "ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf");
  EXPECT_EQ(msgs[0].side, Side::kSell);
  EXPECT_EQ(msgs[0].price.to_string(), "8531.5");
  EXPECT_EQ(msgs[0].size.to_string(), "2152");
  EXPECT_EQ(msgs[0].origin_time, 1583020803145000000LL);
  EXPECT_EQ(msgs[0].received_time, 1583020803307160000LL);
  EXPECT_EQ(msgs[1].trade_id, "b46c84da-6942-b404-ab94-18a9ad497fdd");
}

TEST(TardisReaderRealData, HuobiQuotesAreTickers) {
  RLX_REQUIRE_DATA(path, "tardis/huobi-dm-swap_quotes_BTC-USD.csv");
  TardisReader r(opts(path));
  EXPECT_EQ(r.kind(), TardisKind::kQuotes);
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 10u);
  ASSERT_EQ(msgs[0].levels.size(), 2u);
  EXPECT_EQ(msgs[0].kind, MessageKind::kTicker);
  EXPECT_EQ(msgs[0].levels[0].side, Side::kBid);
  EXPECT_EQ(msgs[0].levels[0].price.to_string(), "8629.2");
  EXPECT_EQ(msgs[0].levels[0].size.to_string(), "806");
  EXPECT_EQ(msgs[0].levels[1].price.to_string(), "8629.3");
  EXPECT_EQ(msgs[0].levels[1].size.to_string(), "5494");
}

// ---- synthetic incremental_book_L2 ----------------------------------------------------------

const char* kL2Header = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n";

fs::path write(const fs::path& p, const std::string& body) {
  std::ofstream(p) << body;
  return p;
}

std::string l2(int64_t ts, int64_t local, bool snap, const char* side, const char* price,
               const char* amount) {
  return "deribit,BTC-PERPETUAL," + std::to_string(ts) + "," + std::to_string(local) + "," +
         (snap ? "true" : "false") + "," + side + "," + price + "," + amount + "\n";
}

std::string l2_body() {
  return std::string(kL2Header) +                           // line 1
         l2(100, 110, true, "bid", "6421.5", "10") +        // 2: snapshot A
         l2(100, 110, true, "ask", "6422", "0.00000001") +  // 3
         l2(100, 110, true, "ask", "6422.5", "1e-05") +     // 4
         l2(200, 210, false, "ask", "6422", "0.000") +      // 5: delta
         l2(200, 210, false, "bid", "6422", "5") +          // 6  (same price, both sides)
         l2(300, 310, false, "bid", "6421.5", "0") +        // 7: delta
         l2(400, 410, true, "bid", "6400", "1") +           // 8: snapshot B (restart)
         l2(400, 410, true, "ask", "6401", "2") +           // 9
         l2(401, 411, true, "ask", "6402", "3") +           // 10: continuation
         l2(500, 510, false, "bid", "6400", "1.25") +       // 11: delta
         l2(500, 510, true, "bid", "6300", "7");            // 12: snapshot C
}

void expect_l2(const std::vector<Message>& msgs, const TardisReaderStats& stats) {
  ASSERT_EQ(msgs.size(), 7u);
  const MessageKind s = MessageKind::kSnapshot;
  const MessageKind d = MessageKind::kDelta;
  const std::vector<MessageKind> kinds = {s, d, d, s, d, d, s};
  const std::vector<size_t> sizes = {3, 2, 1, 2, 1, 1, 1};
  const std::vector<uint64_t> lines = {2, 5, 7, 8, 10, 11, 12};
  for (size_t i = 0; i < msgs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(msgs[i].kind, kinds[i]);
    EXPECT_EQ(msgs[i].levels.size(), sizes[i]);
    EXPECT_EQ(msgs[i].source_row, lines[i]);
  }
  EXPECT_EQ(msgs[0].origin_time, 100'000);
  EXPECT_EQ(msgs[0].received_time, 110'000);
  EXPECT_EQ(msgs[0].levels[1].size.to_string(), "0.00000001");
  EXPECT_EQ(msgs[0].levels[2].size.to_string(), "0.00001");
  EXPECT_EQ(msgs[1].levels[0].side, Side::kAsk);
  EXPECT_TRUE(msgs[1].levels[0].size.is_zero());
  EXPECT_EQ(msgs[1].levels[1].side, Side::kBid);
  EXPECT_EQ(msgs[1].levels[1].price.to_string(), "6422");
  EXPECT_EQ(msgs[5].levels[0].size.to_string(), "1.25");
  EXPECT_EQ(stats.rows, 11u);
  EXPECT_EQ(stats.snapshots, 3u);
  EXPECT_EQ(stats.snapshot_continuations, 1u);
}

TEST(TardisReader, IncrementalBookL2GroupsMessagesAndRestartsSnapshots) {
  testing::TempDir tmp;
  TardisReader r(opts(write(tmp.path() / "l2.csv", l2_body())));
  const auto msgs = read_all(r);
  expect_l2(msgs, r.stats());
}

TEST(TardisReader, ReadsGzipAndOverridesExchangeAndSymbol) {
  testing::TempDir tmp;
  const fs::path plain = write(tmp.path() / "l2.csv", l2_body());
  const fs::path gz = tmp.path() / "l2.csv.gz";
  DuckDb db;
  db.execute("COPY (SELECT * FROM read_csv(" + sql_quote(plain.string()) +
             ", all_varchar = true)) TO " + sql_quote(gz.string()) +
             " (FORMAT csv, HEADER, COMPRESSION gzip)");
  TardisReaderOptions o = opts(gz);
  o.exchange = "DERIBIT";
  o.symbol = "BTC-PERP";
  o.source = 2;
  TardisReader r(o);
  const auto msgs = read_all(r);
  expect_l2(msgs, r.stats());
  EXPECT_EQ(msgs[0].exchange, "DERIBIT");
  EXPECT_EQ(msgs[0].symbol, "BTC-PERP");
  EXPECT_EQ(msgs[0].source, 2u);
}

// ---- bad input ------------------------------------------------------------------------------

void expect_error(const TardisReaderOptions& o, const std::vector<std::string>& parts) {
  try {
    TardisReader r(o);
    Message m;
    while (r.next(&m)) {
    }
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    for (const std::string& p : parts) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
    }
  }
}

TEST(TardisReaderBadInput, BadRowsNameFileLineAndColumn) {
  testing::TempDir tmp;
  const std::string ok = l2(100, 110, true, "bid", "1", "1");
  struct Case {
    std::string row;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {l2(100, 110, false, "bid", "1", "-1"), "field 'amount': negative amount -1"},
      {l2(100, 110, false, "bid", "1.2.3", "1"), "field 'price': not a decimal price"},
      {l2(100, 110, false, "bid", "NaN", "1"), "field 'price'"},
      {l2(100, 110, false, "buy", "1", "1"), "field 'side': expected bid or ask"},
      {"deribit,X,100,11x,false,bid,1,1\n", "field 'local_timestamp'"},
      {"deribit,X,100,110,maybe,bid,1,1\n", "field 'is_snapshot'"},
      {"deribit,X,100,110,false,bid,,1\n", "field 'price': empty price"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.row);
    const fs::path p = write(tmp.path() / "bad.csv", kL2Header + ok + ok + c.row);
    expect_error(opts(p), {p.string() + ":4: " + c.expect});
  }
}

TEST(TardisReaderBadInput, QuarantineSkipsAndCounts) {
  testing::TempDir tmp;
  const fs::path p = write(tmp.path() / "q.csv",
                           std::string(kL2Header) + l2(1, 1, true, "bid", "1", "1") +
                               l2(1, 1, true, "bid", "2", "-1") + l2(1, 1, true, "ask", "3", "1") +
                               l2(2, 2, false, "ask", "x", "1"));
  TardisReaderOptions o = opts(p);
  o.bad_rows = BadRowPolicy::kQuarantine;
  TardisReader r(o);
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].levels.size(), 2u);
  EXPECT_EQ(r.quarantine().total(), 2u);
  ASSERT_EQ(r.quarantine().reasons.size(), 2u);
  EXPECT_EQ(r.quarantine().reasons[0].first, "negative amount");
  EXPECT_NE(r.quarantine().reasons[0].second.first_example.find(":3: field 'amount'"),
            std::string::npos);
  EXPECT_EQ(r.quarantine().reasons[1].first, "invalid price");
}

TEST(TardisReaderBadInput, HeaderProblemsAreReportedBeforeAnyRow) {
  testing::TempDir tmp;
  const fs::path unknown = write(tmp.path() / "u.csv", "a,b,c\n1,2,3\n");
  expect_error(opts(unknown), {unknown.string(), "unrecognised Tardis CSV header"});
  const fs::path missing =
      write(tmp.path() / "m.csv", "exchange,symbol,timestamp,is_snapshot,side,price,amount\n");
  expect_error(opts(missing), {"field 'local_timestamp'", "missing column"});
  const fs::path trades = write(tmp.path() / "t.csv",
                                "exchange,symbol,timestamp,local_timestamp,id,side,price\n"
                                "bitmex,XBTUSD,1,1,abc,buy,1\n");
  expect_error(opts(trades), {"field 'amount'", "missing column"});
  expect_error(opts(tmp.path() / "absent.csv"), {"absent.csv", "no such file"});
}

TEST(TardisReader, TradesWithUnknownSideAreKeptAndCounted) {
  testing::TempDir tmp;
  const fs::path p = write(tmp.path() / "t.csv",
                           "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
                           "bitmex,XBTUSD,5,7,1,unknown,8531.5,0.001\n"
                           "bitmex,XBTUSD,4,6,2,buy,8531.50,1E+3\n");
  TardisReader r(opts(p));
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].side, Side::kNone);
  EXPECT_EQ(msgs[1].side, Side::kBuy);
  EXPECT_EQ(msgs[1].trade_id, "2");
  EXPECT_EQ(msgs[1].price.to_string(), "8531.5");
  EXPECT_EQ(msgs[1].size.to_string(), "1000");
  EXPECT_EQ(r.stats().unknown_side_trades, 1u);
  EXPECT_EQ(r.stats().local_timestamp_backwards, 1u);
}

}  // namespace
}  // namespace rlx::io
