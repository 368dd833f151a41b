#include "rlx/env/market_tape.h"

#include <memory>

#include "rlx/api/reader.h"
#include "rlx/core/error.h"

namespace rlx::env {

uint32_t MarketTape::add_frame(const std::vector<Level>& bids, const std::vector<Level>& asks) {
  const uint32_t f = frames();
  levels.insert(levels.end(), bids.begin(), bids.end());
  levels.insert(levels.end(), asks.begin(), asks.end());
  return f;
}

namespace {

// The output's top_n: how many bid_<i>_price columns it has.
int32_t output_depth(const std::vector<Column>& schema) {
  int32_t n = 0;
  while (true) {
    const std::string name = "bid_" + std::to_string(n) + "_price";
    bool found = false;
    for (const Column& c : schema) found = found || c.name == name;
    if (!found) return n;
    ++n;
  }
}

std::vector<std::string> tape_columns(int32_t depth) {
  std::vector<std::string> cols = {"event_type", "origin_time", "side",
                                   "price",      "size",        "last_in_message"};
  for (const char* side : {"bid", "ask"}) {
    for (int32_t i = 0; i < depth; ++i) {
      cols.push_back(std::string(side) + "_" + std::to_string(i) + "_price");
      cols.push_back(std::string(side) + "_" + std::to_string(i) + "_size");
    }
  }
  return cols;
}

// tape_columns' order: the book's columns start here, bid levels then ask levels.
constexpr size_t kFirstLevelColumn = 6;

// The top-N book of row `r` (bids and asks hold depth levels each; a NULL level is empty).
void book_of(const ColumnBatch& b, size_t r, std::vector<Level>* bids, std::vector<Level>* asks) {
  const size_t depth = bids->size();
  auto level = [&](size_t k) {  // k: the level's index over bids then asks
    const Column& price = b.columns[kFirstLevelColumn + 2 * k];
    const Column& size = b.columns[kFirstLevelColumn + 2 * k + 1];
    return price.is_null(r)
               ? Level{}
               : Level{Decimal::from_raw(price.decimals[r]), Decimal::from_raw(size.decimals[r])};
  };
  for (size_t i = 0; i < depth; ++i) {
    (*bids)[i] = level(i);
    (*asks)[i] = level(depth + i);
  }
}

void check(const Status& s) {
  if (!s.ok()) throw Error(s.code(), s.where(), s.message());
}

}  // namespace

MarketTape load_tape(const std::filesystem::path& out_dir, const TapeOptions& options) {
  ReadOptions ro;
  if (!options.symbol.empty()) ro.symbols = {options.symbol};
  ro.start_ns = options.start_ns;
  ro.end_ns = options.end_ns;
  std::unique_ptr<OutputReader> reader;
  check(OutputReader::open(out_dir, ro, &reader));  // every column: the schema tells the depth
  if (reader->symbols().size() > 1) {
    throw Error(StatusCode::kInvalidArgument,
                out_dir.string() + " holds several symbols: name the one to replay");
  }
  MarketTape tape;
  tape.depth = output_depth(reader->schema());
  if (tape.depth == 0) {
    throw Error(StatusCode::kInvalidArgument,
                out_dir.string() + " has no book columns (reconstructed with --top-n 0)");
  }
  ro.columns = tape_columns(tape.depth);
  check(OutputReader::open(out_dir, ro, &reader));

  std::vector<Level> bids(static_cast<size_t>(tape.depth));
  std::vector<Level> asks(static_cast<size_t>(tape.depth));
  int64_t time = INT64_MIN;
  bool have_frame = false;
  ColumnBatch b;
  while (true) {
    check(reader->next(&b));
    if (b.rows == 0) break;
    const Column& type = b.columns[0];
    const Column& origin = b.columns[1];
    const Column& side = b.columns[2];
    for (size_t r = 0; r < b.rows; ++r) {
      if (origin.is_null(r) || !b.columns[5].bools[r]) continue;  // mid-message, or untimed
      time = std::max(time, origin.int64s[r]);
      TapeEvent e;
      e.time = time;
      e.is_trade = type.string(r) == "TRADE";
      if (e.is_trade) {
        if (!have_frame) continue;  // a trade before any book: nothing to trade against
        e.aggressor = side.string(r) == "buy" ? 1 : -1;
        e.price = Decimal::from_raw(b.columns[3].decimals[r]);
        e.size = Decimal::from_raw(b.columns[4].decimals[r]);
        e.frame = tape.frames() - 1;
      } else {
        book_of(b, r, &bids, &asks);
        e.frame = tape.add_frame(bids, asks);
        have_frame = true;
      }
      tape.events.push_back(e);
    }
  }
  if (tape.events.empty()) {
    throw Error(StatusCode::kInvalidArgument,
                "no book in " + out_dir.string() + " for the symbol and times asked for");
  }
  return tape;
}

}  // namespace rlx::env
