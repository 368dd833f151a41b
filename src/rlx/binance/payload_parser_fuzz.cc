// libFuzzer target: PayloadParser::parse over arbitrary bytes, under every market and container
// it meets (bare event, REST body with its url, combined-stream envelope, golden line). It must
// return a status for anything, never throw or crash, and a message it returns must be whole.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rlx/binance/payload_parser.h"
#include "rlx/testing/fuzz.h"

namespace {

using rlx::Market;
using rlx::Message;
using rlx::MessageKind;
using rlx::Side;
using rlx::binance::PayloadContext;
using rlx::binance::PayloadParser;
using rlx::binance::PayloadResult;

// One parser sees the input under each context in turn, as a reader or capture would see a
// stream of payloads: the market it learns from one carries over to the next.
constexpr PayloadContext kContexts[] = {
    {},
    {.golden = true},
    {.market = Market::kSpot, .received_time = 1},
    {.market = Market::kUsdM, .golden = true},
    {.market = Market::kCoinM},
    {.url = "https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000"},
    {.url = "https://fapi.binance.com/fapi/v1/depth?limit=1000&symbol=ETHUSDT", .golden = true},
    {.url = "https://dapi.binance.com/dapi/v1/depth?symbol=BTCUSD_PERP"},
    {.url = "wss://fstream.binance.com/public/stream?streams=btcusdt@depth@0ms"},
    {.url = "http://127.0.0.1:8443/api/v3/depth?symbol="},
};

void check_message(const Message& m, const PayloadContext& context) {
  RLX_FUZZ_CHECK(m.market != Market::kUnknown);
  RLX_FUZZ_CHECK(!m.exchange.empty());
  if (context.market != Market::kUnknown) RLX_FUZZ_CHECK(m.market == context.market);
  // Only a REST snapshot may leave its symbol to the caller.
  if (m.kind != MessageKind::kSnapshot) RLX_FUZZ_CHECK(!m.symbol.empty());
  for (char c : m.symbol) RLX_FUZZ_CHECK(!(c >= 'a' && c <= 'z'));
  for (const auto& level : m.levels) {
    RLX_FUZZ_CHECK(level.side == Side::kBid || level.side == Side::kAsk);
    RLX_FUZZ_CHECK(!level.price.is_negative() && !level.size.is_negative());
  }
  switch (m.kind) {
    case MessageKind::kDelta:
      RLX_FUZZ_CHECK(m.first_update_id != rlx::kNull && m.update_id != rlx::kNull);
      RLX_FUZZ_CHECK(m.origin_time != rlx::kNull);
      break;
    case MessageKind::kSnapshot:
      RLX_FUZZ_CHECK(m.update_id != rlx::kNull);
      break;
    case MessageKind::kTrade:
      RLX_FUZZ_CHECK(!m.trade_id.empty());
      RLX_FUZZ_CHECK(m.side == Side::kBuy || m.side == Side::kSell);
      RLX_FUZZ_CHECK(!m.price.is_negative() && !m.size.is_negative());
      RLX_FUZZ_CHECK(m.origin_time != rlx::kNull);
      break;
    case MessageKind::kTicker:
      RLX_FUZZ_CHECK(m.levels.size() == 2 && m.update_id != rlx::kNull);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  PayloadParser parser;
  Message message;
  for (const PayloadContext& context : kContexts) {
    switch (parser.parse(json, context, &message)) {
      case PayloadResult::kMessage:
        check_message(message, context);
        break;
      case PayloadResult::kUnsupported:
      case PayloadResult::kBad:
        RLX_FUZZ_CHECK(!parser.problem().reason.empty() && !parser.problem().what.empty());
        break;
    }
  }
  return 0;
}
