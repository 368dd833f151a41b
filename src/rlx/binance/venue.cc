#include "rlx/binance/venue.h"

#include <map>

namespace rlx::binance {

uint32_t Venue::depth_weight(uint32_t limit) const {
  if (market == Market::kSpot) {
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

std::string Venue::path_for(std::string_view stream) const {
  if (market != Market::kUsdM) return "/stream";
  const size_t at = stream.find('@');
  const std::string_view type = at == std::string_view::npos ? stream : stream.substr(at + 1);
  if (type.substr(0, 5) == "depth" || type == "bookTicker") return "/public/stream";
  return "/market/stream";
}

Venue venue_for(Market market) {
  Venue v;
  v.market = market;
  switch (market) {
    case Market::kUsdM:
      v.ws_base = "wss://fstream.binance.com";
      v.rest_base = "https://fapi.binance.com";
      v.depth_path = "/fapi/v1/depth";
      v.weight_per_minute = 2400;
      v.max_messages_per_second = 10;
      v.ping_interval_s = 180;
      v.pong_timeout_s = 600;
      break;
    case Market::kCoinM:
      v.ws_base = "wss://dstream.binance.com";
      v.rest_base = "https://dapi.binance.com";
      v.depth_path = "/dapi/v1/depth";
      v.weight_per_minute = 2400;
      v.max_messages_per_second = 10;
      v.ping_interval_s = 180;
      v.pong_timeout_s = 600;
      break;
    case Market::kSpot:
    case Market::kUnknown:
      v.market = Market::kSpot;
      v.ws_base = "wss://stream.binance.com:9443";
      v.rest_base = "https://api.binance.com";
      v.depth_path = "/api/v3/depth";
      v.snapshot_limit = 5000;
      break;
  }
  return v;
}

void to_upper(std::string_view in, std::string* out) {
  out->resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    (*out)[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
}

std::string symbol_of_stream(std::string_view stream) {
  std::string out;
  to_upper(stream.substr(0, stream.find('@')), &out);
  return out;
}

std::string stream_name(std::string_view symbol, std::string_view type) {
  std::string out(symbol);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  out.append("@").append(type);
  return out;
}

bool parse_market(std::string_view text, Market* out) {
  if (text == "spot") {
    *out = Market::kSpot;
  } else if (text == "usdm") {
    *out = Market::kUsdM;
  } else if (text == "coinm") {
    *out = Market::kCoinM;
  } else {
    return false;
  }
  return true;
}

std::vector<ConnectionPlan> plan_connections(const Venue& venue,
                                             const std::vector<std::string>& symbols,
                                             const std::vector<std::string>& stream_types,
                                             uint32_t max_streams) {
  if (max_streams == 0 || max_streams > venue.max_streams_per_connection) {
    max_streams = venue.max_streams_per_connection;
  }
  std::map<std::string, std::vector<std::string>> by_path;  // deterministic order
  for (const auto& symbol : symbols) {
    for (const auto& type : stream_types) {
      std::string stream = stream_name(symbol, type);
      by_path[venue.path_for(stream)].push_back(std::move(stream));
    }
  }
  std::vector<ConnectionPlan> out;
  for (auto& [path, streams] : by_path) {
    for (size_t i = 0; i < streams.size(); i += max_streams) {
      ConnectionPlan plan;
      plan.path = path;
      const size_t end = std::min(streams.size(), i + max_streams);
      plan.streams.assign(streams.begin() + static_cast<std::ptrdiff_t>(i),
                          streams.begin() + static_cast<std::ptrdiff_t>(end));
      out.push_back(std::move(plan));
    }
  }
  return out;
}

}  // namespace rlx::binance
