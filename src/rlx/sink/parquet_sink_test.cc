#include "rlx/sink/parquet_sink.h"

#include <duckdb.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "rlx/book/order_book.h"
#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/testing/files.h"
#include "rlx/testing/test_data.h"

namespace rlx::sink {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86'400'000'000'000;
constexpr int64_t kT0 = 1'700'006'400'000'000'000;  // 2023-11-15 00:00:00 UTC

Decimal dec(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d)) << text;
  return d;
}

Level lvl(const char* price, const char* size) { return Level{dec(price), dec(size)}; }

// All rows as text, in event_seq order; NULL as "NULL". Decimals are DuckDB's exact text.
std::vector<std::map<std::string, std::string>> read_rows(const fs::path& root) {
  io::DuckDb db;
  io::DuckResult res =
      db.query("SELECT * FROM read_parquet(" + io::sql_quote((root / "**" / "*.parquet").string()) +
               ", hive_partitioning=true) ORDER BY event_seq");
  std::vector<std::map<std::string, std::string>> rows;
  const idx_t cols = res.column_count();
  const idx_t n = duckdb_row_count(res.get());
  for (idx_t r = 0; r < n; ++r) {
    std::map<std::string, std::string> row;
    for (idx_t c = 0; c < cols; ++c) {
      char* v = duckdb_value_varchar(res.get(), c, r);
      row[res.column_name(c)] = v ? v : "NULL";
      duckdb_free(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<fs::path> files_under(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root));
  }
  std::sort(out.begin(), out.end());
  return out;
}

using ::rlx::testing::slurp;

ParquetSinkOptions options(const fs::path& root, int32_t top_n = 3) {
  ParquetSinkOptions o;
  o.root = root;
  o.exchange = "binance";
  o.symbol = "BTCUSDT";
  o.top_n = top_n;
  return o;
}

Event delta(int64_t seq, int64_t t, Side side, const char* price, const char* size) {
  Event e;
  e.event_seq = seq;
  e.type = EventType::kBookDelta;
  e.origin_time = t;
  e.received_time = t + 5;
  e.update_id = 100 + seq;
  e.first_update_id = 90 + seq;
  e.side = side;
  e.price = dec(price);
  e.size = dec(size);
  return e;
}

TEST(ParquetSink, ColumnNamesAndTypes) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 2));
    const std::vector<Level> bids = {lvl("100", "1")};
    sink.append(delta(0, kT0, Side::kBid, "100", "1"), bids, {});
    sink.finish();
  }
  io::DuckDb db;
  io::DuckResult res = db.query("DESCRIBE SELECT * FROM read_parquet(" +
                                io::sql_quote((dir.path() / "**" / "*.parquet").string()) +
                                ", hive_partitioning=true)");
  std::vector<std::pair<std::string, std::string>> got;
  for (idx_t r = 0; r < duckdb_row_count(res.get()); ++r) {
    char* name = duckdb_value_varchar(res.get(), 0, r);
    char* type = duckdb_value_varchar(res.get(), 1, r);
    got.emplace_back(name, type);
    duckdb_free(name);
    duckdb_free(type);
  }
  const std::string d = "DECIMAL(38,18)";
  const std::vector<std::pair<std::string, std::string>> want = {
      {"exchange", "VARCHAR"},
      {"symbol", "VARCHAR"},
      {"event_seq", "BIGINT"},
      {"event_type", "VARCHAR"},
      {"origin_time", "BIGINT"},
      {"received_time", "BIGINT"},
      {"update_id", "BIGINT"},
      {"first_update_id", "BIGINT"},
      {"prev_update_id", "BIGINT"},
      {"trade_id", "VARCHAR"},
      {"side", "VARCHAR"},
      {"price", d},
      {"size", d},
      {"last_in_message", "BOOLEAN"},
      {"flags", "UINTEGER"},
      {"best_bid_price", d},
      {"best_bid_size", d},
      {"best_ask_price", d},
      {"best_ask_size", d},
      {"mid_price", d},
      {"spread", d},
      {"bid_0_price", d},
      {"bid_0_size", d},
      {"bid_1_price", d},
      {"bid_1_size", d},
      {"ask_0_price", d},
      {"ask_0_size", d},
      {"ask_1_price", d},
      {"ask_1_size", d},
      {"date", "DATE"},
  };
  EXPECT_EQ(got, want);
  std::vector<std::string> names;
  for (size_t i = 0; i + 1 < want.size(); ++i) names.push_back(want[i].first);
  EXPECT_EQ(ParquetSink::column_names(2), names);
}

TEST(ParquetSink, ValuesAndNullRules) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 3));
    // 0: snapshot row into an empty ask side; received_time absent.
    Event snap = delta(0, kT0 + 1, Side::kBid, "61737.63", "0.00123");
    snap.type = EventType::kBookSnapshot;
    snap.received_time = kNull;
    snap.first_update_id = kNull;
    snap.last_in_message = false;
    snap.flags = event_flags::kResync;
    const std::vector<Level> bids1 = {lvl("61737.63", "0.00123"), lvl("61737.5", "2")};
    sink.append(snap, bids1, {});
    // 1: futures delta with pu, on a two-sided book.
    Event d = delta(1, kT0 + 2, Side::kAsk, "61737.64", "1.5");
    d.prev_update_id = 77;
    d.flags = event_flags::kGap | event_flags::kUnsynced;
    const std::vector<Level> asks1 = {lvl("61737.64", "1.5")};
    sink.append(d, bids1, asks1);
    // 2: trade; no update ids; book empty.
    Event t;
    t.event_seq = 2;
    t.type = EventType::kTrade;
    t.origin_time = kT0 + 3;
    t.received_time = kT0 + 4;
    t.trade_id = "123456789012345678";  // longer than DuckDB's 12-byte inline strings
    t.side = Side::kSell;
    t.price = dec("0.000000000000000001");
    t.size = dec("99999999999999999999.999999999999999999");
    sink.append(t, {}, {});
    // 3: side none, negative spread (crossed book), every origin/received time present.
    Event x = delta(3, kT0 + 5, Side::kNone, "-1.25", "0");
    x.trade_id = "short";
    x.flags = event_flags::kCrossed | event_flags::kOutOfOrder;
    const std::vector<Level> bids3 = {lvl("10.1", "1")};
    const std::vector<Level> asks3 = {lvl("10", "2"), lvl("10.5", "3"), lvl("11", "4"),
                                      lvl("12", "5")};
    sink.append(x, bids3, asks3);
    sink.finish();
  }
  const auto rows = read_rows(dir.path());
  ASSERT_EQ(rows.size(), 4u);
  const std::string N = "NULL";
  auto d18 = [](const char* s) { return std::string(s); };

  const auto& r0 = rows[0];
  EXPECT_EQ(r0.at("exchange"), "binance");
  EXPECT_EQ(r0.at("symbol"), "BTCUSDT");
  EXPECT_EQ(r0.at("date"), "2023-11-15");
  EXPECT_EQ(r0.at("event_seq"), "0");
  EXPECT_EQ(r0.at("event_type"), "BOOK_SNAPSHOT");
  EXPECT_EQ(r0.at("origin_time"), std::to_string(kT0 + 1));
  EXPECT_EQ(r0.at("received_time"), N);
  EXPECT_EQ(r0.at("update_id"), "100");
  EXPECT_EQ(r0.at("first_update_id"), N);
  EXPECT_EQ(r0.at("prev_update_id"), N);
  EXPECT_EQ(r0.at("trade_id"), N);
  EXPECT_EQ(r0.at("side"), "bid");
  EXPECT_EQ(r0.at("price"), d18("61737.630000000000000000"));
  EXPECT_EQ(r0.at("size"), d18("0.001230000000000000"));
  EXPECT_EQ(r0.at("last_in_message"), "false");
  EXPECT_EQ(r0.at("flags"), "2");
  EXPECT_EQ(r0.at("best_bid_price"), d18("61737.630000000000000000"));
  EXPECT_EQ(r0.at("best_bid_size"), d18("0.001230000000000000"));
  EXPECT_EQ(r0.at("best_ask_price"), N);
  EXPECT_EQ(r0.at("best_ask_size"), N);
  EXPECT_EQ(r0.at("mid_price"), N);
  EXPECT_EQ(r0.at("spread"), N);
  EXPECT_EQ(r0.at("bid_1_price"), d18("61737.500000000000000000"));
  EXPECT_EQ(r0.at("bid_1_size"), d18("2.000000000000000000"));
  EXPECT_EQ(r0.at("bid_2_price"), N);
  EXPECT_EQ(r0.at("bid_2_size"), N);
  EXPECT_EQ(r0.at("ask_0_price"), N);

  const auto& r1 = rows[1];
  EXPECT_EQ(r1.at("event_type"), "BOOK_DELTA");
  EXPECT_EQ(r1.at("received_time"), std::to_string(kT0 + 7));
  EXPECT_EQ(r1.at("first_update_id"), "91");
  EXPECT_EQ(r1.at("prev_update_id"), "77");
  EXPECT_EQ(r1.at("side"), "ask");
  EXPECT_EQ(r1.at("last_in_message"), "true");
  EXPECT_EQ(r1.at("flags"), "17");
  EXPECT_EQ(r1.at("best_ask_price"), d18("61737.640000000000000000"));
  EXPECT_EQ(r1.at("best_ask_size"), d18("1.500000000000000000"));
  EXPECT_EQ(r1.at("mid_price"), d18("61737.635000000000000000"));
  EXPECT_EQ(r1.at("spread"), d18("0.010000000000000000"));
  EXPECT_EQ(r1.at("ask_0_price"), d18("61737.640000000000000000"));
  EXPECT_EQ(r1.at("ask_1_price"), N);

  const auto& r2 = rows[2];
  EXPECT_EQ(r2.at("event_type"), "TRADE");
  EXPECT_EQ(r2.at("update_id"), N);
  EXPECT_EQ(r2.at("trade_id"), "123456789012345678");
  EXPECT_EQ(r2.at("side"), "sell");
  EXPECT_EQ(r2.at("price"), d18("0.000000000000000001"));
  EXPECT_EQ(r2.at("size"), d18("99999999999999999999.999999999999999999"));
  EXPECT_EQ(r2.at("best_bid_price"), N);
  EXPECT_EQ(r2.at("bid_0_price"), N);
  EXPECT_EQ(r2.at("mid_price"), N);

  const auto& r3 = rows[3];
  EXPECT_EQ(r3.at("side"), N);
  EXPECT_EQ(r3.at("trade_id"), "short");
  EXPECT_EQ(r3.at("price"), d18("-1.250000000000000000"));
  EXPECT_EQ(r3.at("size"), d18("0.000000000000000000"));
  EXPECT_EQ(r3.at("flags"), "12");
  EXPECT_EQ(r3.at("spread"), d18("-0.100000000000000000"));
  EXPECT_EQ(r3.at("mid_price"), d18("10.050000000000000000"));
  EXPECT_EQ(r3.at("ask_2_price"), d18("11.000000000000000000"));
  EXPECT_EQ(r3.at("ask_2_size"), d18("4.000000000000000000"));
  EXPECT_EQ(r3.count("ask_3_price"), 0u);  // top_n = 3
}

TEST(ParquetSink, SizeZeroIsExact) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 1));
    sink.append(delta(0, kT0, Side::kBid, "1", "0"), {}, {});
    sink.finish();
  }
  io::DuckDb db;
  io::DuckResult res = db.query("SELECT size = 0, price = 1 FROM read_parquet(" +
                                io::sql_quote((dir.path() / "**" / "*.parquet").string()) + ")");
  EXPECT_TRUE(duckdb_value_boolean(res.get(), 0, 0));
  EXPECT_TRUE(duckdb_value_boolean(res.get(), 1, 0));
}

TEST(ParquetSink, AdaptsOrderBook) {
  testing::TempDir dir;
  book::OrderBook ob;
  ob.set(Side::kBid, dec("100"), dec("1"));
  ob.set(Side::kBid, dec("99.5"), dec("2"));
  ob.set(Side::kAsk, dec("101"), dec("3"));
  {
    ParquetSink sink(options(dir.path(), 2));
    book::EventConsumer& consumer = sink;
    consumer.on_event(delta(0, kT0, Side::kAsk, "101", "3"), ob);
    sink.finish();
  }
  const auto rows = read_rows(dir.path());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("best_bid_price"), "100.000000000000000000");
  EXPECT_EQ(rows[0].at("bid_1_price"), "99.500000000000000000");
  EXPECT_EQ(rows[0].at("bid_1_size"), "2.000000000000000000");
  EXPECT_EQ(rows[0].at("ask_0_size"), "3.000000000000000000");
  EXPECT_EQ(rows[0].at("ask_1_price"), "NULL");
  EXPECT_EQ(rows[0].at("mid_price"), "100.500000000000000000");
}

// Below this limit DuckDB's batch COPY would encode on one thread whatever writer_threads says.
TEST(ParquetSink, WriterMemoryLimitGrowsWithColumnsAndThreads) {
  constexpr int64_t kMiB = int64_t{1} << 20;
  EXPECT_EQ(ParquetSink::writer_memory_limit_bytes(5, 1), 512 * kMiB);
  EXPECT_EQ(ParquetSink::writer_memory_limit_bytes(5, 2),
            24 * kMiB * static_cast<int64_t>(ParquetSink::column_names(5).size()));
  EXPECT_EQ(ParquetSink::writer_memory_limit_bytes(5, 0),
            ParquetSink::writer_memory_limit_bytes(5, 2));  // the default for top-5: 2 threads
  EXPECT_EQ(ParquetSink::writer_memory_limit_bytes(50, 0), 512 * kMiB);  // 1 thread
  EXPECT_GT(ParquetSink::writer_memory_limit_bytes(10, 3),
            ParquetSink::writer_memory_limit_bytes(10, 2));
}

TEST(ParquetSink, PartitionsByUtcDateAndRotatesParts) {
  testing::TempDir dir;
  std::vector<FileInfo> files;
  {
    ParquetSinkOptions o = options(dir.path(), 1);
    o.rows_per_file = 3;
    ParquetSink sink(o);
    // 4 rows on day 0 (parts 0 and 1), then 2 rows on day 1 (part 0), one without times.
    for (int64_t i = 0; i < 4; ++i)
      sink.append(delta(i, kT0 + kDay - 10 + i, Side::kBid, "1", "1"), {}, {});
    sink.append(delta(4, kT0 + kDay, Side::kBid, "1", "1"), {}, {});
    Event no_time = delta(5, kNull, Side::kBid, "1", "1");
    no_time.received_time = kNull;
    sink.append(no_time, {}, {});
    sink.finish();
    files = sink.files();
    EXPECT_EQ(sink.rows(), 6);
  }
  const std::vector<fs::path> want = {
      "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-00000.parquet",
      "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-00001.parquet",
      "exchange=binance/symbol=BTCUSDT/date=2023-11-16/part-00000.parquet",
  };
  EXPECT_EQ(files_under(dir.path()), want);  // no temporary files left
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, want[0].string());
  EXPECT_EQ(files[0].rows, 3);
  EXPECT_EQ(files[0].first_event_seq, 0);
  EXPECT_EQ(files[0].last_event_seq, 2);
  EXPECT_EQ(files[0].min_origin_time, kT0 + kDay - 10);
  EXPECT_EQ(files[0].max_origin_time, kT0 + kDay - 8);
  EXPECT_EQ(files[1].rows, 1);
  EXPECT_EQ(files[2].rows, 2);
  EXPECT_EQ(files[2].date, "2023-11-16");
  EXPECT_EQ(files[2].max_origin_time, kT0 + kDay);
  EXPECT_EQ(files[2].bytes, fs::file_size(dir.path() / want[2]));

  const auto rows = read_rows(dir.path());
  ASSERT_EQ(rows.size(), 6u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(rows[i].at("date"), "2023-11-15");
  EXPECT_EQ(rows[4].at("date"), "2023-11-16");
  EXPECT_EQ(rows[5].at("date"), "2023-11-16");
  EXPECT_EQ(rows[5].at("origin_time"), "NULL");
}

TEST(ParquetSink, DatesBeforeEpochFloor) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 0));
    sink.append(delta(0, -1, Side::kBid, "1", "1"), {}, {});
    sink.finish();
  }
  EXPECT_TRUE(fs::exists(dir.path() /
                         "exchange=binance/symbol=BTCUSDT/date=1969-12-31/part-00000.parquet"));
}

TEST(ParquetSink, ManyChunksAndRowGroups) {
  testing::TempDir dir;
  const int64_t n = 10'000;  // several 2048-row chunks, several row groups
  {
    ParquetSinkOptions o = options(dir.path(), 5);
    o.row_group_size = 3000;
    o.queue_row_groups = 1;
    ParquetSink sink(o);
    std::vector<Level> bids, asks;
    for (int i = 0; i < 5; ++i) {
      bids.push_back(Level{Decimal::from_int(1000 - i), Decimal::from_int(i + 1)});
      asks.push_back(Level{Decimal::from_int(1001 + i), Decimal::from_int(i + 1)});
    }
    for (int64_t i = 0; i < n; ++i) {
      bids[0].size = Decimal::from_int(i);
      sink.append(delta(i, kT0 + i, Side::kBid, "1000", "1"), bids, asks);
    }
    sink.finish();
  }
  io::DuckDb db;
  io::DuckResult res = db.query(
      "SELECT count(*), sum(event_seq), bool_and(best_bid_size = event_seq), "
      "bool_and(ask_4_price = 1005) FROM read_parquet(" +
      io::sql_quote((dir.path() / "**" / "*.parquet").string()) + ")");
  EXPECT_EQ(duckdb_value_int64(res.get(), 0, 0), n);
  EXPECT_EQ(duckdb_value_int64(res.get(), 1, 0), n * (n - 1) / 2);
  EXPECT_TRUE(duckdb_value_boolean(res.get(), 2, 0));
  EXPECT_TRUE(duckdb_value_boolean(res.get(), 3, 0));
  // DuckDB closes a row group at the first 2048-row chunk boundary at or past row_group_size.
  io::DuckResult groups = db.query(
      "SELECT string_agg(n::VARCHAR, ',' ORDER BY g) FROM (SELECT DISTINCT row_group_id AS g, "
      "row_group_num_rows AS n FROM parquet_metadata(" +
      io::sql_quote((dir.path() / "**" / "*.parquet").string()) + "))");
  char* sizes = duckdb_value_varchar(groups.get(), 0, 0);
  EXPECT_STREQ(sizes, "4096,4096,1808");
  duckdb_free(sizes);
  io::DuckResult order = db.query(
      "SELECT bool_and(event_seq = rn - 1) FROM (SELECT event_seq, row_number() OVER () AS rn "
      "FROM read_parquet(" +
      io::sql_quote((dir.path() / "**" / "*.parquet").string()) + "))");
  EXPECT_TRUE(duckdb_value_boolean(order.get(), 0, 0));  // file order is event order
}

TEST(ParquetSink, WideRowGroupsAreCapped) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), kMaxTopN));
    std::vector<Level> bids;
    for (int i = 0; i < kMaxTopN; ++i)
      bids.push_back(Level{Decimal::from_int(1000 - i), Decimal::from_int(1)});
    for (int64_t i = 0; i < 40'000; ++i)
      sink.append(delta(i, kT0 + i, Side::kBid, "1", "1"), bids, bids);
    sink.finish();
  }
  io::DuckDb db;
  io::DuckResult groups = db.query(
      "SELECT string_agg(n::VARCHAR, ',' ORDER BY g) FROM (SELECT DISTINCT row_group_id AS g, "
      "row_group_num_rows AS n FROM parquet_metadata(" +
      io::sql_quote((dir.path() / "**" / "*.parquet").string()) + "))");
  char* sizes = duckdb_value_varchar(groups.get(), 0, 0);
  // ~8 MB of 3.4 KB rows, in 2048-row chunks: 19 groups of 2048 rows and the rest
  std::string expected;
  for (int i = 0; i < 19; ++i) expected += "2048,";
  EXPECT_EQ(std::string(sizes), expected + "1088");
  duckdb_free(sizes);
  io::DuckResult res = db.query("SELECT count(*), min(ask_49_price)::VARCHAR FROM read_parquet(" +
                                io::sql_quote((dir.path() / "**" / "*.parquet").string()) + ")");
  EXPECT_EQ(duckdb_value_int64(res.get(), 0, 0), 40'000);
  char* deepest = duckdb_value_varchar(res.get(), 1, 0);
  EXPECT_STREQ(deepest, "951.000000000000000000");
  duckdb_free(deepest);
}

// Writes the 9000-row test run; with `stop_after`, abandons the sink after that many rows (as a
// crash would), then a second sink resumes from the parts committed so far.
void write_run(const fs::path& root, int64_t stop_after = -1) {
  ParquetSinkOptions o = options(root, 5);
  o.rows_per_file = 4000;
  std::vector<FileInfo> committed;
  if (stop_after >= 0) {
    auto first = std::make_unique<ParquetSink>(o);
    std::vector<Level> bids = {lvl("100", "1"), lvl("99", "2")};
    const std::vector<Level> asks = {lvl("101", "1")};
    for (int64_t i = 0; i < stop_after; ++i) {
      bids[1].size = Decimal::from_int(i % 13);
      Event e = delta(i, kT0 + i * 1'000'000, i % 2 ? Side::kAsk : Side::kBid, "100", "1");
      if (i % 7 == 0) {
        e.type = EventType::kTrade;
        e.trade_id = "trade-" + std::to_string(i);
      }
      first->append(e, bids, asks);
    }
    committed = first->files();
    first.reset();  // the open part is abandoned
    o.committed = committed;
    o.skip_below_seq = committed.empty() ? 0 : committed.back().last_event_seq + 1;
  }
  ParquetSink sink(o);
  EXPECT_EQ(sink.files().size(), committed.size());
  std::vector<Level> bids = {lvl("100", "1"), lvl("99", "2")};
  std::vector<Level> asks = {lvl("101", "1")};
  for (int64_t i = 0; i < 9000; ++i) {
    Event e = delta(i, kT0 + i * 1'000'000, i % 2 ? Side::kAsk : Side::kBid, "100", "1");
    if (i % 7 == 0) {
      e.type = EventType::kTrade;
      e.trade_id = "trade-" + std::to_string(i);
    }
    bids[1].size = Decimal::from_int(i % 13);
    sink.append(e, bids, asks);
  }
  sink.finish();
}

TEST(ParquetSink, DeterministicBytes) {
  testing::TempDir dir;
  write_run(dir.path() / "a");
  write_run(dir.path() / "b");
  const auto fa = files_under(dir.path() / "a");
  ASSERT_EQ(fa.size(), 3u);
  EXPECT_EQ(fa, files_under(dir.path() / "b"));
  for (const fs::path& f : fa) {
    EXPECT_EQ(slurp(dir.path() / "a" / f), slurp(dir.path() / "b" / f)) << f;
  }
}

// Several parts (a date change and rows_per_file), each with several row groups, written by
// `threads` DuckDB threads encoding row groups in parallel.
std::vector<FileInfo> write_parallel_run(const fs::path& root, int32_t threads) {
  ParquetSinkOptions o = options(root, 5);
  o.rows_per_file = 10'000;
  o.row_group_size = 2048;
  o.writer_threads = threads;
  ParquetSink sink(o);
  std::vector<Level> bids = {lvl("100", "1"), lvl("99", "2"), lvl("98", "3")};
  std::vector<Level> asks = {lvl("101", "1"), lvl("102", "5")};
  for (int64_t i = 0; i < 26'000; ++i) {
    // the date changes after row 15,000
    const int64_t t = i < 15'000 ? kT0 + i * 1'000'000 : kT0 + kDay + i;
    Event e = delta(i, t, i % 3 ? Side::kAsk : Side::kBid, "100", "1");
    if (i % 5 == 0) {
      e.type = EventType::kTrade;
      e.trade_id = std::to_string(i * 7919);
    }
    bids[0].size = Decimal::from_int(i % 17);
    asks[1].price = Decimal::from_int(102 + i % 3);
    sink.append(e, bids, asks);
  }
  sink.finish();
  return sink.files();
}

TEST(ParquetSink, ParallelWriterDeterministicBytes) {
  testing::TempDir dir;
  const std::vector<FileInfo> a = write_parallel_run(dir.path() / "a", 2);
  const std::vector<FileInfo> b = write_parallel_run(dir.path() / "b", 2);
  const auto fa = files_under(dir.path() / "a");
  ASSERT_EQ(fa.size(), 4u);  // day 1: 10,000 + 5,000 rows; day 2: 10,000 + 1,000
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(fa, files_under(dir.path() / "b"));
  for (const fs::path& f : fa) {
    EXPECT_EQ(slurp(dir.path() / "a" / f), slurp(dir.path() / "b" / f)) << f;
  }
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].xxh3, b[i].xxh3) << a[i].path;
  io::DuckDb db;
  io::DuckResult groups = db.query(
      "SELECT string_agg(n::VARCHAR, ',' ORDER BY g) FROM (SELECT DISTINCT row_group_id AS g, "
      "row_group_num_rows AS n FROM parquet_metadata(" +
      io::sql_quote((dir.path() / "a" / a[0].path).string()) + "))");
  char* sizes = duckdb_value_varchar(groups.get(), 0, 0);
  EXPECT_STREQ(sizes, "2048,2048,2048,2048,1808");
  duckdb_free(sizes);
  io::DuckResult order = db.query(
      "SELECT count(*), bool_and(event_seq = rn - 1) FROM (SELECT event_seq, row_number() OVER "
      "(ORDER BY filename, file_row_number) AS rn FROM read_parquet(" +
      io::sql_quote((dir.path() / "a" / "**" / "*.parquet").string()) +
      ", filename=true, file_row_number=true))");
  EXPECT_EQ(duckdb_value_int64(order.get(), 0, 0), 26'000);
  EXPECT_TRUE(duckdb_value_boolean(order.get(), 1, 0));  // file order is event order
}

TEST(ParquetSink, SameBytesForAnyThreadCount) {
  testing::TempDir dir;
  write_parallel_run(dir.path() / "1", 1);
  write_parallel_run(dir.path() / "4", 4);
  const auto f1 = files_under(dir.path() / "1");
  ASSERT_EQ(f1.size(), 4u);
  EXPECT_EQ(f1, files_under(dir.path() / "4"));
  for (const fs::path& f : f1) {
    EXPECT_EQ(slurp(dir.path() / "1" / f), slurp(dir.path() / "4" / f)) << f;
  }
}

// The rows of a resumable run: two UTC days, a few rows without timestamps (dated by the
// previous row), trades with ids.
Event resume_event(int64_t i) {
  const int64_t t = i < 5'000 ? kT0 + kDay - 5'000 + i : kT0 + kDay + i;
  Event e = delta(i, t, i % 2 ? Side::kAsk : Side::kBid, "100", "1");
  if (i % 11 == 0) {
    e.type = EventType::kTrade;
    e.trade_id = "t" + std::to_string(i);
  }
  if (i % 97 == 50) {
    e.origin_time = kNull;
    e.received_time = kNull;
  }
  return e;
}

constexpr int64_t kResumeRows = 12'345;

ParquetSinkOptions resume_options(const fs::path& root) {
  ParquetSinkOptions o = options(root, 2);
  o.rows_per_file = 3'000;
  o.row_group_size = 2048;
  return o;
}

void feed(ParquetSink& sink, int64_t from, int64_t to) {
  std::vector<Level> bids = {lvl("100", "1"), lvl("99", "2")};
  std::vector<Level> asks = {lvl("101", "1")};
  for (int64_t i = from; i < to; ++i) {
    bids[1].size = Decimal::from_int(i % 13);
    sink.append(resume_event(i), bids, asks);
  }
}

TEST(ParquetSink, ResumeAfterCrashGivesTheSameFiles) {
  testing::TempDir dir;
  std::vector<FileInfo> whole;
  {
    ParquetSink sink(resume_options(dir.path() / "whole"));
    feed(sink, 0, kResumeRows);
    sink.finish();
    whole = sink.files();
  }
  // Day 1: parts of 3000, 2000 rows; day 2: 3000, 3000, 1345.
  ASSERT_EQ(whole.size(), 5u);
  for (int64_t crash_after : {int64_t{4'000}, int64_t{6'500}, int64_t{11'000}}) {
    SCOPED_TRACE(crash_after);
    const fs::path root = dir.path() / ("split" + std::to_string(crash_after));
    std::vector<FileInfo> committed;
    {
      ParquetSink first(resume_options(root));
      feed(first, 0, crash_after);
      committed = first.files();
      // destroyed without finish(): the open part is lost, as in a crash
    }
    ASSERT_FALSE(committed.empty());
    ParquetSinkOptions o = resume_options(root);
    o.committed = committed;
    o.skip_below_seq = committed.back().last_event_seq + 1;
    ParquetSink second(o);
    EXPECT_EQ(second.files().size(), committed.size());
    EXPECT_EQ(second.rows(), o.skip_below_seq);
    EXPECT_EQ(second.open_part_rows(), 0);
    feed(second, 0, kResumeRows);
    second.finish();
    EXPECT_EQ(second.rows(), kResumeRows);
    const std::vector<FileInfo>& resumed = second.files();
    ASSERT_EQ(resumed.size(), whole.size());
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(resumed[i].path, whole[i].path);
      EXPECT_EQ(resumed[i].rows, whole[i].rows);
      EXPECT_EQ(resumed[i].first_event_seq, whole[i].first_event_seq);
      EXPECT_EQ(resumed[i].last_event_seq, whole[i].last_event_seq);
      EXPECT_EQ(resumed[i].min_origin_time, whole[i].min_origin_time);
      EXPECT_EQ(resumed[i].max_origin_time, whole[i].max_origin_time);
      EXPECT_EQ(resumed[i].bytes, whole[i].bytes);
      EXPECT_EQ(resumed[i].xxh3, whole[i].xxh3);
    }
    const auto fw = files_under(dir.path() / "whole");
    ASSERT_EQ(fw, files_under(root));
    for (const fs::path& f : fw) {
      EXPECT_EQ(slurp(dir.path() / "whole" / f), slurp(root / f)) << f;
    }
  }
}

TEST(ParquetSink, ReportsTheOpenPart) {
  testing::TempDir dir;
  ParquetSink sink(resume_options(dir.path()));
  int64_t day = -1;
  EXPECT_EQ(sink.open_part_rows(), 0);
  EXPECT_FALSE(sink.open_part_day(&day));
  feed(sink, 0, 2'999);
  EXPECT_EQ(sink.open_part_rows(), 2'999);
  ASSERT_TRUE(sink.open_part_day(&day));
  EXPECT_EQ(day, kT0 / kDay);
  feed(sink, 2'999, 3'001);  // row 3000 closes the first part
  EXPECT_EQ(sink.open_part_rows(), 1);
  feed(sink, 3'001, 5'001);  // row 5000 is the first of the next day
  EXPECT_EQ(sink.open_part_rows(), 1);
  ASSERT_TRUE(sink.open_part_day(&day));
  EXPECT_EQ(day, kT0 / kDay + 1);
  sink.finish();
  EXPECT_EQ(sink.open_part_rows(), 0);
  EXPECT_FALSE(sink.open_part_day(&day));
  EXPECT_EQ(sink.files().size(), 3u);
}

TEST(ParquetSink, RejectsForeignCommittedParts) {
  testing::TempDir dir;
  ParquetSinkOptions o = resume_options(dir.path());
  FileInfo f;
  f.path = "exchange=binance/symbol=ETHUSDT/date=2023-11-15/part-00000.parquet";
  f.exchange = "binance";
  f.symbol = "ETHUSDT";
  f.date = "2023-11-15";
  f.rows = 10;
  o.committed = {f};
  EXPECT_THROW(ParquetSink{o}, Error);
  f.symbol = "BTCUSDT";
  f.path = "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-x.parquet";
  o.committed = {f};
  EXPECT_THROW(ParquetSink{o}, Error);
  f.path = "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-00004.parquet";
  o.committed = {f};
  ParquetSink sink(o);
  EXPECT_EQ(sink.rows(), 10);
  sink.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {});
  sink.finish();
  ASSERT_EQ(sink.files().size(), 2u);
  EXPECT_EQ(sink.files()[1].path,
            "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-00005.parquet");
}

TEST(ParquetSink, ResumingFromCommittedPartsGivesTheSameBytes) {
  testing::TempDir dir;
  write_run(dir.path() / "whole");
  const auto whole = files_under(dir.path() / "whole");
  for (const int64_t stop : {0, 3999, 4000, 4001, 6500, 8999}) {
    const fs::path root = dir.path() / ("resumed" + std::to_string(stop));
    write_run(root, stop);
    ASSERT_EQ(files_under(root), whole) << "stopped after " << stop;
    for (const fs::path& f : whole) {
      EXPECT_EQ(slurp(root / f), slurp(dir.path() / "whole" / f)) << f << " stop " << stop;
    }
  }
  // The open part's size and day are visible to the caller.
  ParquetSink sink(options(dir.path() / "probe"));
  int64_t day = 0;
  EXPECT_FALSE(sink.open_part_day(&day));
  EXPECT_EQ(sink.open_part_rows(), 0);
  sink.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {});
  EXPECT_EQ(sink.open_part_rows(), 1);
  ASSERT_TRUE(sink.open_part_day(&day));
  EXPECT_EQ(day, kT0 / 86'400'000'000'000);
  sink.finish();
}

TEST(ParquetSink, AbandonedPartLeavesNothing) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 1));
    for (int64_t i = 0; i < 5000; ++i) sink.append(delta(i, kT0, Side::kBid, "1", "1"), {}, {});
    // destroyed without finish()
  }
  EXPECT_TRUE(files_under(dir.path()).empty());
}

TEST(ParquetSink, RefusesToOverwriteAPart) {
  testing::TempDir dir;
  {
    ParquetSink sink(options(dir.path(), 1));
    sink.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {});
    sink.finish();
  }
  ParquetSink again(options(dir.path(), 1));
  try {
    again.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("part-00000.parquet"), std::string::npos) << e.what();
  }
}

TEST(ParquetSink, RejectsBadOptions) {
  testing::TempDir dir;
  ParquetSinkOptions o = options(dir.path(), kMaxTopN + 1);
  EXPECT_THROW(ParquetSink{o}, Error);
  o = options(dir.path());
  o.symbol = "../x";
  EXPECT_THROW(ParquetSink{o}, Error);
  o = options(dir.path());
  o.rows_per_file = 0;
  EXPECT_THROW(ParquetSink{o}, Error);
}

TEST(ParquetSink, WriteFailureIsReported) {
  testing::TempDir dir;
  ParquetSink sink(options(dir.path(), 1));
  sink.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {});
  // Remove the partition directory under the writer: the COPY cannot create its file.
  fs::remove_all(dir.path() / "exchange=binance");
  EXPECT_THROW(
      {
        for (int64_t i = 1; i < 100'000; ++i)
          sink.append(delta(i, kT0, Side::kBid, "1", "1"), {}, {});
        sink.finish();
      },
      Error);
  // The sink stays failed: no later append or finish can commit a partial output.
  EXPECT_THROW(sink.append(delta(0, kT0, Side::kBid, "1", "1"), {}, {}), Error);
  EXPECT_THROW(sink.finish(), Error);
  EXPECT_TRUE(sink.files().empty());
}

}  // namespace
}  // namespace rlx::sink
