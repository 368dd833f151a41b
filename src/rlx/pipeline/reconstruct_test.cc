// End-to-end tests of `rlx reconstruct` on the real captures in ../shared/data: the Parquet
// output is read back with DuckDB and checked against an independent rebuild of the book.
#include "rlx/pipeline/reconstruct.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "rlx/core/error.h"
#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/supervisor.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

// Rows of a query as strings (NULL -> "NULL"), for exact comparisons of decimals.
std::vector<std::vector<std::string>> rows_of(io::DuckDb& db, const std::string& sql) {
  return io::query_text(db, sql).rows;
}

std::string events_of(const fs::path& out) {
  return "read_parquet('" + (out / "**" / "*.parquet").string() + "', hive_partitioning=true)";
}

std::string canonical(const std::string& decimal_text) {
  Decimal d;
  if (!Decimal::parse(decimal_text, &d)) return "unparsable:" + decimal_text;
  return d.to_string();
}

// One symbol's book in the reference rebuild.
struct ReferenceBook {
  std::map<Decimal, Decimal, std::greater<>> bids;
  std::map<Decimal, Decimal> asks;
  std::vector<Message> buffered;
  bool synced = false;
  bool bridged = false;  // a diff has been applied since the snapshot
  int64_t last_u = kNull;
  std::map<int64_t, std::string> tops;  // u -> "bid|bid size|ask|ask size" after that diff

  void apply(const Message& m) {
    for (const LevelUpdate& l : m.levels) {
      auto set = [&](auto& side) {
        if (l.size.is_zero()) {
          side.erase(l.price);
        } else {
          side[l.price] = l.size;
        }
      };
      if (l.side == Side::kBid) {
        set(bids);
      } else {
        set(asks);
      }
    }
    last_u = m.update_id;
    bridged = true;
    std::string top =
        bids.empty() ? "NULL|NULL"
                     : bids.begin()->first.to_string() + "|" + bids.begin()->second.to_string();
    top += asks.empty()
               ? "|NULL|NULL"
               : "|" + asks.begin()->first.to_string() + "|" + asks.begin()->second.to_string();
    tops[m.update_id] = top;
  }

  void on(const Message& m) {
    if (m.kind == MessageKind::kSnapshot) {
      bids.clear();
      asks.clear();
      for (const LevelUpdate& l : m.levels) {
        if (l.size.is_zero()) continue;
        (l.side == Side::kBid ? bids[l.price] : asks[l.price]) = l.size;
      }
      synced = true;
      bridged = false;
      last_u = m.update_id;
      std::vector<Message> pending = std::move(buffered);
      buffered.clear();
      for (const Message& b : pending) on_diff(b);
    } else if (m.kind == MessageKind::kDelta) {
      if (!synced) {
        buffered.push_back(m);
      } else {
        on_diff(m);
      }
    }
  }

  // Spot drops u <= lastUpdateId; futures keep the first diff with u == lastUpdateId (its
  // U <= lastUpdateId <= u bridges the snapshot), whether it was buffered or came later.
  void on_diff(const Message& m) {
    const bool futures = m.prev_update_id != kNull;
    if (m.update_id > last_u || (futures && !bridged && m.update_id == last_u)) apply(m);
  }
};

// Independent rebuild: Binance's documented procedure, written plainly with std::map, giving
// per symbol the best bid/ask (price, size) after every applied diff, keyed by its final id u.
// Books are keyed "exchange/symbol": spot and USD-M both have a BTCUSDT.
std::map<std::string, std::map<int64_t, std::string>> reference_tops(
    const std::vector<fs::path>& files) {
  std::map<std::string, ReferenceBook> books;
  for (size_t i = 0; i < files.size(); ++i) {
    io::BinanceRawOptions o;
    o.source = static_cast<uint32_t>(i);
    io::BinanceRawReader reader(files[i].string(), o);
    Message m;
    while (reader.next(&m)) books[m.exchange + "/" + m.symbol].on(m);
  }
  std::map<std::string, std::map<int64_t, std::string>> out;
  for (auto& [symbol, book] : books) out[symbol] = std::move(book.tops);
  return out;
}

// Reconstructs `files`, then checks, for every symbol, the best bid/ask on each synced
// last_in_message delta row against the reference rebuild: equal, and every reference point
// present. Returns the summary for further checks.
// How a test runs the reconstruction: in this process, or supervised (one worker process per
// symbol, supervisor_test.cc).
using Runner = std::function<ReconstructSummary(const ReconstructOptions&)>;

ReconstructSummary expect_books_match_reference(const std::vector<fs::path>& files,
                                                uint64_t min_points_per_symbol,
                                                const Runner& run = reconstruct) {
  testing::TempDir tmp;
  ReconstructOptions o;
  o.inputs = files;
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  const ReconstructSummary s = run(o);
  const auto reference = reference_tops(files);
  EXPECT_EQ(s.symbols.size(), reference.size());
  io::DuckDb db;
  for (const SymbolSummary& sym : s.symbols) {
    EXPECT_FALSE(sym.failed) << sym.symbol;
    EXPECT_EQ(sym.stats.gaps, 0u) << sym.symbol;
    EXPECT_EQ(sym.stats.ticker_mismatched, 0u) << sym.symbol;
    const auto& ref = reference.at(sym.exchange + "/" + sym.symbol);
    const auto rows = rows_of(db,
                              "SELECT update_id, best_bid_price, best_bid_size, best_ask_price, "
                              "best_ask_size FROM " +
                                  events_of(o.out_dir) + " WHERE exchange = '" + sym.exchange +
                                  "' AND symbol = '" + sym.symbol +
                                  "' AND last_in_message AND event_type = 'BOOK_DELTA' "
                                  "AND flags & 16 = 0 ORDER BY event_seq");
    EXPECT_GE(rows.size(), min_points_per_symbol) << sym.symbol;
    uint64_t compared = 0;
    for (const auto& r : rows) {
      const auto it = ref.find(std::stoll(r[0]));
      if (it == ref.end()) {
        ADD_FAILURE() << sym.symbol << ": update id " << r[0]
                      << " applied by rlx but not by the reference";
        break;
      }
      auto text = [](const std::string& v) { return v == "NULL" ? v : canonical(v); };
      const std::string got = text(r[1]) + "|" + text(r[2]) + "|" + text(r[3]) + "|" + text(r[4]);
      if (got != it->second) {
        ADD_FAILURE() << sym.symbol << " after update id " << r[0] << ": " << got
                      << " != " << it->second;
        break;
      }
      ++compared;
    }
    // Every diff the reference applied appears as a synced last_in_message row.
    EXPECT_EQ(compared, ref.size()) << sym.symbol;
  }
  return s;
}

void expect_book_matches_reference(const std::vector<std::string>& names, uint64_t min_points) {
  std::vector<fs::path> files;
  for (const auto& n : names) {
    RLX_REQUIRE_DATA(f, "binance/hftbacktest/" + n);
    files.push_back(f);
  }
  const ReconstructSummary s = expect_books_match_reference(files, min_points);
  EXPECT_EQ(s.symbols.size(), 1u);
}

// Issue 4's first check: the three cryptofeed captures (4 spot, 4 USD-M, 10 COIN-M symbols) in
// ONE supervised run with 2 worker slots, so most symbols go through a spool: every symbol's
// book equals the reference after every diff, and bookTicker agrees wherever ids coincide.
TEST(Reconstruct, SupervisedRunOfAllCryptofeedCapturesRebuildsEverySymbolExactly) {
  std::vector<fs::path> files;
  for (const char* market : {"BINANCE", "BINANCE_FUTURES", "BINANCE_DELIVERY"}) {
    RLX_REQUIRE_DATA(f, std::string("binance/cryptofeed/") + market + ".ws.1.0");
    files.push_back(f);
  }
  const ReconstructSummary s =
      expect_books_match_reference(files, 1, [](const ReconstructOptions& o) {
        SupervisorOptions so;
        so.run = o;
        so.worker_binary = RLX_BINARY;
        so.workers = 2;
        return supervise(so);
      });
  EXPECT_EQ(s.symbols.size(), 18u);
  EXPECT_EQ(s.failed_symbols, 0u);
  uint64_t matched = 0;
  for (const SymbolSummary& sym : s.symbols) {
    EXPECT_EQ(sym.stats.unsynced_events, 0u) << sym.symbol;
    EXPECT_EQ(sym.attempts, 1u) << sym.symbol;
    EXPECT_GT(sym.max_rss_bytes, 0u) << sym.symbol;
    matched += sym.stats.ticker_matched;
  }
  EXPECT_GT(matched, 60u);
}

TEST(Reconstruct, CryptofeedMultiSymbolFilesRebuildEverySymbolExactly) {
  for (const char* market : {"BINANCE", "BINANCE_FUTURES", "BINANCE_DELIVERY"}) {
    RLX_REQUIRE_DATA(f, std::string("binance/cryptofeed/") + market + ".ws.1.0");
    const ReconstructSummary s = expect_books_match_reference({f}, 1);  // RUNEEUR is quiet
    EXPECT_EQ(s.symbols.size(), std::string(market) == "BINANCE_DELIVERY" ? 10u : 4u) << market;
    uint64_t matched = 0;
    for (const SymbolSummary& sym : s.symbols) {
      EXPECT_EQ(sym.stats.unsynced_events, 0u) << sym.symbol;
      matched += sym.stats.ticker_matched;
    }
    EXPECT_GT(matched, 20u) << market;  // bookTicker agreed wherever its u met a diff's
  }
}

TEST(Reconstruct, UsdmBtcusdtBookEqualsAnExactRebuildAndBookTicker) {
  expect_book_matches_reference({"usdm_btcusdt_20240808.gz"}, 6000);
}
TEST(Reconstruct, UsdmEthusdtBookEqualsAnExactRebuild) {
  expect_book_matches_reference({"usdm_ethusdt_20240808.gz"}, 6000);
}
TEST(Reconstruct, UsdmBtcusdt0718BookEqualsAnExactRebuild) {
  expect_book_matches_reference({"usdm_btcusdt_20240718.gz"}, 3000);
}
TEST(Reconstruct, CoinmBookEqualsAnExactRebuild) {
  expect_book_matches_reference({"cm_btcusd_perp_20240808.gz"}, 20000);
}
TEST(Reconstruct, SpotTwoDaysCarryOneBookAcrossTheBoundary) {
  expect_book_matches_reference({"spot_btcusdt_20240808.gz", "spot_btcusdt_20240809.gz"}, 6000);
}

TEST(Reconstruct, TickerChecksOnUsdmBtcusdt) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  ReconstructOptions o;
  o.inputs = {file};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  const ReconstructSummary s = reconstruct(o);
  ASSERT_EQ(s.symbols.size(), 1u);
  // SOURCES.md's 126: tickers whose u equals the last applied diff's u when they arrive.
  // 503 more arrive before their diff (bookTicker is the faster stream) and match once it is
  // applied. None mismatches.
  EXPECT_EQ(s.symbols[0].stats.ticker_matched_last_diff, 126u);
  EXPECT_EQ(s.symbols[0].stats.ticker_matched, 629u);
  EXPECT_EQ(s.symbols[0].stats.ticker_mismatched, 0u);
}

TEST(Reconstruct, SpotDayBoundaryHasNoResyncAndNoUnsyncedRowsAfterTheSnapshot) {
  RLX_REQUIRE_DATA(d0808, "binance/hftbacktest/spot_btcusdt_20240808.gz");
  RLX_REQUIRE_DATA(d0809, "binance/hftbacktest/spot_btcusdt_20240809.gz");
  testing::TempDir tmp;
  ReconstructOptions o;
  o.inputs = {d0808, d0809};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  const ReconstructSummary s = reconstruct(o);
  ASSERT_EQ(s.symbols.size(), 1u);
  EXPECT_EQ(s.symbols[0].stats.resyncs, 0u);
  EXPECT_EQ(s.symbols[0].stats.gaps, 0u);
  io::DuckDb db;
  // Both dates present, and every book row from the snapshot on is synced.
  const auto dates =
      rows_of(db, "SELECT DISTINCT date::VARCHAR FROM " + events_of(o.out_dir) + " ORDER BY 1");
  ASSERT_EQ(dates.size(), 2u);
  EXPECT_EQ(dates[0][0], "2024-08-08");
  EXPECT_EQ(dates[1][0], "2024-08-09");
  const auto unsynced =
      rows_of(db, "SELECT count(*) FROM " + events_of(o.out_dir) +
                      " WHERE event_type <> 'TRADE' AND flags & 16 <> 0 "
                      "AND event_seq > (SELECT min(event_seq) FROM " +
                      events_of(o.out_dir) + " WHERE event_type = 'BOOK_SNAPSHOT')");
  EXPECT_EQ(unsynced[0][0], "0");
  const auto day2 = rows_of(db, "SELECT count(*) FROM " + events_of(o.out_dir) +
                                    " WHERE date = '2024-08-09' AND event_type = 'BOOK_DELTA'");
  EXPECT_GT(std::stoll(day2[0][0]), 50000);
}

TEST(Reconstruct, OutputHasTheDocumentedTypesAndIsByteIdenticalAcrossRuns) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  auto run = [&](const std::string& name) {
    ReconstructOptions o;
    o.inputs = {file};
    o.out_dir = tmp.path() / name;
    o.rows_per_file = 50'000;  // several parts
    o.progress = ProgressMode::kNever;
    reconstruct(o);
    return o.out_dir;
  };
  const fs::path a = run("a");
  const fs::path b = run("b");
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (e.is_regular_file() && e.path().filename() != "report.json") {
      files.push_back(fs::relative(e.path(), a).string());
    }
  }
  ASSERT_GT(files.size(), 3u);
  for (const auto& f : files) {
    std::ifstream fa(a / f, std::ios::binary), fb(b / f, std::ios::binary);
    std::stringstream sa, sb;
    sa << fa.rdbuf();
    sb << fb.rdbuf();
    EXPECT_TRUE(sa.str() == sb.str()) << f << " differs between two runs";
  }
  io::DuckDb db;
  const auto types = rows_of(
      db, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + events_of(a) + ")");
  std::map<std::string, std::string> type_of;
  for (const auto& r : types) type_of[r[0]] = r[1];
  for (const char* c : {"price", "size", "best_bid_price", "best_bid_size", "best_ask_price",
                        "best_ask_size", "bid_0_price", "ask_4_size"}) {
    EXPECT_EQ(type_of[c], "DECIMAL(38,18)") << c;
  }
  EXPECT_EQ(type_of["event_seq"], "BIGINT");
  EXPECT_EQ(type_of["update_id"], "BIGINT");
  EXPECT_EQ(type_of["last_in_message"], "BOOLEAN");
  const auto dense = rows_of(
      db, "SELECT count(*), min(event_seq), max(event_seq), count(DISTINCT event_seq) FROM " +
              events_of(a));
  EXPECT_EQ(dense[0][1], "0");
  EXPECT_EQ(std::stoll(dense[0][2]) + 1, std::stoll(dense[0][0]));
  EXPECT_EQ(dense[0][3], dense[0][0]);
}

TEST(Reconstruct, RefusesANonEmptyOutputUnlessAskedToOverwrite) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  ReconstructOptions o;
  o.inputs = {file};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  reconstruct(o);
  try {
    reconstruct(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos);
  }
  o.overwrite = true;
  EXPECT_GT(reconstruct(o).rows, 0u);
}

}  // namespace
}  // namespace rlx::pipeline

namespace rlx::pipeline {
namespace {

TEST(ReconstructTardis, RealSamplesReconstruct) {
  RLX_REQUIRE_DATA(l2, "tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv");
  RLX_REQUIRE_DATA(snap, "tardis/binance-futures_book_snapshot_25_BTCUSDT.csv");
  RLX_REQUIRE_DATA(trades, "tardis/bitmex_trades_XBTUSD.csv");
  testing::TempDir tmp;
  ReconstructOptions o;
  o.source = SourceKind::kTardis;
  o.inputs = {l2, snap, trades};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  const ReconstructSummary s = reconstruct(o);
  ASSERT_EQ(s.symbols.size(), 3u);
  io::DuckDb db;
  const std::string ev = events_of(o.out_dir);
  // Deribit: one snapshot of 15 asks; the best ask is the lowest, no bids.
  auto r =
      rows_of(db, "SELECT count(*), max(best_ask_price)::VARCHAR, count(best_bid_price) FROM " +
                      ev + " WHERE symbol = 'BTC-PERPETUAL'");
  EXPECT_EQ(r[0][0], "15");
  EXPECT_EQ(canonical(r[0][1]), "6421.5");
  EXPECT_EQ(r[0][2], "0");
  // Binance futures top-25: 10 snapshots of 50 levels; each replaces the book, so after each the
  // best bid/ask are that row's bids[0]/asks[0] (first row: 11657.07 / 11657.08).
  r = rows_of(
      db, "SELECT count(*), count(*) FILTER (last_in_message), count(DISTINCT update_id) FROM " +
              ev + " WHERE symbol = 'BTCUSDT'");
  EXPECT_EQ(r[0][0], "500");
  EXPECT_EQ(r[0][1], "10");
  r = rows_of(db, "SELECT best_bid_price, best_ask_price, bid_4_price FROM " + ev +
                      " WHERE symbol = 'BTCUSDT' AND last_in_message ORDER BY event_seq LIMIT 1");
  EXPECT_EQ(canonical(r[0][0]), "11657.07");
  EXPECT_EQ(canonical(r[0][1]), "11657.08");
  EXPECT_EQ(canonical(r[0][2]), "11655.68");
  // BitMEX trades: UUID trade ids kept as text.
  r = rows_of(db, "SELECT count(*), min(trade_id) FROM " + ev + " WHERE symbol = 'XBTUSD'");
  EXPECT_EQ(r[0][0], "10");
  EXPECT_EQ(r[0][1].size(), 36u);
}

TEST(ReconstructTardis, IsSnapshotFalseToTrueStartsANewBook) {
  testing::TempDir tmp;
  const fs::path csv = tmp.path() / "incremental_book_L2.csv";
  std::ofstream(csv) << "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"
                        "deribit,X,1000,1001,true,bid,99,1\n"
                        "deribit,X,1000,1001,true,ask,101,1\n"
                        "deribit,X,2000,2001,false,bid,100,2\n"
                        "deribit,X,2000,2001,false,ask,101,0\n"
                        "deribit,X,3000,3001,true,bid,90,5\n"  // a new snapshot: old levels go
                        "deribit,X,3000,3001,true,ask,95,5\n"
                        "deribit,X,4000,4001,false,bid,91,1\n";
  ReconstructOptions o;
  o.source = SourceKind::kTardis;
  o.inputs = {csv};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  const ReconstructSummary s = reconstruct(o);
  ASSERT_EQ(s.symbols.size(), 1u);
  EXPECT_EQ(s.symbols[0].stats.resyncs, 1u);
  io::DuckDb db;
  const auto r = rows_of(db,
                         "SELECT event_type, best_bid_price::VARCHAR, best_ask_price::VARCHAR, "
                         "bid_1_price::VARCHAR, flags FROM " +
                             events_of(o.out_dir) + " WHERE last_in_message ORDER BY event_seq");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1][0], "BOOK_DELTA");
  EXPECT_EQ(canonical(r[1][1]), "100");
  EXPECT_EQ(r[1][2], "NULL");  // ask 101 deleted, no ask left
  EXPECT_EQ(r[2][0], "BOOK_SNAPSHOT");
  EXPECT_EQ(canonical(r[2][1]), "90");  // bids 100 and 99 are gone with the old book
  EXPECT_EQ(canonical(r[2][2]), "95");
  EXPECT_EQ(r[2][3], "NULL");
  EXPECT_EQ(std::stoi(r[2][4]) & 2, 2);  // RESYNC
  EXPECT_EQ(canonical(r[3][1]), "91");
  EXPECT_EQ(canonical(r[3][3]), "90");
}

}  // namespace
}  // namespace rlx::pipeline
