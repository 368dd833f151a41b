#include "rlx/core/message.h"

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

}  // namespace rlx
