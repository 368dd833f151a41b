#include "rlx/io/lake_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rlx/io/duckdb.h"
#include "rlx/io/lake_reader.h"
#include "rlx/testing/test_data.h"

namespace rlx::io {
namespace {

namespace fs = std::filesystem;

Decimal dec(const char* s) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(s, &d)) << s;
  return d;
}

constexpr int64_t kDay = 86'400'000'000'000LL;
constexpr int64_t kT0 = 1723161540LL * 1'000'000'000LL;  // 2024-08-08 23:59:00 UTC

Message trade(int64_t t, Side side, const char* price, const char* qty, const char* id) {
  Message m;
  m.kind = MessageKind::kTrade;
  m.origin_time = t;
  m.received_time = t + 1'000'000;
  m.side = side;
  m.price = dec(price);
  m.size = dec(qty);
  m.trade_id = id;
  return m;
}

// Every (column, type) of a Parquet file, in order.
std::vector<std::string> schema(const fs::path& file) {
  DuckDb db;
  DuckResult r = db.query("SELECT * FROM read_parquet(" + sql_quote(file.string()) +
                          ", hive_partitioning = false) LIMIT 0");
  std::vector<std::string> out;
  for (idx_t c = 0; c < r.column_count(); ++c) {
    out.push_back(r.column_name(c) + ":" + std::to_string(static_cast<int>(r.column_type(c))));
  }
  return out;
}

TEST(LakeWriter, WritesOnePartFilePerTableAndDayInLakeLayout) {
  testing::TempDir tmp;
  LakeWriter w({tmp.path(), "BINANCE", "BTC-USDT"});
  w.add_trade(trade(kT0, Side::kBuy, "61737.63", "0.001", "1"));
  w.add_trade(trade(kT0 + kDay, Side::kSell, "61737.64", "0.002", "2"));
  Message d;
  d.kind = MessageKind::kDelta;
  d.origin_time = kT0;
  d.received_time = kT0 + 5;
  d.update_id = 7;
  d.levels = {{Side::kBid, dec("1"), dec("2")}, {Side::kAsk, dec("3"), dec("0")}};
  w.add_delta(d);
  const Level bids[] = {{dec("10"), dec("1")}};
  w.add_book(kT0, kT0 + 1, 6, bids, {});
  const std::vector<fs::path> files = w.close();
  const fs::path base = tmp.path();
  const std::vector<fs::path> expected = {
      base / "book/exchange=BINANCE/symbol=BTC-USDT/dt=2024-08-08/part-0.parquet",
      base / "book_delta_v2/exchange=BINANCE/symbol=BTC-USDT/dt=2024-08-08/part-0.parquet",
      base / "trades/exchange=BINANCE/symbol=BTC-USDT/dt=2024-08-08/part-0.parquet",
      base / "trades/exchange=BINANCE/symbol=BTC-USDT/dt=2024-08-09/part-0.parquet",
  };
  EXPECT_EQ(files, expected);
  for (const fs::path& f : expected) EXPECT_TRUE(fs::exists(f)) << f;
  // Nothing else is left behind: no temporary files, no staging database.
  size_t entries = 0;
  for (const auto& e : fs::recursive_directory_iterator(base)) entries += e.is_regular_file();
  EXPECT_EQ(entries, expected.size());

  const auto parts = list_lake_partitions(base);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[3].table, "trades");
  EXPECT_EQ(parts[3].exchange, "BINANCE");
  EXPECT_EQ(parts[3].symbol, "BTC-USDT");
  EXPECT_EQ(parts[3].date, "2024-08-09");

  const std::string i64 = std::to_string(DUCKDB_TYPE_BIGINT);
  const std::string f64 = std::to_string(DUCKDB_TYPE_DOUBLE);
  const std::string str = std::to_string(DUCKDB_TYPE_VARCHAR);
  EXPECT_EQ(
      schema(expected[2]),
      (std::vector<std::string>{"side:" + str, "quantity:" + f64, "price:" + f64, "trade_id:" + str,
                                "origin_time:" + i64, "received_time:" + i64}));
  EXPECT_EQ(
      schema(expected[1]),
      (std::vector<std::string>{
          "origin_time:" + i64, "received_time:" + i64, "sequence_number:" + i64,
          "side_is_bid:" + std::to_string(DUCKDB_TYPE_BOOLEAN), "price:" + f64, "size:" + f64}));
  const auto book = schema(expected[0]);
  ASSERT_EQ(book.size(), 3u + 80u);
  EXPECT_EQ(book[3], "bid_0_price:" + f64);
  EXPECT_EQ(book[4], "bid_0_size:" + f64);
  EXPECT_EQ(book[42], "bid_19_size:" + f64);
  EXPECT_EQ(book[43], "ask_0_price:" + f64);
  EXPECT_EQ(book[82], "ask_19_size:" + f64);
  EXPECT_EQ(w.stats().trade_rows, 2u);
  EXPECT_EQ(w.stats().delta_rows, 2u);
  EXPECT_EQ(w.stats().book_rows, 1u);
  EXPECT_EQ(w.stats().inexact_values, 0u);
}

TEST(LakeWriter, StoresFloat64LikeLakeAndCountsWhatFloat64CannotHold) {
  testing::TempDir tmp;
  LakeWriter w({tmp.path(), "E", "S"});
  w.add_trade(trade(kT0, Side::kBuy, "0.1", "123456789.123456789", "x"));  // 18 digits
  const auto files = w.close();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(w.stats().inexact_values, 1u);
  DuckDb db;
  DuckResult r = db.query(
      "SELECT price = 0.1::DOUBLE, quantity = 123456789.12345679::DOUBLE FROM "
      "read_parquet(" +
      sql_quote(files[0].string()) + ")");
  duckdb_data_chunk chunk = r.fetch_chunk();
  ASSERT_NE(chunk, nullptr);
  EXPECT_TRUE(
      static_cast<bool*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)))[0]);
  EXPECT_TRUE(
      static_cast<bool*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1)))[0]);
  duckdb_destroy_data_chunk(&chunk);
}

TEST(LakeWriter, BookFromSnapshotKeepsTheBest20ASide) {
  testing::TempDir tmp;
  Message snap;
  snap.kind = MessageKind::kSnapshot;
  snap.origin_time = kT0;
  snap.received_time = kT0;
  snap.update_id = 99;
  for (int32_t i = 0; i < 30; ++i) {  // shuffled source order, deeper than 20
    const int32_t k = (i * 7) % 30;
    snap.levels.push_back({Side::kBid, Decimal::from_int(100 - k), Decimal::from_int(1 + k)});
    snap.levels.push_back({Side::kAsk, Decimal::from_int(101 + k), Decimal::from_int(1 + k)});
  }
  {
    LakeWriter w({tmp.path(), "E", "S"});
    w.add_book(snap);
    w.close();
  }
  LakeReaderOptions o;
  o.table = LakeTable::kBook;
  o.root = tmp.path();
  o.exchange = "E";
  o.symbol = "S";
  LakeReader r(o);
  Message m;
  ASSERT_TRUE(r.next(&m));
  EXPECT_EQ(m.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m.update_id, 99);
  ASSERT_EQ(m.levels.size(), 40u);
  for (int32_t i = 0; i < 20; ++i) {
    EXPECT_EQ(m.levels[i].side, Side::kBid);
    EXPECT_EQ(m.levels[i].price, Decimal::from_int(100 - i));
    EXPECT_EQ(m.levels[20 + i].side, Side::kAsk);
    EXPECT_EQ(m.levels[20 + i].price, Decimal::from_int(101 + i));
    EXPECT_EQ(m.levels[20 + i].size, Decimal::from_int(1 + i));
  }
  EXPECT_FALSE(r.next(&m));
}

TEST(LakeWriter, WritesNothingWithoutClose) {
  testing::TempDir tmp;
  {
    LakeWriter w({tmp.path(), "E", "S"});
    w.add_trade(trade(kT0, Side::kBuy, "1", "1", "1"));
  }
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(LakeWriter, RejectsWhatLakeCannotHold) {
  testing::TempDir tmp;
  LakeWriter w({tmp.path(), "E", "S"});
  EXPECT_THROW(w.add_trade(trade(kT0, Side::kNone, "1", "1", "1")), Error);
  std::vector<Level> deep(21, Level{dec("1"), dec("1")});
  EXPECT_THROW(w.add_book(kT0, kT0, 1, deep, {}), Error);
}

}  // namespace
}  // namespace rlx::io
