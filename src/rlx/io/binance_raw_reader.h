// Reader for raw Binance captures (spot, USD-M and COIN-M), in the three line formats of
// docs/INPUTS.md: hftbacktest (`<local ns> <json>`), cryptofeed (`X.ws.1.0` plus its sibling
// `X.http.0.0` REST snapshots) and rlx golden samples (`{"capture_ns":..,"stream":..,"data":..}`).
// Golden-sample lines are `{"capture_ns":<local ns>,"stream":"<symbol>@<stream>","data":{..}}`;
// a REST depth snapshot among them is a line whose data is the REST body (has lastUpdateId),
// e.g. `{"capture_ns":..,"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":..,"bids":..,
// "asks":..}}`: its symbol is data.symbol if present, else the stream name before '@'.
// Files may be plain, gzip or zstd. Depth diffs, trades, aggTrades, bookTickers and REST depth
// snapshots become rlx::Message; any other stream (kline, ...) is counted in quarantine().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rlx/binance/capture_line.h"
#include "rlx/core/message.h"
#include "rlx/io/line_source.h"
#include "rlx/io/reader.h"

namespace rlx::io {

struct BinanceRawOptions {
  BadRowPolicy on_bad_row = BadRowPolicy::kFail;
  std::vector<std::string> symbols;  // empty: all; else only these (upper case; globs)
  Market market = Market::kUnknown;  // kUnknown: detect from the url host or the fields
  bool emit_tickers = true;          // bookTicker -> MessageKind::kTicker
  uint32_t source = 0;               // copied into Message::source
  // A row whose symbol cannot name an output folder (core/message.h) is a bad row (field s).
  // false: it passes through, for a caller that fails that symbol alone (the router).
  bool check_names = true;
};

using BinanceFormat = binance::CaptureFormat;

class BinanceRawReader : public MessageReader {
 public:
  // Opens `path` (and, for a cryptofeed `X.ws.1.0`, its sibling `X.http.0.0` if present) and
  // detects the line format from the first non-empty line. Throws rlx::Error(kBadInput).
  explicit BinanceRawReader(const std::string& path, const BinanceRawOptions& options = {});
  // Reads `lines` (a live feed, io/line_source.h) of a known format: no sibling REST file, and a
  // snapshot without a symbol must follow a message that names one.
  BinanceRawReader(std::unique_ptr<LineSource> lines, BinanceFormat format,
                   const BinanceRawOptions& options = {});
  ~BinanceRawReader() override;
  BinanceRawReader(const BinanceRawReader&) = delete;
  BinanceRawReader& operator=(const BinanceRawReader&) = delete;

  bool next(Message* out) override;
  const Quarantine& quarantine() const override;
  // Seekable when it reads files (not a live feed): each file's line position, the symbol
  // bookkeeping, the market learned so far and the quarantine.
  std::shared_ptr<const ReaderPosition> position() const override;
  void seek(BinaryReader& saved) override;

  BinanceFormat format() const;
  // The market the file was detected as so far (kUnknown before the first message).
  Market market() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "binance", "binance-futures", "binance-delivery" ("binance" for kUnknown).
const char* binance_exchange_name(Market market);

}  // namespace rlx::io
