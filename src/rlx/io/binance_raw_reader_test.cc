#include "rlx/io/binance_raw_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/testing/compress.h"
#include "rlx/testing/test_data.h"

namespace rlx::io {
namespace {

namespace fs = std::filesystem;

Decimal dec(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d)) << text;
  return d;
}

void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using testing::gzip_bytes;
using testing::zstd_bytes;

// The whole decompressed text through zlib's own gz* API (independent of LineReader).
std::string gunzip_file(const fs::path& path) {
  gzFile f = gzopen(path.string().c_str(), "rb");
  EXPECT_NE(f, nullptr);
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return text;
}

size_t count_substr(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

struct Counts {
  uint64_t depth = 0, trade = 0, ticker = 0, snapshot = 0;
  uint64_t depth_levels = 0, snapshot_levels = 0;
  bool operator==(const Counts&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{depth " << c.depth << ", trade " << c.trade << ", ticker " << c.ticker
            << ", snapshot " << c.snapshot << ", depth levels " << c.depth_levels
            << ", snapshot levels " << c.snapshot_levels << "}";
}

Counts count_messages(BinanceRawReader& reader) {
  Counts c;
  Message m;
  while (reader.next(&m)) {
    switch (m.kind) {
      case MessageKind::kDelta:
        ++c.depth;
        c.depth_levels += m.levels.size();
        break;
      case MessageKind::kTrade:
        ++c.trade;
        break;
      case MessageKind::kTicker:
        ++c.ticker;
        break;
      case MessageKind::kSnapshot:
        ++c.snapshot;
        c.snapshot_levels += m.levels.size();
        break;
    }
  }
  return c;
}

// The same counts, computed a second way: a plain text scan of the zlib-decompressed file.
// Every level is one `["` in a depthUpdate or REST snapshot line.
Counts count_by_text(const fs::path& path) {
  const std::string text = gunzip_file(path);
  Counts c;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + pos, nl - pos);
    if (line.find("\"depthUpdate\"") != std::string_view::npos) {
      ++c.depth;
      c.depth_levels += count_substr(line, "[\"");
    } else if (line.find("\"lastUpdateId\"") != std::string_view::npos) {
      ++c.snapshot;
      c.snapshot_levels += count_substr(line, "[\"");
    } else if (line.find("@trade\"") != std::string_view::npos) {
      ++c.trade;
    } else if (line.find("@bookTicker\"") != std::string_view::npos) {
      ++c.ticker;
    }
    pos = nl + 1;
  }
  return c;
}

struct HftFile {
  const char* name;
  Market market;
  const char* symbol;
  Counts expected;  // message counts from SOURCES.md; level counts measured with zcat | grep
};

// Level counts: `zcat F | grep '"depthUpdate"' | grep -o '\["' | wc -l` (and likewise for the
// lastUpdateId line); message counts as in ../shared/data/SOURCES.md.
const HftFile kHftFiles[] = {
    {"spot_btcusdt_20240808.gz", Market::kSpot, "BTCUSDT", {3451, 9757, 28040, 1, 124090, 2000}},
    {"spot_btcusdt_20240809.gz", Market::kSpot, "BTCUSDT", {3044, 10147, 45134, 0, 174021, 0}},
    {"usdm_btcusdt_20240808.gz", Market::kUsdM, "BTCUSDT", {6551, 21313, 66089, 1, 443521, 2000}},
    {"usdm_ethusdt_20240808.gz", Market::kUsdM, "ETHUSDT", {6586, 14076, 53992, 1, 428662, 2000}},
    {"usdm_btcusdt_20240718.gz", Market::kUsdM, "BTCUSDT", {3326, 974, 7113, 1, 75704, 2000}},
    {"cm_btcusd_perp_20240808.gz",
     Market::kCoinM,
     "BTCUSD_PERP",
     {26847, 2286, 19136, 1, 296013, 2000}},
};

class HftbacktestFile : public ::testing::TestWithParam<HftFile> {};

TEST_P(HftbacktestFile, CountsMatchSourcesAndAnIndependentTextScan) {
  const HftFile& file = GetParam();
  RLX_REQUIRE_DATA(path, fs::path("binance/hftbacktest") / file.name);
  BinanceRawReader reader(path.string());
  EXPECT_EQ(reader.format(), BinanceFormat::kHftbacktest);
  const Counts got = count_messages(reader);
  EXPECT_EQ(got, file.expected);
  EXPECT_EQ(got, count_by_text(path));
  EXPECT_EQ(reader.quarantine().total(), 0u);
  EXPECT_EQ(reader.market(), file.market);
}

TEST_P(HftbacktestFile, EveryMessageHasTheFileSymbolMarketAndOrderedRows) {
  const HftFile& file = GetParam();
  RLX_REQUIRE_DATA(path, fs::path("binance/hftbacktest") / file.name);
  BinanceRawReader reader(path.string(), {.source = 7});
  Message m;
  uint64_t prev_row = 0;
  while (reader.next(&m)) {
    ASSERT_EQ(m.symbol, file.symbol) << m.source_row;
    ASSERT_EQ(m.market, file.market) << m.source_row;
    ASSERT_EQ(m.exchange, binance_exchange_name(file.market));
    ASSERT_EQ(m.source, 7u);
    ASSERT_GT(m.source_row, prev_row);
    ASSERT_NE(m.received_time, kNull);
    prev_row = m.source_row;
    if (m.kind == MessageKind::kDelta) {
      ASSERT_NE(m.first_update_id, kNull);
      ASSERT_EQ(m.prev_update_id != kNull, file.market != Market::kSpot);
      // bids first, then asks
      bool seen_ask = false;
      for (const auto& l : m.levels) {
        if (l.side == Side::kAsk) seen_ask = true;
        ASSERT_TRUE(l.side == (seen_ask ? Side::kAsk : Side::kBid));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RealData, HftbacktestFile, ::testing::ValuesIn(kHftFiles),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           return n.substr(0, n.find('.'));
                         });

TEST(BinanceRawReader, FirstAndLastMessageOfUsdmFile) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  BinanceRawReader reader(path.string());
  Message m;
  ASSERT_TRUE(reader.next(&m));
  EXPECT_EQ(m.kind, MessageKind::kDelta);
  EXPECT_EQ(m.exchange, "binance-futures");
  EXPECT_EQ(m.market, Market::kUsdM);
  EXPECT_EQ(m.symbol, "BTCUSDT");
  EXPECT_EQ(m.received_time, 1723161255030314667);
  EXPECT_EQ(m.origin_time, 1723161256299000000);
  EXPECT_EQ(m.first_update_id, 5123107832006);
  EXPECT_EQ(m.update_id, 5123107837557);
  EXPECT_EQ(m.prev_update_id, 5123107831937);
  EXPECT_EQ(m.source_row, 1u);
  ASSERT_FALSE(m.levels.empty());
  EXPECT_EQ(m.levels[0].side, Side::kBid);
  EXPECT_EQ(m.levels[0].price, dec("58710.20"));
  EXPECT_EQ(m.levels[0].size, dec("0.014"));
  EXPECT_EQ(m.levels[2].size, dec("0"));  // ["61510.90","0.000"]: a deletion

  Message last;
  while (reader.next(&m)) std::swap(last, m);
  // 1723161599833492584 {...,"E":1723161601105,...,"U":5123135475514,"u":5123135475514,
  //  "pu":5123135221461,"b":[["61631.70","0.283"],["61632.60","0.000"]],"a":[]}
  EXPECT_EQ(last.kind, MessageKind::kDelta);
  EXPECT_EQ(last.source_row, 93954u);
  EXPECT_EQ(last.received_time, 1723161599833492584);
  EXPECT_EQ(last.origin_time, 1723161601105000000);
  EXPECT_EQ(last.first_update_id, 5123135475514);
  EXPECT_EQ(last.update_id, 5123135475514);
  EXPECT_EQ(last.prev_update_id, 5123135221461);
  ASSERT_EQ(last.levels.size(), 2u);
  EXPECT_EQ(last.levels[1].price, dec("61632.60"));
  EXPECT_EQ(last.levels[1].size, dec("0"));
}

TEST(BinanceRawReader, SpotSnapshotTradeAndTickerFields) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/spot_btcusdt_20240808.gz");
  BinanceRawReader reader(path.string());
  Message m;
  bool snapshot = false, trade = false, ticker = false;
  while (reader.next(&m) && !(snapshot && trade && ticker)) {
    if (m.kind == MessageKind::kSnapshot && !snapshot) {
      snapshot = true;
      // Line 8: the raw REST body {"lastUpdateId":50093239218,"bids":[...],"asks":[...]}.
      EXPECT_EQ(m.symbol, "BTCUSDT");  // the body has none: the file's symbol
      EXPECT_EQ(m.exchange, "binance");
      EXPECT_EQ(m.source_row, 8u);
      EXPECT_EQ(m.received_time, 1723161254206652067);
      EXPECT_EQ(m.update_id, 50093239218);
      EXPECT_EQ(m.origin_time, kNull);  // spot REST snapshots carry no E
      ASSERT_EQ(m.levels.size(), 2000u);
      EXPECT_EQ(m.levels[0].side, Side::kBid);
      EXPECT_EQ(m.levels[0].price, dec("61837.63"));
      EXPECT_EQ(m.levels[0].size, dec("3.78826"));
      EXPECT_EQ(m.levels[999].side, Side::kBid);
      EXPECT_EQ(m.levels[1000].side, Side::kAsk);
      EXPECT_EQ(m.levels[1999].price, dec("62053.18"));
      EXPECT_EQ(m.levels[1999].size, dec("0.0001"));
    } else if (m.kind == MessageKind::kTrade && !trade) {
      trade = true;
      // {"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000",
      //  "q":"0.02000000","T":1723161255342,"m":true,"M":true}
      EXPECT_EQ(m.trade_id, "3735683259");
      EXPECT_EQ(m.price, dec("61837.63"));
      EXPECT_EQ(m.size, dec("0.02"));
      EXPECT_EQ(m.side, Side::kSell);  // buyer is maker: the aggressor sold
      EXPECT_EQ(m.origin_time, 1723161255343000000);
      EXPECT_EQ(m.received_time, 1723161254087896568);
      EXPECT_EQ(m.exchange, "binance");
    } else if (m.kind == MessageKind::kTicker && !ticker) {
      ticker = true;
      // {"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000",
      //  "a":"61837.64000000","A":"1.54698000"}
      EXPECT_EQ(m.update_id, 50093239212);
      EXPECT_EQ(m.origin_time, kNull);
      ASSERT_EQ(m.levels.size(), 2u);
      EXPECT_EQ(m.levels[0].side, Side::kBid);
      EXPECT_EQ(m.levels[0].price, dec("61837.63"));
      EXPECT_EQ(m.levels[0].size, dec("3.78826"));
      EXPECT_EQ(m.levels[1].side, Side::kAsk);
      EXPECT_EQ(m.levels[1].price, dec("61837.64"));
      EXPECT_EQ(m.levels[1].size, dec("1.54698"));
    }
  }
  EXPECT_TRUE(snapshot && trade && ticker);
}

TEST(BinanceRawReader, FuturesTradesAndTickersTakeTheFileMarket) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/cm_btcusd_perp_20240808.gz");
  BinanceRawReader reader(path.string(), {.emit_tickers = false});
  Message m;
  bool trade = false;
  while (reader.next(&m)) {
    ASSERT_NE(m.kind, MessageKind::kTicker);  // emit_tickers = false
    if (m.kind == MessageKind::kSnapshot) {
      EXPECT_EQ(m.symbol, "BTCUSD_PERP");
      EXPECT_EQ(m.update_id, 1007198635033);
      EXPECT_EQ(m.origin_time, 1723161257835000000);
    }
    if (m.kind == MessageKind::kTrade && !trade) {
      trade = true;  // {"e":"trade",...,"t":849714402,"p":"61804.8","q":"4","X":"MARKET","m":false}
      EXPECT_EQ(m.exchange, "binance-delivery");
      EXPECT_EQ(m.trade_id, "849714402");
      EXPECT_EQ(m.side, Side::kBuy);
      EXPECT_EQ(m.price, dec("61804.8"));
      EXPECT_EQ(m.size, dec("4"));
    }
  }
  EXPECT_TRUE(trade);
}

// A spot file whose symbol-less REST snapshot comes before any message naming the symbol.
TEST(BinanceRawReader, SnapshotBeforeAnySymbolReadsAhead) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/spot_btcusdt_20240808.gz");
  const std::string text = gunzip_file(path);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.emplace_back(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (lines.size() == 12) break;
  }
  testing::TempDir dir;
  std::string first;
  first.append(lines[7]).append("\n");  // the snapshot first
  for (size_t i = 0; i < 12; ++i) {
    if (i != 7) first.append(lines[i]).append("\n");
  }
  spit(dir.path() / "snap_first.txt", first);
  BinanceRawReader reader((dir.path() / "snap_first.txt").string());
  Message m;
  ASSERT_TRUE(reader.next(&m));
  EXPECT_EQ(m.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m.symbol, "BTCUSDT");
  EXPECT_EQ(m.market, Market::kSpot);
  EXPECT_EQ(m.source_row, 1u);

  // The same snapshot in a file that also holds another symbol is ambiguous: a clear error.
  std::string other = first;
  std::string eth(lines[0]);
  for (const auto& [from, to] : {std::pair{"btcusdt@", "ethusdt@"}, {"BTCUSDT", "ETHUSDT"}}) {
    eth.replace(eth.find(from), std::string(from).size(), to);
  }
  other.append(eth).append("\n");
  spit(dir.path() / "two_symbols.txt", other);
  BinanceRawReader two((dir.path() / "two_symbols.txt").string(),
                       {.on_bad_row = BadRowPolicy::kQuarantine});
  try {
    while (two.next(&m)) {
    }
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_EQ(e.where().row, 13u);
    EXPECT_NE(std::string(e.what()).find("ETHUSDT"), std::string::npos) << e.what();
  }
}

struct CryptofeedFile {
  const char* name;
  Market market;
  std::set<std::string> symbols;
  Counts expected;  // grep -c of each stream in the .ws.1.0 file; one snapshot per symbol
  uint64_t klines;
};

const CryptofeedFile kCryptofeedFiles[] = {
    {"BINANCE.ws.1.0",
     Market::kSpot,
     {"NKNUSDT", "LRCBTC", "BLZETH", "RUNEEUR"},
     {177, 2, 84, 4, 0, 0},
     2},
    {"BINANCE_FUTURES.ws.1.0",
     Market::kUsdM,
     {"SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"},
     {764, 91, 613, 4, 0, 0},
     67},
    {"BINANCE_DELIVERY.ws.1.0",
     Market::kCoinM,
     {"LINKUSD_211231", "LINKUSD_PERP", "TRXUSD_PERP", "ETCUSD_PERP", "BTCUSD_211231",
      "XRPUSD_PERP", "EOSUSD_PERP", "BCHUSD_PERP", "BCHUSD_210924", "ETHUSD_210924"},
     {2047, 51, 2240, 10, 0, 0},
     33},
};

class CryptofeedCapture : public ::testing::TestWithParam<CryptofeedFile> {};

TEST_P(CryptofeedCapture, MergesSnapshotsAndCountsKlines) {
  const CryptofeedFile& file = GetParam();
  RLX_REQUIRE_DATA(path, fs::path("binance/cryptofeed") / file.name);
  BinanceRawReader reader(path.string());
  EXPECT_EQ(reader.format(), BinanceFormat::kCryptofeed);
  Counts got;
  std::set<std::string> symbols, snapshot_symbols;
  std::map<std::string, int64_t> first_diff_time;
  int64_t prev_time = 0;
  Message m;
  while (reader.next(&m)) {
    ASSERT_EQ(m.market, file.market);
    ASSERT_EQ(m.exchange, binance_exchange_name(file.market));
    ASSERT_GE(m.received_time, prev_time) << "row " << m.source_row;  // merged in local time
    prev_time = m.received_time;
    symbols.insert(m.symbol);
    switch (m.kind) {
      case MessageKind::kDelta:
        ++got.depth;
        first_diff_time.emplace(m.symbol, m.received_time);
        break;
      case MessageKind::kTrade:
        ++got.trade;
        ASSERT_FALSE(m.trade_id.empty());
        break;
      case MessageKind::kTicker:
        ++got.ticker;
        break;
      case MessageKind::kSnapshot:
        ++got.snapshot;
        snapshot_symbols.insert(m.symbol);
        ASSERT_GT(m.levels.size(), 0u);
        break;
    }
  }
  EXPECT_EQ(got, file.expected);
  EXPECT_EQ(symbols, file.symbols);
  EXPECT_EQ(snapshot_symbols, file.symbols);
  ASSERT_EQ(reader.quarantine().reasons.size(), 1u);
  EXPECT_EQ(reader.quarantine().reasons[0].first, "unsupported stream kline_1m");
  EXPECT_EQ(reader.quarantine().reasons[0].second.count, file.klines);
  EXPECT_NE(reader.quarantine().reasons[0].second.first_example.find(file.name), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(RealData, CryptofeedCapture, ::testing::ValuesIn(kCryptofeedFiles),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           return n.substr(0, n.find('.'));
                         });

TEST(BinanceRawReader, CryptofeedTimesAndSnapshotFieldsAreExact) {
  RLX_REQUIRE_DATA(path, "binance/cryptofeed/BINANCE.ws.1.0");
  BinanceRawReader reader(path.string());
  Message m;
  ASSERT_TRUE(reader.next(&m));
  // 1633998512.0633569: {"stream":"nknusdt@depth@100ms","data":{...,"E":1633998512068,
  //  "s":"NKNUSDT","U":499869750,"u":499869752,"b":[[...3 levels]],"a":[]}}
  EXPECT_EQ(m.kind, MessageKind::kDelta);
  EXPECT_EQ(m.received_time, 1633998512063356900);
  EXPECT_EQ(m.origin_time, 1633998512068000000);
  EXPECT_EQ(m.source_row, 2u);
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(m.levels.size(), 3u);
  EXPECT_EQ(m.prev_update_id, kNull);
  while (reader.next(&m) && m.kind != MessageKind::kSnapshot) {
  }
  // https://api.binance.com/api/v3/depth?symbol=NKNUSDT&limit=1000 -> 1633998512.320639: {...}
  ASSERT_EQ(m.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(m.received_time, 1633998512320639000);
  EXPECT_EQ(m.update_id, 499869752);
  EXPECT_EQ(m.source_row, 1u);  // line 1 of BINANCE.http.0.0
  EXPECT_EQ(m.origin_time, kNull);
}

TEST(BinanceRawReader, SymbolFilter) {
  RLX_REQUIRE_DATA(path, "binance/cryptofeed/BINANCE_FUTURES.ws.1.0");
  BinanceRawReader reader(path.string(), {.symbols = {"sushiusdt", "CTKUSDT"}});
  Message m;
  std::set<std::string> symbols;
  uint64_t snapshots = 0;
  while (reader.next(&m)) {
    symbols.insert(m.symbol);
    snapshots += m.kind == MessageKind::kSnapshot;
  }
  EXPECT_EQ(symbols, (std::set<std::string>{"SUSHIUSDT", "CTKUSDT"}));
  EXPECT_EQ(snapshots, 2u);
}

TEST(BinanceRawReader, MarketOverride) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  BinanceRawReader reader(path.string(), {.market = Market::kCoinM});
  Message m;
  ASSERT_TRUE(reader.next(&m));
  EXPECT_EQ(m.market, Market::kCoinM);
  EXPECT_EQ(m.exchange, "binance-delivery");
}

// Golden-sample lines, as `rlx capture` writes them (docs/INPUTS.md).
const char* const kGolden[] = {
    R"({"capture_ns":1723161255030314667,"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":100,"u":105,"b":[["61737.63","0.5"]],"a":[["61740.00","1.25"],["61741.00","0"]]}})",
    R"({"capture_ns":1723161255040000000,"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":104,"bids":[["61737.63","0.4"],["61737.00","2"]],"asks":[["61740.00","1"]]}})",
    R"({"capture_ns":1723161255050000000,"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61737.63","q":"0.02","T":1723161255342,"m":true,"M":true}})",
    R"({"capture_ns":1723161255060000000,"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1723161255344,"s":"BTCUSDT","a":99,"p":"61740.00","q":"0.5","f":1,"l":2,"T":1723161255342,"m":false,"M":true}})",
    R"({"capture_ns":1723161255070000000,"stream":"btcusdt@bookTicker","data":{"u":106,"s":"BTCUSDT","b":"61737.63","B":"0.4","a":"61740.00","A":"0.75"}})",
    R"({"capture_ns":1723161255080000000,"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1723161255400,"s":"BTCUSDT","k":{"t":1,"o":"1"}}})",
    R"({"capture_ns":1723161255090000000,"stream":"ethusdt@trade","data":{"e":"trade","E":1723161255500,"s":"ETHUSDT","t":7,"p":"2600.5","q":"1","T":1723161255499,"m":false,"M":true}})",
};

std::string golden_text() {
  std::string text;
  for (const char* line : kGolden) text.append(line).append("\n");
  return text;
}

TEST(BinanceRawReader, GoldenSamplePlainGzipAndZstd) {
  testing::TempDir dir;
  const std::string text = golden_text();
  spit(dir.path() / "golden.jsonl", text);
  spit(dir.path() / "golden.jsonl.gz", gzip_bytes(text));
  spit(dir.path() / "golden.jsonl.zst", zstd_bytes(text));
  for (const char* name : {"golden.jsonl", "golden.jsonl.gz", "golden.jsonl.zst"}) {
    SCOPED_TRACE(name);
    BinanceRawReader reader((dir.path() / name).string(), {.source = 3});
    EXPECT_EQ(reader.format(), BinanceFormat::kGolden);
    std::vector<Message> got;
    Message m;
    while (reader.next(&m)) got.push_back(m);
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0].kind, MessageKind::kDelta);
    EXPECT_EQ(got[0].received_time, 1723161255030314667);
    EXPECT_EQ(got[0].origin_time, 1723161255208000000);
    EXPECT_EQ(got[0].first_update_id, 100);
    EXPECT_EQ(got[0].update_id, 105);
    EXPECT_EQ(got[0].source, 3u);
    EXPECT_EQ(got[0].exchange, "binance");
    ASSERT_EQ(got[0].levels.size(), 3u);
    EXPECT_EQ(got[0].levels[1].side, Side::kAsk);
    EXPECT_EQ(got[0].levels[1].size, dec("1.25"));

    EXPECT_EQ(got[1].kind, MessageKind::kSnapshot);
    EXPECT_EQ(got[1].symbol, "BTCUSDT");  // from the stream name
    EXPECT_EQ(got[1].update_id, 104);
    EXPECT_EQ(got[1].levels.size(), 3u);
    EXPECT_EQ(got[1].source_row, 2u);

    EXPECT_EQ(got[2].kind, MessageKind::kTrade);
    EXPECT_EQ(got[2].trade_id, "3735683259");
    EXPECT_EQ(got[2].side, Side::kSell);
    EXPECT_EQ(got[3].kind, MessageKind::kTrade);
    EXPECT_EQ(got[3].trade_id, "99");  // aggTrade: a
    EXPECT_EQ(got[3].side, Side::kBuy);
    EXPECT_EQ(got[3].price, dec("61740"));
    EXPECT_EQ(got[4].kind, MessageKind::kTicker);
    EXPECT_EQ(got[4].update_id, 106);
    EXPECT_EQ(got[4].levels[1].size, dec("0.75"));
    EXPECT_EQ(got[5].symbol, "ETHUSDT");
    EXPECT_EQ(got[5].source_row, 7u);

    ASSERT_EQ(reader.quarantine().total(), 1u);
    EXPECT_EQ(reader.quarantine().reasons[0].first, "unsupported stream kline_1m");
  }
  BinanceRawReader only_eth((dir.path() / "golden.jsonl.zst").string(), {.symbols = {"ETHUSDT"}});
  Message m;
  ASSERT_TRUE(only_eth.next(&m));
  EXPECT_EQ(m.symbol, "ETHUSDT");
  EXPECT_FALSE(only_eth.next(&m));
}

TEST(BinanceRawReader, DecimalTextIsParsedExactly) {
  // Plain text takes a fast path, everything else Decimal::parse: both must agree exactly.
  const std::vector<std::string> texts = {"0",
                                          "0.00000000",
                                          "61737.63000000",
                                          "0.000000000000000001",
                                          "1e-05",
                                          "2.5E+3",
                                          "9999999999999999999",
                                          "12345678901234567890.5",
                                          "0.1000000000000000000",
                                          "123456789.123456789",
                                          "007.50",
                                          "1234567890123456789.1"};
  std::string depth =
      R"({"capture_ns":1,"stream":"x@depth","data":{"e":"depthUpdate","E":2,"s":"X","U":1,"u":2,"b":[)";
  for (size_t i = 0; i < texts.size(); ++i) {
    depth += (i ? "," : "") + std::string("[\"") + texts[i] + "\",\"" + texts[i] + "\"]";
  }
  depth += R"(],"a":[]}})";
  testing::TempDir dir;
  spit(dir.path() / "d.jsonl", depth + "\n");
  BinanceRawReader reader((dir.path() / "d.jsonl").string());
  Message m;
  ASSERT_TRUE(reader.next(&m));
  ASSERT_EQ(m.levels.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(m.levels[i].price, dec(texts[i].c_str())) << texts[i];
    EXPECT_EQ(m.levels[i].size, dec(texts[i].c_str())) << texts[i];
  }
  EXPECT_EQ(m.levels[2].price.to_string(), "61737.63");
  EXPECT_EQ(m.levels[3].price.raw(), 1);
}

TEST(BinanceRawReader, TruncatedGzipCaptureNamesFileAndLine) {
  RLX_REQUIRE_DATA(real, "binance/hftbacktest/spot_btcusdt_20240808.gz");
  testing::TempDir dir;
  const std::string bytes = slurp(real);
  const fs::path half = dir.path() / "spot_half.gz";
  spit(half, bytes.substr(0, bytes.size() / 2));
  for (BadRowPolicy policy : {BadRowPolicy::kFail, BadRowPolicy::kQuarantine}) {
    BinanceRawReader reader(half.string(), {.on_bad_row = policy});
    Message m;
    uint64_t n = 0;
    try {
      while (reader.next(&m)) ++n;
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kBadInput);
      EXPECT_EQ(e.where().file, half.string());
      EXPECT_EQ(e.where().row, m.source_row + 1);  // the line after the last one read
      EXPECT_NE(std::string(e.what()).find("truncated gzip"), std::string::npos) << e.what();
      EXPECT_GT(n, 10000u);
    }
  }
}

// One capture of valid golden lines with a bad line 3 in the middle.
struct BadCase {
  const char* name;
  const char* line;
  const char* field;   // expected Location::field ("" for none)
  const char* reason;  // expected quarantine reason
};

const BadCase kBadCases[] = {
    {"MalformedJson",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT",)", "",
     "malformed JSON"},
    {"NotJsonAtAll", R"({"capture_ns":1,"stream":btcusdt@trade})", "stream", "malformed JSON"},
    {"TrailingContent",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"p":"1","q":"1","m":true}} {"x":1})",
     "", "malformed JSON"},
    {"NanPrice",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"p":"NaN","q":"1","m":true}})",
     "p", "non-finite price"},
    {"NegativeSize",
     R"({"capture_ns":1,"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":1,"u":2,"b":[["1.5","2"]],"a":[["1.6","-3"]]}})",
     "a[0][1]", "negative size"},
    {"NegativePrice",
     R"({"capture_ns":1,"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":1,"u":2,"b":[["1.5","2"],["-1.4","2"]],"a":[]}})",
     "b[1][0]", "negative price"},
    {"EmptyPrice",
     R"({"capture_ns":1,"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"","B":"1","a":"2","A":"1"}})",
     "b", "empty price"},
    {"EmptySize",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"p":"1","q":"","m":true}})",
     "q", "empty size"},
    {"JunkSize",
     R"({"capture_ns":1,"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":1,"u":2,"b":[["1.5","2x"]],"a":[]}})",
     "b[0][1]", "bad size"},
    {"MissingPrice",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"q":"1","m":true}})",
     "p", "missing field"},
    {"MissingUpdateId",
     R"({"capture_ns":1,"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":1,"b":[],"a":[]}})",
     "u", "missing field"},
    {"MissingCaptureTime",
     R"({"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"p":"1","q":"1","m":true}})",
     "capture_ns", "missing field"},
    {"MissingSymbol",
     R"({"capture_ns":1,"stream":"btcusdt@trade","data":{"e":"trade","E":2,"t":1,"p":"1","q":"1","m":true}})",
     "s", "missing field"},
};

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, FailsNamingFileLineAndFieldOrIsQuarantined) {
  const BadCase& c = GetParam();
  testing::TempDir dir;
  const fs::path path = dir.path() / "bad.jsonl";
  spit(path,
       std::string(kGolden[0]) + "\n" + kGolden[2] + "\n" + c.line + "\n" + kGolden[6] + "\n");
  {
    BinanceRawReader reader(path.string());
    Message m;
    ASSERT_TRUE(reader.next(&m));
    ASSERT_TRUE(reader.next(&m));
    try {
      reader.next(&m);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kBadInput);
      EXPECT_EQ(e.where().file, path.string());
      EXPECT_EQ(e.where().row, 3u);
      EXPECT_EQ(e.where().field, c.field);
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(path.string() + ":3: ", 0), 0u) << what;
      if (*c.field != '\0') {
        EXPECT_NE(what.find(std::string("field '") + c.field + "'"), std::string::npos) << what;
      }
    }
  }
  {
    BinanceRawReader reader(path.string(), {.on_bad_row = BadRowPolicy::kQuarantine});
    Message m;
    std::vector<uint64_t> rows;
    while (reader.next(&m)) rows.push_back(m.source_row);
    EXPECT_EQ(rows, (std::vector<uint64_t>{1, 2, 4}));
    ASSERT_EQ(reader.quarantine().reasons.size(), 1u);
    EXPECT_EQ(reader.quarantine().reasons[0].first, c.reason);
    EXPECT_EQ(reader.quarantine().reasons[0].second.count, 1u);
    EXPECT_NE(reader.quarantine().reasons[0].second.first_example.find(":3: "), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BadInput, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(BinanceRawReader, QuarantineCountsEachReason) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "hft.txt";
  std::string text;
  text +=
      R"(1000 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":1,"p":"1","q":"1","m":true}})"
      "\n";
  text +=
      R"(1001 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":2,"p":"nan","q":"1","m":true}})"
      "\n";
  text +=
      R"(1002 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":3,"p":"NaN","q":"1","m":true}})"
      "\n";
  text += "1003 {not json\n";
  text += "oops {}\n";
  text +=
      R"(1004 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":4,"p":"1","q":"-1","m":true}})"
      "\n";
  text +=
      R"(1005 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":5,"p":"1","q":"2","m":false}})"
      "\n";
  spit(path, text);
  BinanceRawReader reader(path.string(), {.on_bad_row = BadRowPolicy::kQuarantine});
  Message m;
  std::vector<std::string> ids;
  while (reader.next(&m)) ids.push_back(m.trade_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "5"}));
  const auto& q = reader.quarantine();
  EXPECT_EQ(q.total(), 5u);
  std::map<std::string, uint64_t> by_reason;
  for (const auto& [reason, entry] : q.reasons) by_reason[reason] = entry.count;
  EXPECT_EQ(by_reason, (std::map<std::string, uint64_t>{{"non-finite price", 2},
                                                        {"malformed JSON", 1},
                                                        {"bad local timestamp", 1},
                                                        {"negative size", 1}}));
  EXPECT_NE(q.reasons[0].second.first_example.find("hft.txt:2: field 'p'"), std::string::npos)
      << q.reasons[0].second.first_example;
}

// A fresh reader seeked to the position after message k gives exactly the messages an
// uninterrupted read gives after k (compared as their checkpoint bytes), with the same
// quarantine: hftbacktest files (spot, whose REST snapshots name no symbol, and USD-M) and a
// cryptofeed pair, whose REST sibling file is merged in by time.
TEST(BinanceRawReader, SeekingToAPositionGivesTheRestOfAnUninterruptedRead) {
  for (const auto& [name, stride] :
       {std::pair{"binance/hftbacktest/spot_btcusdt_20240808.gz", 4999},
        std::pair{"binance/hftbacktest/usdm_btcusdt_20240808.gz", 49999},
        std::pair{"binance/cryptofeed/BINANCE.ws.1.0", 97}}) {
    RLX_REQUIRE_DATA(path, name);
    auto bytes_of = [](const Message& m) {
      std::string b;
      BinaryWriter w(&b);
      save_message(w, m);
      return b;
    };
    std::vector<std::string> all;
    std::vector<std::pair<size_t, std::string>> positions;
    BinanceRawOptions options;
    options.on_bad_row = BadRowPolicy::kQuarantine;
    BinanceRawReader reader(path.string(), options);
    Message m;
    while (reader.next(&m)) {
      all.push_back(bytes_of(m));
      if (all.size() % stride == 1) {
        const std::shared_ptr<const ReaderPosition> position = reader.position();
        ASSERT_NE(position, nullptr);
        std::string b;
        BinaryWriter w(&b);
        position->save(w);
        positions.emplace_back(all.size(), b);
      }
    }
    ASSERT_GE(positions.size(), 2u) << name;
    for (const auto& [k, b] : positions) {
      BinanceRawReader fresh(path.string(), options);
      BinaryReader r(b);
      fresh.seek(r);
      size_t i = k;
      while (fresh.next(&m)) {
        ASSERT_LT(i, all.size()) << name;
        ASSERT_TRUE(bytes_of(m) == all[i]) << name << ": message " << i << " after a seek to " << k;
        ++i;
      }
      EXPECT_EQ(i, all.size()) << name;
      EXPECT_EQ(fresh.quarantine().total(), reader.quarantine().total()) << name;
    }
  }
}

}  // namespace
}  // namespace rlx::io
