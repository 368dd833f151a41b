// One side's features (golden or candidate) for `rlx validate`: the book and the trades sampled
// on fixed time grids anchored at the epoch, in integer ticks and lots, plus the per-event
// series (trades, book message times) and the seams. Every metric reads these columns; none
// reads Parquet again. FeatureBuilder (feature_builder.h) fills them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlx/core/decimal.h"
#include "rlx/features/stream_summary.h"

namespace rlx::features {

// The instrument's price and size steps: prices become ticks, sizes become lots.
struct Units {
  Decimal tick;  // zero: inferred from the first book snapshot (the GCD of its prices)
  Decimal lot;   // zero: inferred from the first book snapshot (the GCD of its sizes)
  bool known() const { return !tick.is_zero() && !lot.is_zero(); }
};

// Bits of Grid::state: what the book was at the grid time.
namespace grid_state {
inline constexpr uint8_t kNoBid = 1u << 0;
inline constexpr uint8_t kNoAsk = 1u << 1;
inline constexpr uint8_t kCrossed = 1u << 2;   // best bid >= best ask
inline constexpr uint8_t kUnsynced = 1u << 3;  // the last book message was flagged unsynced
// A seam in (t - step, t]: a gap, a resync, or an unsynced message. Paired metrics skip it.
inline constexpr uint8_t kSeam = 1u << 4;
}  // namespace grid_state

inline constexpr int64_t kNoPrice = INT64_MIN;  // a level the side does not have

// One grid: a row per grid time t = k * step_ns (k integer, so two sides' grids line up). Row
// t holds the book as the events left it just before the first event stamped later than t, and
// what happened since the previous row. Streams interleave slightly out of time order (a diff
// stamped 2 ms later can arrive before a trade), so "before the first later event", in event
// order, is the rule: it never shows a message from after t. Rows run from the first grid time
// at or after the first book snapshot to the last event.
struct Grid {
  int64_t step_ns = 0;
  uint32_t levels = 0;  // book levels per side in each row

  std::vector<int64_t> time_ns;
  std::vector<uint8_t> state;  // grid_state bits
  // Row-major, `levels` per row; level 0 is the best. Absent levels: kNoPrice and size 0.
  std::vector<int64_t> bid_ticks, bid_lots, ask_ticks, ask_lots;
  // The interval (t - step, t]:
  std::vector<uint32_t> trades;         // trade events
  std::vector<uint32_t> book_messages;  // diff messages (not their rows; not snapshots)
  std::vector<int64_t> buy_lots;        // traded size, buyer the aggressor
  std::vector<int64_t> sell_lots;       // traded size, seller the aggressor
  std::vector<int64_t> ofi_lots;        // order-flow imbalance at the best (Cont et al. 2014)

  size_t rows() const { return time_ns.size(); }
  int64_t best_bid(size_t row) const { return bid_ticks[row * levels]; }
  int64_t best_ask(size_t row) const { return ask_ticks[row * levels]; }
  // Both sides present, not crossed, synced: the book has a meaningful mid and spread.
  bool two_sided(size_t row) const {
    return (state[row] & (grid_state::kNoBid | grid_state::kNoAsk | grid_state::kCrossed |
                          grid_state::kUnsynced)) == 0;
  }
};

// Every trade, in event order.
struct Trades {
  std::vector<int64_t> time_ns;
  std::vector<int64_t> price_ticks;
  std::vector<int64_t> size_lots;
  std::vector<int8_t> side;  // +1 buyer the aggressor, -1 seller, 0 unknown
  std::vector<std::string> id;
  size_t size() const { return time_ns.size(); }
};

// Where the side's book is not known to be exact: a gap, the start of an unsynced stretch, or
// a resync that changed the top levels.
struct Seam {
  int64_t time_ns = 0;
  uint32_t flags = 0;  // the event's flags (rlx/core/event.h)
};

struct Features {
  Units units;
  std::vector<Grid> grids;
  // The book at chosen times (FeatureOptions: the side's own snapshots, or given times), with
  // the widest grid's levels; step_ns is 0 and the interval columns are 0.
  Grid probes;
  Trades trades;
  // The time of every diff message. Snapshots are left out: they are a source's sampling of the
  // book (Lake's `book` rows every 100 ms, a capture's REST snapshots), not market events.
  std::vector<int64_t> book_message_ns;
  std::vector<Seam> seams;
  uint64_t events = 0;
  // Prices or sizes that are not a whole number of ticks or lots (the unit was wrong, or the
  // data is): counted, and truncated toward zero in the columns.
  uint64_t off_grid_values = 0;
  StreamSummary stream;  // tier-1 statistics (stream_monitor.h)
  int64_t first_ns = 0;  // time of the first and last event
  int64_t last_ns = 0;

  const Grid* grid(int64_t step_ns) const {
    for (const Grid& g : grids) {
      if (g.step_ns == step_ns) return &g;
    }
    return nullptr;
  }
};

}  // namespace rlx::features
