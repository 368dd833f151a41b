// One Binance JSON payload in, one rlx::Message out: the parser shared by the file reader
// (io/binance_raw_reader.h) and live capture (live/), so a capture's live book and a later
// `rlx reconstruct` of its record cannot disagree.
//
// A payload is a bare event or REST body (`{"e":"depthUpdate",..}`, `{"lastUpdateId":..}`), a
// combined-stream envelope `{"stream":"btcusdt@depth","data":{..}}`, or a golden-sample line
// `{"capture_ns":..,"stream":..,"data":{..}}`. Depth diffs, trades, aggTrades, bookTickers and
// REST depth snapshots become messages; other streams (kline, ...) are reported unsupported.
// Prices and sizes are parsed exactly (no floating point); zero may be written any way ("0",
// "0.00000000").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rlx/core/message.h"

namespace rlx::binance {

// "binance", "binance-futures", "binance-delivery" ("binance" for kUnknown).
const char* exchange_name(Market market);
// Market from a Binance host name in a ws or REST url (fstream/fapi, dstream/dapi, else spot);
// kUnknown when the host is not Binance's.
Market market_from_url(std::string_view url);

// What the payload's container says about it.
struct PayloadContext {
  // REST request url: its `symbol=` names a snapshot's symbol, its host the market.
  std::string_view url;
  // The market when known (an option, the connection's host); kUnknown: from the url, else
  // from the fields, remembered by the parser once a field decides it.
  Market market = Market::kUnknown;
  int64_t received_time = kNull;  // local receive ns; a golden line's capture_ns replaces it
  bool golden = false;            // a golden-sample line: capture_ns is required
};

// Why a payload gave no message: the quarantine category, the JSON field, the detail.
struct PayloadProblem {
  std::string reason;
  std::string field;
  std::string what;
};

enum class PayloadResult : uint8_t {
  kMessage,      // *out holds the message
  kUnsupported,  // a stream or event rlx does not use; problem().reason names it
  kBad,          // malformed or untrustworthy; problem() says where and why
};

class PayloadParser {
 public:
  PayloadParser();
  ~PayloadParser();
  PayloadParser(const PayloadParser&) = delete;
  PayloadParser& operator=(const PayloadParser&) = delete;

  // Parses `json` into *out (its buffers reused). A REST snapshot that names no symbol (in its
  // body, url or stream) leaves out->symbol empty: the caller knows it from the context.
  PayloadResult parse(std::string_view json, const PayloadContext& context, Message* out);
  const PayloadProblem& problem() const;
  // The JSON field the last message's symbol came from ("s", or "symbol" for REST snapshots).
  const char* symbol_field() const;
  // The market learned from the fields so far (kUnknown until one decided it).
  Market learned_market() const;
  // Gives a resumed reader back what the fields had decided (io::BinanceRawReader::seek).
  void set_learned_market(Market market);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::binance
