#include "rlx/core/message.h"

#include "rlx/core/binary_io.h"
#include "rlx/core/event.h"

namespace rlx {

const char* side_name(Side side) {
  switch (side) {
    case Side::kBid:
      return "bid";
    case Side::kAsk:
      return "ask";
    case Side::kBuy:
      return "buy";
    case Side::kSell:
      return "sell";
    case Side::kNone:
      break;
  }
  return "";
}

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::kTrade:
      return "TRADE";
    case EventType::kBookSnapshot:
      return "BOOK_SNAPSHOT";
    case EventType::kBookDelta:
      return "BOOK_DELTA";
  }
  return "";
}

bool valid_partition_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  const auto* p = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '_' || c == '-') {
      ++i;
      continue;
    }
    // A well-formed UTF-8 character (real symbols have them: Binance's 币安人生USDT).
    size_t more = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
    if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) lo = 0xa0;  // no overlong forms
      if (c == 0xed) hi = 0x9f;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;  // ASCII punctuation, space, control characters, stray bytes
    }
    if (i + more >= n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k <= more; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
    }
    i += more + 1;
  }
  return true;
}

std::string partition_name_error(std::string_view what, std::string_view name) {
  std::string shown;
  for (const char c : name.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f) {
      shown += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      shown += "\\x";
      shown += kHex[u >> 4];
      shown += kHex[u & 0xf];
    }
  }
  if (name.size() > 80) shown += "...";
  return std::string(what) + " '" + shown +
         "' cannot name an output folder: an exchange or symbol must be 1 to 64 bytes of letters, "
         "digits, '.', '_', '-' or non-ASCII UTF-8 characters, and not '.' or '..'";
}

void save_message(BinaryWriter& w, const Message& m) {
  w.u8(static_cast<uint8_t>(m.kind));
  w.u8(static_cast<uint8_t>(m.market));
  w.str(m.exchange);
  w.str(m.symbol);
  w.i64(m.origin_time);
  w.i64(m.received_time);
  w.i64(m.update_id);
  w.i64(m.first_update_id);
  w.i64(m.prev_update_id);
  w.str(m.trade_id);
  w.u8(static_cast<uint8_t>(m.side));
  w.decimal(m.price);
  w.decimal(m.size);
  w.u64(m.levels.size());
  for (const LevelUpdate& l : m.levels) {
    w.u8(static_cast<uint8_t>(l.side));
    w.decimal(l.price);
    w.decimal(l.size);
  }
  w.u32(m.source);
  w.u64(m.source_row);
}

void load_message(BinaryReader& r, Message* out) {
  Message& m = *out;
  m.kind = r.enumeration("Message.kind", MessageKind::kTicker);
  m.market = r.enumeration("Message.market", Market::kCoinM);
  m.exchange = r.str("Message.exchange");
  m.symbol = r.str("Message.symbol");
  m.origin_time = r.i64("Message.origin_time");
  m.received_time = r.i64("Message.received_time");
  m.update_id = r.i64("Message.update_id");
  m.first_update_id = r.i64("Message.first_update_id");
  m.prev_update_id = r.i64("Message.prev_update_id");
  m.trade_id = r.str("Message.trade_id");
  m.side = r.enumeration("Message.side", Side::kSell);
  m.price = r.decimal("Message.price");
  m.size = r.decimal("Message.size");
  m.levels.resize(r.count("Message.levels", 33));
  for (LevelUpdate& l : m.levels) {
    l.side = r.enumeration("LevelUpdate.side", Side::kSell);
    l.price = r.decimal("LevelUpdate.price");
    l.size = r.decimal("LevelUpdate.size");
  }
  m.source = r.u32("Message.source");
  m.source_row = r.u64("Message.source_row");
}

}  // namespace rlx
