// Binance's venues as capture meets them (../shared/BINANCE-LIVE.md, as of 2026): endpoints,
// which WebSocket path serves which stream, connection and request limits, snapshot depth and
// weight.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/message.h"

namespace rlx::binance {

struct Venue {
  Market market = Market::kSpot;
  std::string ws_base;                // "wss://stream.binance.com:9443"
  std::string rest_base;              // "https://api.binance.com"
  std::string depth_path;             // "/api/v3/depth"
  uint32_t snapshot_limit = 1000;     // levels asked for
  uint32_t weight_per_minute = 6000;  // REST request weight budget per IP
  uint32_t max_streams_per_connection = 1024;
  uint32_t max_messages_per_second = 5;  // messages a client may send on one connection
  uint32_t ping_interval_s = 20;         // the server's pings; pong within pong_timeout_s
  uint32_t pong_timeout_s = 60;
  uint32_t max_connection_s = 24 * 3600;

  // REST weight of one depth request of `limit` levels.
  uint32_t depth_weight(uint32_t limit) const;
  // WebSocket path for a stream ("btcusdt@depth@100ms"): USD-M serves depth and bookTicker on
  // /public and trades on /market since 2026-04-23; spot and COIN-M serve all on /stream.
  std::string path_for(std::string_view stream) const;
};

// The venue's own endpoints and limits.
Venue venue_for(Market market);
// Binance spells symbols in upper case ("BTCUSDT") and stream names in lower case
// ("btcusdt@depth@100ms"): the one place that converts between them.
void to_upper(std::string_view in, std::string* out);
// "btcusdt@depth@100ms" -> "BTCUSDT".
std::string symbol_of_stream(std::string_view stream);
// ("BTCUSDT", "depth@100ms") -> "btcusdt@depth@100ms".
std::string stream_name(std::string_view symbol, std::string_view type);

// "spot", "usdm", "coinm" -> market; false for anything else.
bool parse_market(std::string_view text, Market* out);

// One WebSocket connection of a capture: its path and the streams it subscribes to.
struct ConnectionPlan {
  std::string path;
  std::vector<std::string> streams;
};

// Streams for each symbol (lower case) grouped by path, split so no connection carries more
// than `max_streams` (0: the venue's limit).
std::vector<ConnectionPlan> plan_connections(const Venue& venue,
                                             const std::vector<std::string>& symbols,
                                             const std::vector<std::string>& stream_types,
                                             uint32_t max_streams);

}  // namespace rlx::binance
