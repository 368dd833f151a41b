// The normalised exchange message every reader produces and the replayer consumes: one trade,
// one depth diff, one snapshot, or one best-bid/ask ticker, with where it came from.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/decimal.h"

namespace rlx {

class BinaryWriter;
class BinaryReader;

// An absent id/time in a message and a NULL in the output.
inline constexpr int64_t kNull = std::numeric_limits<int64_t>::min();

// Book sides and trade aggressor sides share one enum because both go into the `side` column.
enum class Side : uint8_t { kNone = 0, kBid = 1, kAsk = 2, kBuy = 3, kSell = 4 };
const char* side_name(Side side);  // "", "bid", "ask", "buy", "sell"

enum class MessageKind : uint8_t {
  kTrade = 0,
  kSnapshot = 1,  // full (or top-N partial) book; replaces the book
  kDelta = 2,     // absolute sizes per level; size 0 deletes
  kTicker = 3,    // exchange's own best bid/ask (Binance bookTicker): a check, never output
};

enum class Market : uint8_t { kUnknown = 0, kSpot = 1, kUsdM = 2, kCoinM = 3 };

// One price level of a book side.
struct Level {
  Decimal price;
  Decimal size;
};

// One level as a message carries it: which side, which price, the new absolute size.
struct LevelUpdate {
  Side side = Side::kNone;
  Decimal price;
  Decimal size;
};

struct Message {
  MessageKind kind = MessageKind::kTrade;
  Market market = Market::kUnknown;
  std::string exchange;  // "binance", "binance-futures", "binance-delivery", Lake/Tardis name
  std::string symbol;    // upper case, as the exchange spells it
  int64_t origin_time = kNull;      // exchange event time, ns since epoch
  int64_t received_time = kNull;    // local capture time, ns since epoch
  int64_t update_id = kNull;        // Binance u / lastUpdateId; Lake sequence_number
  int64_t first_update_id = kNull;  // Binance U
  int64_t prev_update_id = kNull;   // Binance pu (futures)
  std::string trade_id;
  Side side = Side::kNone;          // trade: aggressor (kBuy/kSell)
  Decimal price;                    // trade price
  Decimal size;                     // trade quantity
  std::vector<LevelUpdate> levels;  // snapshot/delta levels in source order; ticker: bid, ask
  uint32_t source = 0;              // index of the input this came from
  uint64_t source_row = 0;          // 1-based line/row in that input where the message starts

  // Every field back to its default, keeping the capacity of the strings and of `levels`
  // (readers reuse one Message per call).
  void reset() {
    kind = MessageKind::kTrade;
    market = Market::kUnknown;
    exchange.clear();
    symbol.clear();
    origin_time = received_time = update_id = first_update_id = prev_update_id = kNull;
    trade_id.clear();
    side = Side::kNone;
    price = size = Decimal();
    levels.clear();
    source = 0;
    source_row = 0;
  }
};

// Every field of a Message, exactly (checkpoints: the pre-snapshot buffer of a BookEngine).
// load_message overwrites *out, reusing its buffers; a bad enum value or a short read throws
// rlx::Error(kInternal) (core/binary_io.h).
// Whether `name` can be an exchange or symbol: both become path components of the output
// (`exchange=E/symbol=S/`, the worker state folders), so 1 to 64 bytes of letters, digits, '.',
// '_', '-' or non-ASCII UTF-8 characters, and not "." or "..". Readers treat any other as a bad
// row (field named).
bool valid_partition_name(std::string_view name);
// "symbol 'A/B' cannot name an output folder: ..." (the name shown printable, cut at 80 bytes).
std::string partition_name_error(std::string_view what, std::string_view name);

void save_message(BinaryWriter& writer, const Message& message);
void load_message(BinaryReader& reader, Message* out);

}  // namespace rlx
