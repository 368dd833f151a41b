#include "rlx/features/feature_builder.h"

#include <algorithm>
#include <string>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/features/market_time.h"

namespace rlx::features {
namespace {

constexpr uint32_t kSeamFlags = event_flags::kGap | event_flags::kResync | event_flags::kUnsynced;

unsigned __int128 gcd(unsigned __int128 a, unsigned __int128 b) {
  while (b != 0) {
    const unsigned __int128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

unsigned __int128 magnitude(Decimal d) {
  return static_cast<unsigned __int128>(d.is_negative() ? -d.raw() : d.raw());
}

}  // namespace

FeatureBuilder::FeatureBuilder(FeatureOptions options)
    : options_(std::move(options)), monitor_(options_.stream) {
  for (const GridSpec& g : options_.grids) {
    if (g.step_ns <= 0)
      throw Error(StatusCode::kInvalidArgument, "features: a grid step must be positive");
    if (g.levels == 0 || g.levels > book::OrderBook::kDenseTop) {
      throw Error(StatusCode::kInvalidArgument, "features: grid levels must be within 1.." +
                                                    std::to_string(book::OrderBook::kDenseTop));
    }
    Grid grid;
    grid.step_ns = g.step_ns;
    grid.levels = g.levels;
    out_.grids.push_back(std::move(grid));
    max_levels_ = std::max(max_levels_, g.levels);
  }
  out_.probes.levels = max_levels_;
  intervals_.resize(out_.grids.size());
  next_t_.assign(out_.grids.size(), 0);
  out_.units = options_.units;
}

int64_t FeatureBuilder::ticks(Decimal price) {
  const __int128 tick = out_.units.tick.raw();
  if (price.raw() % tick != 0) ++out_.off_grid_values;
  return static_cast<int64_t>(price.raw() / tick);
}

int64_t FeatureBuilder::lots(Decimal size) {
  const __int128 lot = out_.units.lot.raw();
  if (size.raw() % lot != 0) ++out_.off_grid_values;
  return static_cast<int64_t>(size.raw() / lot);
}

void FeatureBuilder::on_event(const Event& event, const book::OrderBook& book) {
  monitor_.on_event(event, book);
  ++out_.events;
  const int64_t t = event_time(event);
  if (t != kNull) {
    if (!have_time_) out_.first_ns = t;
    have_time_ = true;
    time_ = t;
    out_.last_ns = std::max(out_.last_ns, t);
  }
  if (!in_message_) {
    if (have_top_ && have_time_) emit_rows_before(time_);
    in_message_ = true;
    message_flags_ = 0;
  }
  message_flags_ |= event.flags;
  if (!out_.units.known()) learn_units(event);

  if (event.type == EventType::kTrade) {
    if (out_.units.known()) {
      add_trade(event, time_);
      const int64_t size = out_.trades.size_lots.back();
      for (Interval& in : intervals_) {
        ++in.trades;
        if (event.side == Side::kBuy) in.buy_lots += size;
        if (event.side == Side::kSell) in.sell_lots += size;
      }
    } else {
      early_trades_.push_back(event);
    }
  }
  if (event.last_in_message) end_of_message(event, book);
}

void FeatureBuilder::add_trade(const Event& trade, int64_t t) {
  out_.trades.time_ns.push_back(t);
  out_.trades.price_ticks.push_back(ticks(trade.price));
  out_.trades.size_lots.push_back(lots(trade.size));
  out_.trades.side.push_back(trade.side == Side::kBuy ? 1 : trade.side == Side::kSell ? -1 : 0);
  out_.trades.id.push_back(trade.trade_id);
}

void FeatureBuilder::learn_units(const Event& event) {
  if (event.type != EventType::kBookSnapshot) return;
  if (!event.size.is_zero()) {
    price_gcd_ = gcd(price_gcd_, magnitude(event.price));
    size_gcd_ = gcd(size_gcd_, magnitude(event.size));
    ++(event.side == Side::kBid ? snapshot_bids_ : snapshot_asks_);
  }
  if (!event.last_in_message) return;
  if (snapshot_bids_ >= 2 && snapshot_asks_ >= 2) {
    if (out_.units.tick.is_zero()) {
      out_.units.tick = Decimal::from_raw(static_cast<__int128>(price_gcd_));
    }
    if (out_.units.lot.is_zero())
      out_.units.lot = Decimal::from_raw(static_cast<__int128>(size_gcd_));
    for (const Event& trade : early_trades_) add_trade(trade, event_time(trade));
    early_trades_.clear();
  }
  price_gcd_ = size_gcd_ = 0;
  snapshot_bids_ = snapshot_asks_ = 0;
}

// Whether the book's top levels differ from the last message's.
bool FeatureBuilder::top_changed(const book::OrderBook& book) const {
  const auto differs = [&](Side side, const std::vector<Level>& old) {
    const size_t n = std::min<size_t>(book.depth(side), max_levels_);
    if (n != old.size()) return true;
    for (size_t i = 0; i < n; ++i) {
      const Level& l = book.level(side, i);
      if (l.price != old[i].price || l.size != old[i].size) return true;
    }
    return false;
  };
  return !have_top_ || differs(Side::kBid, top_.bids) || differs(Side::kAsk, top_.asks);
}

void FeatureBuilder::end_of_message(const Event& event, const book::OrderBook& book) {
  in_message_ = false;
  // Seams, once per message: every gap, the start of each unsynced stretch, and each resync
  // that changed the top levels. A resync that leaves them as they were (a source's periodic
  // snapshot agreeing with the book, as Lake's `book` rows do every 100 ms) is a check passed.
  uint32_t seam = message_flags_ & kSeamFlags;
  if (seam == event_flags::kResync && !top_changed(book)) seam = 0;
  if ((seam & event_flags::kUnsynced) != 0 && unsynced_) seam &= ~event_flags::kUnsynced;
  if (seam != 0) {
    out_.seams.push_back(Seam{time_, message_flags_});
    for (Interval& in : intervals_) in.seam = true;
  } else if ((message_flags_ & event_flags::kUnsynced) != 0) {
    for (Interval& in : intervals_) in.seam = true;  // still unsynced: still not exact
  }
  unsynced_ = (message_flags_ & event_flags::kUnsynced) != 0;
  // Book message counts and times are the diffs': snapshots are the source's sampling of the
  // book, not market events, and sources sample differently.
  if (event.type == EventType::kBookDelta) {
    out_.book_message_ns.push_back(time_);
    for (Interval& in : intervals_) ++in.book_messages;
  }
  // The grids start at the first snapshot with known units: before it the book is partial.
  if (!have_top_ && (event.type != EventType::kBookSnapshot || !out_.units.known())) return;
  Top& next = next_top_;  // reused: no allocation per message
  next.flags = message_flags_;
  const size_t nb = std::min<size_t>(book.depth(Side::kBid), max_levels_);
  const size_t na = std::min<size_t>(book.depth(Side::kAsk), max_levels_);
  next.bids.clear();
  next.asks.clear();
  for (size_t i = 0; i < nb; ++i) next.bids.push_back(book.level(Side::kBid, i));
  for (size_t i = 0; i < na; ++i) next.asks.push_back(book.level(Side::kAsk, i));
  if (have_top_) {
    // Order-flow imbalance at the best (Cont, Kukanov & Stoikov 2014), in lots.
    int64_t e = 0;
    if (!top_.bids.empty() && !next.bids.empty()) {
      const Level& p = top_.bids.front();
      const Level& n = next.bids.front();
      if (n.price >= p.price) e += lots(n.size);
      if (n.price <= p.price) e -= lots(p.size);
    }
    if (!top_.asks.empty() && !next.asks.empty()) {
      const Level& p = top_.asks.front();
      const Level& n = next.asks.front();
      if (n.price <= p.price) e -= lots(n.size);
      if (n.price >= p.price) e += lots(p.size);
    }
    for (Interval& in : intervals_) in.ofi_lots += e;
  } else {
    for (size_t g = 0; g < out_.grids.size(); ++g) {
      next_t_[g] = ceil_to(time_, out_.grids[g].step_ns);
    }
    // Probes before the first book have nothing to show.
    int64_t probe = 0;
    while (given_probe_before(time_, &probe)) ++next_probe_;
  }
  std::swap(top_, next_top_);
  have_top_ = true;
  if (options_.probe_snapshots && event.type == EventType::kBookSnapshot) {
    snapshot_probes_.push_back(time_);
  }
}

void FeatureBuilder::emit_rows_before(int64_t t) {
  for (size_t g = 0; g < out_.grids.size(); ++g) {
    while (next_t_[g] < t) {
      emit_row(g, next_t_[g]);
      next_t_[g] += out_.grids[g].step_ns;
    }
  }
  int64_t probe = 0;
  while (given_probe_before(t, &probe)) {
    emit_probe(probe);
    ++next_probe_;
  }
  size_t done = 0;
  while (done < snapshot_probes_.size() && snapshot_probes_[done] < t) {
    emit_probe(snapshot_probes_[done++]);
  }
  snapshot_probes_.erase(snapshot_probes_.begin(),
                         snapshot_probes_.begin() + static_cast<std::ptrdiff_t>(done));
}

bool FeatureBuilder::given_probe_before(int64_t t, int64_t* probe) {
  return options_.probe_at && options_.probe_at->at(next_probe_, probe) && *probe < t;
}

void FeatureBuilder::emit_probe(int64_t t) {
  // A probe before the first snapshot has no book to show.
  if (!have_top_) return;
  if (options_.publish_probes) options_.publish_probes->push(t);
  sample(&out_.probes, t);
  for (auto* v : {&out_.probes.trades, &out_.probes.book_messages}) v->push_back(0);
  for (auto* v : {&out_.probes.buy_lots, &out_.probes.sell_lots, &out_.probes.ofi_lots}) {
    v->push_back(0);
  }
}

// The book part of a row: time, state bits (without the seam) and the top levels.
void FeatureBuilder::sample(Grid* grid, int64_t t) {
  uint8_t state = 0;
  if (top_.bids.empty()) state |= grid_state::kNoBid;
  if (top_.asks.empty()) state |= grid_state::kNoAsk;
  if (!top_.bids.empty() && !top_.asks.empty() &&
      top_.bids.front().price >= top_.asks.front().price) {
    state |= grid_state::kCrossed;
  }
  if ((top_.flags & event_flags::kUnsynced) != 0) state |= grid_state::kUnsynced;
  grid->time_ns.push_back(t);
  grid->state.push_back(state);
  const auto side = [&](const std::vector<Level>& levels, std::vector<int64_t>* px,
                        std::vector<int64_t>* sz) {
    for (uint32_t i = 0; i < grid->levels; ++i) {
      if (i < levels.size()) {
        px->push_back(ticks(levels[i].price));
        sz->push_back(lots(levels[i].size));
      } else {
        px->push_back(kNoPrice);
        sz->push_back(0);
      }
    }
  };
  side(top_.bids, &grid->bid_ticks, &grid->bid_lots);
  side(top_.asks, &grid->ask_ticks, &grid->ask_lots);
}

void FeatureBuilder::emit_row(size_t g, int64_t t) {
  Grid& grid = out_.grids[g];
  Interval& in = intervals_[g];
  sample(&grid, t);
  if (in.seam) grid.state.back() |= grid_state::kSeam;
  grid.trades.push_back(in.trades);
  grid.book_messages.push_back(in.book_messages);
  grid.buy_lots.push_back(in.buy_lots);
  grid.sell_lots.push_back(in.sell_lots);
  grid.ofi_lots.push_back(in.ofi_lots);
  in = Interval{};
}

Features FeatureBuilder::finish() {
  if (!out_.units.known()) {
    throw Error(StatusCode::kBadInput,
                "features: no book snapshot with two levels a side to infer the tick and lot from; "
                "give them in the configuration");
  }
  // The book after the last event holds for its own time too.
  if (have_top_ && have_time_) emit_rows_before(time_ + 1);
  out_.stream = monitor_.finish();
  if (options_.publish_probes) options_.publish_probes->close();
  return std::move(out_);
}

// A side that fails mid-way still ends its feed, so that the other side's reader stops waiting.
FeatureBuilder::~FeatureBuilder() {
  if (options_.publish_probes) options_.publish_probes->close();
}

}  // namespace rlx::features
