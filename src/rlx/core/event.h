// The unified event: one output row before enrichment. Book messages become one Event per
// level; the enrichment columns (best bid/ask, top-N) are read from the book by the sink.
#pragma once

#include <cstdint>
#include <string>

#include "rlx/core/decimal.h"
#include "rlx/core/message.h"

namespace rlx {

enum class EventType : uint8_t { kTrade = 0, kBookSnapshot = 1, kBookDelta = 2 };
const char* event_type_name(EventType type);  // "TRADE", "BOOK_SNAPSHOT", "BOOK_DELTA"

// Bits of the `flags` column (docs/SCHEMA.md).
namespace event_flags {
inline constexpr uint32_t kGap = 1u << 0;         // a sequence gap was detected at this event
inline constexpr uint32_t kResync = 1u << 1;      // this snapshot resynchronised the book
inline constexpr uint32_t kCrossed = 1u << 2;     // the book is crossed after this event
inline constexpr uint32_t kOutOfOrder = 1u << 3;  // time went backwards within its source
inline constexpr uint32_t kUnsynced = 1u << 4;    // the book is not known to be exact
}  // namespace event_flags

struct Event {
  int64_t event_seq = 0;
  EventType type = EventType::kTrade;
  int64_t origin_time = kNull;
  int64_t received_time = kNull;
  int64_t update_id = kNull;
  int64_t first_update_id = kNull;
  int64_t prev_update_id = kNull;
  std::string trade_id;  // empty: NULL
  Side side = Side::kNone;
  Decimal price;
  Decimal size;
  bool last_in_message = true;
  uint32_t flags = 0;
};

}  // namespace rlx
