#include "rlx/io/lake_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rlx/io/duckdb.h"
#include "rlx/io/duckdb_stream.h"
#include "rlx/io/lake_writer.h"
#include "rlx/testing/test_data.h"

namespace rlx::io {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1723161540LL * 1'000'000'000LL;  // 2024-08-08 23:59:00 UTC
constexpr int64_t kDay = 86'400'000'000'000LL;

Decimal dec(const char* s) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(s, &d)) << s;
  return d;
}

std::vector<Message> read_all(LakeReader& r) {
  std::vector<Message> out;
  Message m;
  while (r.next(&m)) out.push_back(m);
  return out;
}

LakeReaderOptions layout(const fs::path& root, LakeTable table) {
  LakeReaderOptions o;
  o.table = table;
  o.root = root;
  o.exchange = "BINANCE";
  o.symbol = "BTC-USDT";
  return o;
}

LakeReaderOptions file(const fs::path& path, LakeTable table) {
  LakeReaderOptions o;
  o.table = table;
  o.files = {path};
  o.exchange = "BINANCE";
  o.symbol = "BTC-USDT";
  return o;
}

// A market written with LakeWriter: trades over two days, grouped deltas, books.
struct Market {
  std::vector<Message> trades;
  std::vector<Message> deltas;
  std::vector<Message> books;
};

Market write_market(const fs::path& root) {
  Market mk;
  const char* prices[] = {"61737.63", "0.00000001", "1e-8", "123456.78901234", "0", "42"};
  for (int32_t i = 0; i < 6; ++i) {
    Message t;
    t.kind = MessageKind::kTrade;
    t.exchange = "BINANCE";
    t.symbol = "BTC-USDT";
    t.origin_time = kT0 + i * (kDay / 4);  // crosses midnight: two dt partitions
    t.received_time = t.origin_time + 1234;
    t.side = i % 2 ? Side::kSell : Side::kBuy;
    t.price = dec(prices[i]);
    t.size = dec(i == 4 ? "0.000" : "0.00123");
    t.trade_id = std::to_string(1000 + i);
    t.source_row = static_cast<uint64_t>(i + 1);
    mk.trades.push_back(t);
  }
  uint64_t row = 1;
  for (int32_t i = 0; i < 5; ++i) {
    Message d;
    d.kind = MessageKind::kDelta;
    d.exchange = "BINANCE";
    d.symbol = "BTC-USDT";
    d.origin_time = kT0 + i * 1'000'000;
    d.received_time = d.origin_time + 77;
    d.update_id = 500 + i / 2 * 2 + (i % 2);  // 500, 501, 502, 503, 504
    const int32_t n = 1 + (i * 3) % 4;        // 1, 4, 3, 2, 1 levels
    for (int32_t k = 0; k < n; ++k) {
      // The same price on both sides inside one message is a known quirk: kept, in row order.
      d.levels.push_back({k % 2 ? Side::kAsk : Side::kBid, Decimal::from_int(61000 + (k / 2)),
                          k == 2 ? Decimal() : dec("1.5")});
    }
    d.source_row = row;
    row += static_cast<uint64_t>(n);
    mk.deltas.push_back(d);
  }
  // Two messages that share received_time but not sequence_number stay apart.
  mk.deltas[2].received_time = mk.deltas[1].received_time;
  for (int32_t i = 0; i < 2; ++i) {
    Message b;
    b.kind = MessageKind::kSnapshot;
    b.exchange = "BINANCE";
    b.symbol = "BTC-USDT";
    b.origin_time = kT0 + i;
    b.received_time = kT0 + 10 + i;
    b.update_id = 499 + i;
    for (int32_t k = 0; k < (i == 0 ? 20 : 3); ++k) {
      b.levels.push_back({Side::kBid, Decimal::from_int(61000 - k), dec("0.5")});
    }
    for (int32_t k = 0; k < (i == 0 ? 20 : 2); ++k) {
      b.levels.push_back({Side::kAsk, Decimal::from_int(61001 + k), dec("0.25")});
    }
    b.source_row = static_cast<uint64_t>(i + 1);
    mk.books.push_back(b);
  }
  LakeWriter w({root, "BINANCE", "BTC-USDT"});
  for (const Message& t : mk.trades) w.add_trade(t);
  for (const Message& d : mk.deltas) w.add_delta(d);
  for (const Message& b : mk.books) w.add_book(b);
  w.close();
  return mk;
}

void expect_same(const std::vector<Message>& got, const std::vector<Message>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    EXPECT_EQ(got[i].kind, want[i].kind);
    EXPECT_EQ(got[i].exchange, want[i].exchange);
    EXPECT_EQ(got[i].symbol, want[i].symbol);
    EXPECT_EQ(got[i].origin_time, want[i].origin_time);
    EXPECT_EQ(got[i].received_time, want[i].received_time);
    EXPECT_EQ(got[i].update_id, want[i].update_id);
    EXPECT_EQ(got[i].trade_id, want[i].trade_id);
    EXPECT_EQ(got[i].side, want[i].side);
    EXPECT_EQ(got[i].price.to_string(), want[i].price.to_string());
    EXPECT_EQ(got[i].size.to_string(), want[i].size.to_string());
    EXPECT_EQ(got[i].source_row, want[i].source_row);
    ASSERT_EQ(got[i].levels.size(), want[i].levels.size());
    for (size_t k = 0; k < got[i].levels.size(); ++k) {
      EXPECT_EQ(got[i].levels[k].side, want[i].levels[k].side);
      EXPECT_EQ(got[i].levels[k].price.to_string(), want[i].levels[k].price.to_string());
      EXPECT_EQ(got[i].levels[k].size.to_string(), want[i].levels[k].size.to_string());
    }
  }
}

TEST(LakeReader, RoundTripsTheWriterExactly) {
  testing::TempDir tmp;
  const Market mk = write_market(tmp.path());
  {
    LakeReader r(layout(tmp.path(), LakeTable::kTrades));
    EXPECT_EQ(r.files().size(), 3u);  // three dt partitions, read in date order
    expect_same(read_all(r), mk.trades);
    EXPECT_EQ(r.stats().rows, 6u);
    EXPECT_EQ(r.quarantine().total(), 0u);
  }
  {
    LakeReader r(layout(tmp.path(), LakeTable::kBookDelta));
    expect_same(read_all(r), mk.deltas);
    EXPECT_EQ(r.stats().rows, 11u);
    EXPECT_EQ(r.stats().messages, 5u);
  }
  {
    LakeReader r(layout(tmp.path(), LakeTable::kBook));
    expect_same(read_all(r), mk.books);
    EXPECT_EQ(r.stats().crossed_books, 0u);
  }
  {
    LakeReaderOptions o = layout(tmp.path(), LakeTable::kTrades);
    o.date_from = "2024-08-09";
    LakeReader r(o);
    EXPECT_EQ(read_all(r).size(), 5u);
  }
}

TEST(LakeReader, ExchangeAndSymbolComeFromThePathOfAnExplicitFile) {
  testing::TempDir tmp;
  write_market(tmp.path());
  LakeReaderOptions o;
  o.table = LakeTable::kBookDelta;
  o.files = {tmp.path() /
             "book_delta_v2/exchange=BINANCE/symbol=BTC-USDT/dt=2024-08-08/part-0.parquet"};
  o.source = 3;
  LakeReader r(o);
  Message m;
  ASSERT_TRUE(r.next(&m));
  EXPECT_EQ(m.exchange, "BINANCE");
  EXPECT_EQ(m.symbol, "BTC-USDT");
  EXPECT_EQ(m.source, 3u);
}

// Raw column names, CSV and CSV.gz, and the timestamp vintages, all written by DuckDB COPY.
TEST(LakeReader, ReadsRawNamesCsvAndTimestampVintages) {
  testing::TempDir tmp;
  const Market mk = write_market(tmp.path() / "lake");
  DuckDb db;
  const std::string trades = "read_parquet(" +
                             sql_quote((tmp.path() / "lake/trades/*/*/*/*.parquet").string()) +
                             ", hive_partitioning = false)";
  struct Variant {
    std::string name;
    std::string time_expr;  // of a BIGINT ns column `c`
    std::string format;
  };
  const std::vector<Variant> variants = {
      {"raw.parquet", "c", "FORMAT parquet"},
      {"raw.csv", "c", "FORMAT csv, HEADER"},
      {"raw.csv.gz", "c", "FORMAT csv, HEADER, COMPRESSION gzip"},
      {"ts_us.parquet", "make_timestamp(c // 1000)", "FORMAT parquet"},
      {"ts_ns.parquet", "make_timestamp_ns(c)", "FORMAT parquet"},
      {"ts_tz.parquet", "make_timestamp(c // 1000)::TIMESTAMPTZ", "FORMAT parquet"},
      {"ts_us.csv", "make_timestamp(c // 1000)", "FORMAT csv, HEADER"},
      {"float_s.parquet", "(c / 1e9)::DOUBLE", "FORMAT parquet"},
  };
  for (const Variant& v : variants) {
    SCOPED_TRACE(v.name);
    auto t = [&](const char* col) {
      std::string e = v.time_expr;
      e.replace(e.find('c'), 1, col);
      return e;
    };
    const fs::path out = tmp.path() / v.name;
    db.execute("COPY (SELECT side, quantity AS amount, price, trade_id AS id, " + t("origin_time") +
               " AS \"timestamp\", " + t("received_time") + " AS receipt_timestamp FROM " + trades +
               ") TO " + sql_quote(out.string()) + " (" + v.format + ")");
    LakeReader r(file(out, LakeTable::kTrades));
    std::vector<Message> want = mk.trades;
    // TIMESTAMP, TIMESTAMPTZ and float seconds keep microseconds; int64 and TIMESTAMP_NS keep ns.
    const bool us = v.time_expr != "c" && v.name != "ts_ns.parquet";
    for (Message& m : want) {
      if (us) {
        m.origin_time = m.origin_time / 1000 * 1000;
        m.received_time = m.received_time / 1000 * 1000;
      }
    }
    expect_same(read_all(r), want);
    if (v.name == "float_s.parquet") {
      EXPECT_EQ(r.stats().float_time_values, 12u);
      // received_time = whole us + 234 ns: float seconds cannot keep it, rounded and counted.
      EXPECT_EQ(r.stats().float_time_rounded, 6u);
    } else {
      EXPECT_EQ(r.stats().float_time_values, 0u);
    }
  }
  // A float-seconds value with ns precision keeps the shortest decimal when asked to.
  const fs::path f = tmp.path() / "float_ns.parquet";
  db.execute(
      "COPY (SELECT 'buy' AS side, 1.0 AS quantity, 2.0 AS price, '1' AS trade_id, "
      "1723161540.1234567::DOUBLE AS origin_time, 1723161540.5::DOUBLE AS received_time) "
      "TO " +
      sql_quote(f.string()) + " (FORMAT parquet)");
  LakeReaderOptions o = file(f, LakeTable::kTrades);
  o.float_time_resolution_ns = 1;
  LakeReader r(o);
  Message m;
  ASSERT_TRUE(r.next(&m));
  EXPECT_EQ(m.origin_time, 1723161540123456700LL);
  EXPECT_EQ(m.received_time, 1723161540500000000LL);
}

TEST(LakeReader, ReadsBookDeltaFromCsvWithIntegerSides) {
  testing::TempDir tmp;
  const Market mk = write_market(tmp.path() / "lake");
  DuckDb db;
  const fs::path out = tmp.path() / "delta.csv.gz";
  db.execute(
      "COPY (SELECT origin_time, received_time, sequence_number, side_is_bid::INTEGER AS "
      "side_is_bid, price, size FROM read_parquet(" +
      sql_quote((tmp.path() / "lake/book_delta_v2/*/*/*/*.parquet").string()) + ")) TO " +
      sql_quote(out.string()) + " (FORMAT csv, HEADER, COMPRESSION gzip)");
  LakeReader r(file(out, LakeTable::kBookDelta));
  expect_same(read_all(r), mk.deltas);
}

// ---- bad input ------------------------------------------------------------------------------

// Writes `select` (a SELECT over VALUES) to a Parquet file and returns its path.
fs::path fixture(const fs::path& dir, const std::string& name, const std::string& select) {
  DuckDb db;
  const fs::path p = dir / name;
  db.execute("COPY (" + select + ") TO " + sql_quote(p.string()) + " (FORMAT parquet)");
  return p;
}

const char* kDeltaCols = "t(origin_time, received_time, sequence_number, side_is_bid, price, size)";

std::string delta_rows(const std::string& rows) {
  return "SELECT * FROM (VALUES " + rows + ") " + kDeltaCols;
}

void expect_error(const LakeReaderOptions& o, const std::vector<std::string>& parts) {
  try {
    LakeReader r(o);
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

TEST(LakeReaderBadInput, CorruptParquetNamesTheFile) {
  testing::TempDir tmp;
  const fs::path p = tmp.path() / "broken.parquet";
  std::ofstream(p) << "PAR1 this is not parquet";
  expect_error(file(p, LakeTable::kTrades), {p.string(), "cannot read"});
}

TEST(LakeReaderBadInput, MissingColumnNamesFileAndColumnBeforeAnyRow) {
  testing::TempDir tmp;
  const fs::path p = fixture(tmp.path(), "d.parquet",
                             "SELECT * FROM (VALUES (1, 2, 3, true, 1.5)) "
                             "t(origin_time, received_time, sequence_number, side_is_bid, price)");
  expect_error(file(p, LakeTable::kBookDelta), {p.string() + ": field 'size'", "missing column"});
  const fs::path b = fixture(tmp.path(), "b.parquet",
                             "SELECT 1 AS origin_time, 2 AS received_time, 3 AS sequence_number, "
                             "1.0 AS bid_0_price, 1.0 AS bid_0_size, 2.0 AS ask_0_price");
  expect_error(file(b, LakeTable::kBook), {"field 'ask_0_size'", "missing column"});
  const fs::path t = fixture(tmp.path(), "t.parquet", "SELECT 'buy' AS side, 1.0 AS price");
  expect_error(file(t, LakeTable::kTrades), {"field 'quantity'", "'quantity' or 'amount'"});
}

TEST(LakeReaderBadInput, NanNegativeAndNullValuesNameRowAndField) {
  testing::TempDir tmp;
  const fs::path nan = fixture(
      tmp.path(), "nan.parquet",
      delta_rows("(1, 1, 1, true, 1.5::DOUBLE, 1.0::DOUBLE), (2, 2, 2, true, 'nan'::DOUBLE, 1.0)"));
  expect_error(file(nan, LakeTable::kBookDelta), {nan.string() + ":2: field 'price'", "NaN"});
  const fs::path neg =
      fixture(tmp.path(), "neg.parquet",
              delta_rows("(1, 1, 1, true, 1.5::DOUBLE, 1.0::DOUBLE), (2, 2, 2, false, 1.5, -2.0)"));
  expect_error(file(neg, LakeTable::kBookDelta), {":2: field 'size'", "negative size -2"});
  const fs::path null =
      fixture(tmp.path(), "null.parquet",
              delta_rows("(1, 1, 1, true, NULL::DOUBLE, 1.0::DOUBLE), (2, 2, 2, false, 1.5, 0.0)"));
  expect_error(file(null, LakeTable::kBookDelta), {":1: field 'price'", "null price"});
  const fs::path side = fixture(tmp.path(), "side.parquet",
                                "SELECT * FROM (VALUES ('buy', 1.0, 2.0, 1, 1, 1), "
                                "('hold', 1.0, 2.0, 2, 2, 2)) t(side, quantity, price, "
                                "trade_id, origin_time, received_time)");
  expect_error(file(side, LakeTable::kTrades), {":2: field 'side'", "'hold'"});
}

TEST(LakeReaderBadInput, QuarantineSkipsAndCountsBadRowsByReason) {
  testing::TempDir tmp;
  const fs::path p = fixture(tmp.path(), "q.parquet",
                             delta_rows("(1, 1, 1, true, 1.5::DOUBLE, 1.0::DOUBLE), "
                                        "(1, 1, 1, true, 'nan'::DOUBLE, 1.0), "
                                        "(1, 1, 1, false, 1.6, 0.0), "
                                        "(2, 2, 2, true, 1.5, -1.0), "
                                        "(3, 3, 3, true, 'nan', 1.0), "
                                        "(3, 3, 0, true, 1.5, 1.0), "
                                        "(4, 4, 4, true, 1.5, 2.0)"));
  LakeReaderOptions o = file(p, LakeTable::kBookDelta);
  o.bad_rows = BadRowPolicy::kQuarantine;
  LakeReader r(o);
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].levels.size(), 2u);
  EXPECT_EQ(msgs[0].source_row, 1u);
  EXPECT_EQ(msgs[1].update_id, 4);
  EXPECT_EQ(msgs[1].source_row, 7u);
  EXPECT_EQ(r.quarantine().total(), 4u);
  ASSERT_EQ(r.quarantine().reasons.size(), 3u);
  EXPECT_EQ(r.quarantine().reasons[0].first, "NaN price");
  EXPECT_EQ(r.quarantine().reasons[0].second.count, 2u);
  EXPECT_NE(r.quarantine().reasons[0].second.first_example.find(p.string() + ":2: field 'price'"),
            std::string::npos);
  EXPECT_EQ(r.quarantine().reasons[1].first, "negative size");
  EXPECT_EQ(r.quarantine().reasons[2].first, "sequence_number went backwards");
  EXPECT_EQ(r.stats().rows, 7u);
}

// ---- seeking ---------------------------------------------------------------------------------

// A fresh reader seeked to the position after message k gives exactly the messages, counters and
// quarantine of an uninterrupted read, for every k (the end included).
void expect_seeks_resume(const LakeReaderOptions& o) {
  LakeReader reader(o);
  std::vector<Message> all;
  std::vector<std::string> positions;
  auto save = [&] {
    std::string b;
    BinaryWriter w(&b);
    const std::shared_ptr<const ReaderPosition> position = reader.position();
    ASSERT_NE(position, nullptr);
    position->save(w);
    positions.push_back(b);
  };
  save();
  Message m;
  while (reader.next(&m)) {
    all.push_back(m);
    save();
  }
  ASSERT_FALSE(all.empty());
  for (size_t k = 0; k < positions.size(); ++k) {
    SCOPED_TRACE("seek to after message " + std::to_string(k));
    LakeReader fresh(o);
    BinaryReader r(positions[k]);
    fresh.seek(r);
    const std::vector<Message> rest = read_all(fresh);
    expect_same(rest,
                std::vector<Message>(all.begin() + static_cast<std::ptrdiff_t>(k), all.end()));
    EXPECT_EQ(fresh.stats().rows, reader.stats().rows);
    EXPECT_EQ(fresh.stats().messages, reader.stats().messages);
    EXPECT_EQ(fresh.stats().files, reader.stats().files);
    ASSERT_EQ(fresh.quarantine().reasons.size(), reader.quarantine().reasons.size());
    for (size_t i = 0; i < reader.quarantine().reasons.size(); ++i) {
      EXPECT_EQ(fresh.quarantine().reasons[i].first, reader.quarantine().reasons[i].first);
      EXPECT_EQ(fresh.quarantine().reasons[i].second.count,
                reader.quarantine().reasons[i].second.count);
      EXPECT_EQ(fresh.quarantine().reasons[i].second.first_example,
                reader.quarantine().reasons[i].second.first_example);
    }
  }
}

TEST(LakeReaderSeek, EveryTableAcrossPartitionsCsvAndQuarantine) {
  testing::TempDir tmp;
  write_market(tmp.path() / "lake");
  for (LakeTable t : {LakeTable::kTrades, LakeTable::kBookDelta, LakeTable::kBook}) {
    SCOPED_TRACE(lake_table_name(t));
    expect_seeks_resume(layout(tmp.path() / "lake", t));
  }
  DuckDb db;
  const fs::path csv = tmp.path() / "delta.csv.gz";
  db.execute("COPY (SELECT * FROM read_parquet(" +
             sql_quote((tmp.path() / "lake/book_delta_v2/*/*/*/*.parquet").string()) + ")) TO " +
             sql_quote(csv.string()) + " (FORMAT csv, HEADER, COMPRESSION gzip)");
  expect_seeks_resume(file(csv, LakeTable::kBookDelta));
  LakeReaderOptions q = file(fixture(tmp.path(), "q.parquet",
                                     delta_rows("(1, 1, 1, true, 1.5::DOUBLE, 1.0::DOUBLE), "
                                                "(1, 1, 1, true, 'nan'::DOUBLE, 1.0), "
                                                "(2, 2, 2, true, 1.5, -1.0), "
                                                "(3, 3, 3, true, 1.5, 1.0), "
                                                "(3, 3, 0, true, 1.5, 1.0), "
                                                "(4, 4, 4, true, 1.5, 2.0)")),
                             LakeTable::kBookDelta);
  q.bad_rows = BadRowPolicy::kQuarantine;
  expect_seeks_resume(q);
}

// A file of many row groups: a seek skips to its row without reading the rows before it, and a
// bad row after the seek is still named by its row in the file.
TEST(LakeReaderSeek, SkipsRowGroupsAndKeepsTheFilesRowNumbers) {
  testing::TempDir tmp;
  const fs::path p = tmp.path() / "many.parquet";
  DuckDb db;
  db.execute(
      "COPY (SELECT i AS origin_time, i AS received_time, i AS sequence_number, "
      "i % 2 = 0 AS side_is_bid, CASE WHEN i = 9000 THEN -1.0 ELSE 1.5 END AS price, "
      "1.0 AS size FROM range(1, 10001) r(i)) TO " +
      sql_quote(p.string()) + " (FORMAT parquet, ROW_GROUP_SIZE 2048)");
  LakeReader reader(file(p, LakeTable::kBookDelta));
  Message m;
  for (int32_t i = 0; i < 8500; ++i) ASSERT_TRUE(reader.next(&m));
  std::string b;
  BinaryWriter w(&b);
  reader.position()->save(w);
  LakeReader fresh(file(p, LakeTable::kBookDelta));
  BinaryReader r(b);
  fresh.seek(r);
  ASSERT_TRUE(fresh.next(&m));
  EXPECT_EQ(m.update_id, 8501);
  EXPECT_EQ(m.source_row, 8501u);
  try {
    while (fresh.next(&m)) {
    }
    FAIL() << "the negative price at row 9000 was not reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p.string() + ":9000: field 'price'"), std::string::npos)
        << e.what();
  }
}

// A position taken on another input (here three dt partitions) is refused, not misapplied.
TEST(LakeReaderSeek, APositionOfAnotherInputIsBadInput) {
  testing::TempDir tmp;
  write_market(tmp.path() / "lake");
  LakeReader three(layout(tmp.path() / "lake", LakeTable::kTrades));
  Message m;
  ASSERT_TRUE(three.next(&m));
  std::string b;
  BinaryWriter w(&b);
  three.position()->save(w);
  LakeReaderOptions o = layout(tmp.path() / "lake", LakeTable::kTrades);
  o.date_from = "2024-08-10";  // one partition
  LakeReader one(o);
  BinaryReader r(b);
  try {
    one.seek(r);
    FAIL() << "seeked into another input";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("3 file(s), this input 1"), std::string::npos) << e.what();
  }
}

TEST(LakeReaderBadInput, SequenceGoingBackwardsOrRepeatingAcrossMessagesIsAnError) {
  testing::TempDir tmp;
  const fs::path back =
      fixture(tmp.path(), "back.parquet",
              delta_rows("(1, 1, 5, true, 1.5::DOUBLE, 1.0::DOUBLE), (2, 2, 4, true, 1.5, 1.0)"));
  expect_error(file(back, LakeTable::kBookDelta),
               {back.string() + ":2: field 'sequence_number'", "4 after 5"});
  const fs::path dup =
      fixture(tmp.path(), "dup.parquet",
              delta_rows("(1, 1, 5, true, 1.5::DOUBLE, 1.0::DOUBLE), (1, 1, 5, false, 1.6, 1.0), "
                         "(2, 2, 5, true, 1.5, 1.0)"));
  expect_error(file(dup, LakeTable::kBookDelta),
               {dup.string() + ":3: field 'sequence_number'", "different received_time"});
}

TEST(LakeReaderBadInput, TimesGoingBackwardsAreCountedAndKept) {
  testing::TempDir tmp;
  const fs::path p =
      fixture(tmp.path(), "t.parquet",
              delta_rows("(10, 10, 1, true, 1.5::DOUBLE, 1.0::DOUBLE), (9, 11, 2, true, 1.5, 1.0), "
                         "(12, 10, 3, true, 1.5, 1.0)"));
  LakeReader r(file(p, LakeTable::kBookDelta));
  EXPECT_EQ(read_all(r).size(), 3u);
  EXPECT_EQ(r.stats().origin_time_backwards, 1u);
  EXPECT_EQ(r.stats().received_time_backwards, 1u);
}

TEST(LakeReaderBadInput, CrossedBooksAreCountedAndKept) {
  testing::TempDir tmp;
  std::vector<Level> bids = {{dec("101"), dec("1")}, {dec("100"), dec("1")}};
  std::vector<Level> asks = {{dec("100.5"), dec("1")}};
  {
    LakeWriter w({tmp.path(), "BINANCE", "BTC-USDT"});
    w.add_book(kT0, kT0, 1, bids, asks);  // crossed
    w.add_book(kT0, kT0, 2, {bids.data() + 1, 1}, asks);
    w.close();
  }
  LakeReader r(layout(tmp.path(), LakeTable::kBook));
  const auto msgs = read_all(r);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].levels.size(), 3u);
  EXPECT_EQ(r.stats().crossed_books, 1u);
}

TEST(LakeReaderBadInput, BookLevelsThatAreNaNOnBothSidesAreAbsent) {
  testing::TempDir tmp;
  const fs::path p = fixture(tmp.path(), "b.parquet",
                             "SELECT 1 AS origin_time, 2 AS received_time, 3 AS sequence_number, "
                             "1.0::DOUBLE AS bid_0_price, 1.0::DOUBLE AS bid_0_size, "
                             "'nan'::DOUBLE AS bid_1_price, 'nan'::DOUBLE AS bid_1_size, "
                             "2.0::DOUBLE AS ask_0_price, 1.0::DOUBLE AS ask_0_size, "
                             "3.0::DOUBLE AS ask_1_price, 'nan'::DOUBLE AS ask_1_size");
  expect_error(file(p, LakeTable::kBook), {":1: field 'ask_1_size'", "NaN size"});
}

TEST(LakeReaderBadInput, MissingLayoutIsAnError) {
  testing::TempDir tmp;
  expect_error(layout(tmp.path(), LakeTable::kTrades), {"no trades files", "BTC-USDT"});
}

}  // namespace
}  // namespace rlx::io

namespace rlx::io {
namespace {

TEST(DuckDbStream, ResultsAreStreamedRowByRow) {
  DuckDb db;
  DuckResult r = query_streaming(db, "SELECT range AS x FROM range(5000)", StatusCode::kInternal);
  EXPECT_TRUE(duckdb_result_is_streaming(*r.get()));
  RowCursor c(std::move(r), "range");
  int64_t n = 0;
  while (c.next()) {
    EXPECT_EQ(c.get_int64(0), n);
    ++n;
    EXPECT_EQ(c.row(), static_cast<uint64_t>(n));
  }
  EXPECT_EQ(n, 5000);
}

}  // namespace
}  // namespace rlx::io
