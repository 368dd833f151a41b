// A minimal loader of the hftbacktest Binance captures (gzip, `<local ns> <json>` per line) for
// the book's benchmark and real-data test, written while rlx::io::BinanceRawReader did not exist
// yet. It understands depthUpdate, the REST snapshot, trade and bookTicker frames, nothing else,
// and trusts its input (these are fixed fixtures). Not part of the library.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/decimal.h"
#include "rlx/core/message.h"

namespace rlx::book::internal {

inline size_t find_key(std::string_view json, std::string_view key, size_t from = 0) {
  const size_t p = json.find(key, from);
  return p == std::string_view::npos ? p : p + key.size();
}

inline int64_t int_at(std::string_view json, std::string_view key) {
  const size_t p = find_key(json, key);
  if (p == std::string_view::npos) return kNull;
  return std::strtoll(json.data() + p, nullptr, 10);
}

inline Decimal decimal_from(std::string_view text) {
  Decimal d;
  if (!Decimal::parse(text, &d)) throw std::runtime_error("bad decimal: " + std::string(text));
  return d;
}

// The quoted string after `key` (which ends with ':').
inline std::string_view string_at(std::string_view json, std::string_view key) {
  size_t p = find_key(json, key);
  if (p == std::string_view::npos || json[p] != '"') return {};
  const size_t end = json.find('"', p + 1);
  return json.substr(p + 1, end - p - 1);
}

// [["p","q"],...] after `key`, appended as levels of `side`.
inline void levels_at(std::string_view json, std::string_view key, Side side,
                      std::vector<LevelUpdate>* out) {
  size_t p = find_key(json, key);
  if (p == std::string_view::npos) return;
  ++p;  // '['
  while (json[p] == '[') {
    const size_t p1 = json.find('"', p);
    const size_t p2 = json.find('"', p1 + 1);
    const size_t q1 = json.find('"', p2 + 1);
    const size_t q2 = json.find('"', q1 + 1);
    out->push_back(LevelUpdate{side, decimal_from(json.substr(p1 + 1, p2 - p1 - 1)),
                               decimal_from(json.substr(q1 + 1, q2 - q1 - 1))});
    p = q2 + 2;  // past "]
    if (json[p] == ',') ++p;
  }
}

// Parses one line; false for frames it does not know.
inline bool parse_hftbacktest_line(std::string_view line, Message* m) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view json = line.substr(space + 1);
  *m = Message{};
  m->received_time = std::strtoll(line.data(), nullptr, 10);
  if (json.find("\"lastUpdateId\":") != std::string_view::npos) {
    m->kind = MessageKind::kSnapshot;
    m->update_id = int_at(json, "\"lastUpdateId\":");
    levels_at(json, "\"bids\":", Side::kBid, &m->levels);
    levels_at(json, "\"asks\":", Side::kAsk, &m->levels);
    return true;
  }
  if (json.find("\"e\":\"depthUpdate\"") != std::string_view::npos) {
    m->kind = MessageKind::kDelta;
    m->origin_time = int_at(json, "\"E\":") * 1000000;
    m->first_update_id = int_at(json, "\"U\":");
    m->update_id = int_at(json, "\"u\":");
    m->prev_update_id = int_at(json, "\"pu\":");
    levels_at(json, "\"b\":", Side::kBid, &m->levels);
    levels_at(json, "\"a\":", Side::kAsk, &m->levels);
    return true;
  }
  if (json.find("\"e\":\"trade\"") != std::string_view::npos) {
    m->kind = MessageKind::kTrade;
    m->origin_time = int_at(json, "\"E\":") * 1000000;
    m->trade_id = std::to_string(int_at(json, "\"t\":"));
    m->price = decimal_from(string_at(json, "\"p\":"));
    m->size = decimal_from(string_at(json, "\"q\":"));
    m->side = json.find("\"m\":true") != std::string_view::npos ? Side::kSell : Side::kBuy;
    return true;
  }
  if (json.find("@bookTicker\"") != std::string_view::npos) {
    m->kind = MessageKind::kTicker;
    m->update_id = int_at(json, "\"u\":");
    m->levels.push_back(LevelUpdate{Side::kBid, decimal_from(string_at(json, "\"b\":")),
                                    decimal_from(string_at(json, "\"B\":"))});
    m->levels.push_back(LevelUpdate{Side::kAsk, decimal_from(string_at(json, "\"a\":")),
                                    decimal_from(string_at(json, "\"A\":"))});
    return true;
  }
  return false;
}

// Every message of a capture file, in file order.
inline std::vector<Message> load_hftbacktest(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<Message> out;
  std::string line;
  char buf[1 << 16];
  Message m;
  while (true) {
    line.clear();
    bool got = false;
    while (gzgets(f, buf, sizeof(buf)) != nullptr) {
      got = true;
      line += buf;
      if (!line.empty() && line.back() == '\n') break;
    }
    if (!got) break;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (parse_hftbacktest_line(line, &m)) out.push_back(std::move(m));
  }
  gzclose(f);
  return out;
}

}  // namespace rlx::book::internal
