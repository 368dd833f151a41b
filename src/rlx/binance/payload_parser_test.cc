#include "rlx/binance/payload_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace rlx::binance {
namespace {

Decimal dec(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d)) << text;
  return d;
}

class PayloadParserTest : public ::testing::Test {
 protected:
  PayloadResult parse(std::string_view json, PayloadContext context = {}) {
    return parser_.parse(json, context, &m_);
  }
  PayloadParser parser_;
  Message m_;
};

TEST_F(PayloadParserTest, UsdmDiffInACombinedStreamEnvelope) {
  ASSERT_EQ(parse(R"({"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161600120,
    "T":1723161600118,"s":"BTCUSDT","U":5000,"u":5003,"pu":4999,
    "b":[["61737.60","0.000"],["61737.50","1.5"]],"a":[["61737.70","0"]]}})",
                  {.received_time = 42}),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.kind, MessageKind::kDelta);
  EXPECT_EQ(m_.market, Market::kUsdM);  // pu decides
  EXPECT_EQ(m_.exchange, "binance-futures");
  EXPECT_EQ(m_.symbol, "BTCUSDT");
  EXPECT_EQ(m_.origin_time, 1723161600120LL * 1'000'000);
  EXPECT_EQ(m_.received_time, 42);
  EXPECT_EQ(m_.first_update_id, 5000);
  EXPECT_EQ(m_.update_id, 5003);
  EXPECT_EQ(m_.prev_update_id, 4999);
  ASSERT_EQ(m_.levels.size(), 3u);
  EXPECT_EQ(m_.levels[0].side, Side::kBid);
  EXPECT_EQ(m_.levels[0].price, dec("61737.6"));
  EXPECT_TRUE(m_.levels[0].size.is_zero());
  EXPECT_EQ(m_.levels[2].side, Side::kAsk);
  EXPECT_TRUE(m_.levels[2].size.is_zero());
  EXPECT_EQ(parser_.learned_market(), Market::kUsdM);
}

TEST_F(PayloadParserTest, AsksBeforeBidsKeepBidsFirstInSourceOrder) {
  ASSERT_EQ(parse(R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,
    "a":[["2","1"],["3","1"]],"b":[["1","1"]]})"),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.market, Market::kSpot);  // a diff without pu
  ASSERT_EQ(m_.levels.size(), 3u);
  EXPECT_EQ(m_.levels[0].side, Side::kBid);
  EXPECT_EQ(m_.levels[1].price, dec("2"));
  EXPECT_EQ(m_.levels[2].price, dec("3"));
}

TEST_F(PayloadParserTest, GoldenLineTakesCaptureNsAndRequiresIt) {
  PayloadContext golden{.golden = true};
  ASSERT_EQ(parse(R"({"capture_ns":1700000000123456789,"stream":"btcusdt@trade","data":{"e":"trade",
    "E":1700000000100,"s":"BTCUSDT","t":77,"p":"37000.10","q":"0.5","T":1700000000099,"m":true,
    "M":true}})",
                  golden),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.kind, MessageKind::kTrade);
  EXPECT_EQ(m_.received_time, 1700000000123456789LL);
  EXPECT_EQ(m_.trade_id, "77");
  EXPECT_EQ(m_.side, Side::kSell);  // the buyer was the maker
  EXPECT_EQ(m_.price, dec("37000.1"));
  EXPECT_EQ(m_.market, Market::kSpot);  // M present: spot's trade shape

  ASSERT_EQ(parse(R"({"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,
    "p":"1","q":"1","m":false}})",
                  golden),
            PayloadResult::kBad);
  EXPECT_EQ(parser_.problem().field, "capture_ns");
}

TEST_F(PayloadParserTest, RestSnapshotSymbolFromUrlBodyStreamOrNone) {
  const char* body = R"({"lastUpdateId":99,"bids":[["1.0","2"]],"asks":[["1.1","3"]]})";
  ASSERT_EQ(
      parse(body, {.url = "https://fapi.binance.com/fapi/v1/depth?symbol=ETHUSDT&limit=1000"}),
      PayloadResult::kMessage);
  EXPECT_EQ(m_.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m_.symbol, "ETHUSDT");
  EXPECT_EQ(m_.market, Market::kUsdM);  // the url's host
  EXPECT_EQ(m_.update_id, 99);
  EXPECT_STREQ(parser_.symbol_field(), "symbol");

  ASSERT_EQ(parse(R"({"lastUpdateId":5,"E":1,"T":1,"symbol":"BTCUSD_PERP","pair":"BTCUSD",
    "bids":[],"asks":[]})"),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.symbol, "BTCUSD_PERP");
  EXPECT_EQ(m_.market, Market::kCoinM);

  ASSERT_EQ(
      parse(std::string(R"({"capture_ns":1,"stream":"solusdt@depthSnapshot","data":)") + body + "}",
            {.market = Market::kSpot, .golden = true}),
      PayloadResult::kMessage);
  EXPECT_EQ(m_.symbol, "SOLUSDT");
  EXPECT_EQ(m_.market, Market::kSpot);

  ASSERT_EQ(parse(body, {.market = Market::kSpot}), PayloadResult::kMessage);
  EXPECT_TRUE(m_.symbol.empty());  // the caller knows it from context
}

TEST_F(PayloadParserTest, BookTickerAndAggTrade) {
  ASSERT_EQ(parse(R"({"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BNBUSDT",
    "b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}})"),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.kind, MessageKind::kTicker);
  ASSERT_EQ(m_.levels.size(), 2u);
  EXPECT_EQ(m_.levels[1].price, dec("25.3652"));
  ASSERT_EQ(parse(R"({"e":"aggTrade","E":1,"s":"BTCUSDT","a":26129,"p":"0.01633102",
    "q":"4.70443515","f":100,"l":105,"T":1,"m":false})"),
            PayloadResult::kMessage);
  EXPECT_EQ(m_.trade_id, "26129");
  EXPECT_EQ(m_.side, Side::kBuy);
}

TEST_F(PayloadParserTest, OtherStreamsAreUnsupportedAndNamed) {
  EXPECT_EQ(parse(R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT"}})"),
            PayloadResult::kUnsupported);
  EXPECT_EQ(parser_.problem().reason, "unsupported stream kline_1m");
  EXPECT_EQ(parse(R"({"e":"serverShutdown","E":1})"), PayloadResult::kUnsupported);
  EXPECT_EQ(parser_.problem().reason, "unsupported event serverShutdown");
}

TEST_F(PayloadParserTest, BadPayloadsNameTheFieldAndKeepTheParserUsable) {
  struct Case {
    const char* json;
    const char* reason;
    const char* field;
  };
  const Case cases[] = {
      {R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[["NaN","1"]],"a":[]})",
       "non-finite price", "b[0][0]"},
      {R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[],"a":[["1","-2"]]})", "negative size",
       "a[0][1]"},
      {R"({"e":"depthUpdate","E":1,"s":"X","U":"x","u":2,"b":[],"a":[]})", "bad integer", "U"},
      {R"({"e":"depthUpdate","E":1,"s":"X","u":2,"b":[],"a":[]})", "missing field", "U"},
      // Found by the fuzzer: E in ns overflowed int64 (ms past the year 2262, or negative).
      {R"({"e":"bookTicker","s":"X","u":1,"b":"1","B":"1","a":"1","A":"1","E":17233161258702000})",
       "bad event time", "E"},
      {R"({"e":"depthUpdate","E":-9223372036854775807,"s":"X","U":1,"u":2,"b":[],"a":[]})",
       "bad event time", "E"},
      {R"({"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1"})", "missing field", "m"},
      {R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[["1"]],"a":[]})", "missing field",
       "b[0]"},
      {R"({"e":"depthUpdate",)", "malformed JSON", ""},
      {R"({"e":"trade"} trailing)", "malformed JSON", ""},
      {R"([1,2])", "malformed JSON", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse(c.json), PayloadResult::kBad) << c.json;
    EXPECT_EQ(parser_.problem().reason, c.reason) << c.json;
    EXPECT_EQ(parser_.problem().field, c.field) << c.json;
  }
  // After any of them the next good payload parses.
  ASSERT_EQ(parse(R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[],"a":[]})"),
            PayloadResult::kMessage);
  EXPECT_TRUE(m_.levels.empty());
}

TEST(MarketFromUrl, HostsOfEachVenue) {
  EXPECT_EQ(market_from_url("wss://fstream.binance.com/public/stream?streams=a"), Market::kUsdM);
  EXPECT_EQ(market_from_url("https://dapi.binance.com/dapi/v1/depth"), Market::kCoinM);
  EXPECT_EQ(market_from_url("wss://stream.binance.com:9443/stream"), Market::kSpot);
  EXPECT_EQ(market_from_url("wss://127.0.0.1:9443/stream"), Market::kUnknown);
  EXPECT_STREQ(exchange_name(Market::kCoinM), "binance-delivery");
}

}  // namespace
}  // namespace rlx::binance
