#include "rlx/sim/market_generator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/sim/random.h"

namespace rlx::sim {
namespace {

constexpr int kBid = 0;
constexpr int kAsk = 1;

Market market_of(const std::string& exchange) {
  if (exchange == "binance") return Market::kSpot;
  if (exchange == "binance-futures") return Market::kUsdM;
  if (exchange == "binance-delivery") return Market::kCoinM;
  return Market::kUnknown;
}

[[noreturn]] void bad_option(const std::string& what) {
  throw Error(StatusCode::kInvalidArgument, "market generator: " + what);
}

void validate(const MarketOptions& o) {
  auto finite_at_least = [](double v, double lo) { return std::isfinite(v) && v >= lo; };
  if (o.tick.raw() <= 0) bad_option("tick must be > 0");
  if (o.lot.raw() <= 0) bad_option("lot must be > 0");
  if (o.initial_mid.raw() <= o.tick.raw() || o.initial_mid.raw() % o.tick.raw() != 0) {
    bad_option("initial_mid " + o.initial_mid.to_string() + " must be a multiple of tick " +
               o.tick.to_string() + " above one tick");
  }
  if (o.duration_ns < 0) bad_option("duration_ns must be >= 0");
  if (!finite_at_least(o.message_rate, 0.0) || o.message_rate <= 0.0) {
    bad_option("message_rate must be > 0");
  }
  if (!finite_at_least(o.hawkes_branching, 0.0) || o.hawkes_branching >= 1.0) {
    bad_option("hawkes_branching must be in [0, 1)");
  }
  if (!finite_at_least(o.hawkes_decay_s, 0.0) || o.hawkes_decay_s <= 0.0) {
    bad_option("hawkes_decay_s must be > 0");
  }
  if (!finite_at_least(o.actions_per_message, 1.0)) bad_option("actions_per_message must be >= 1");
  if (!finite_at_least(o.trade_rate, 0.0) || !finite_at_least(o.price_move_rate, 0.0) ||
      o.trade_rate + o.price_move_rate > o.message_rate) {
    bad_option("trade_rate and price_move_rate must be >= 0 and sum to at most message_rate");
  }
  for (double p : {o.jump_probability, o.move_by_trade_probability, o.touch_refill_probability}) {
    if (!finite_at_least(p, 0.0) || p > 1.0) bad_option("probabilities must be in [0, 1]");
  }
  if (!finite_at_least(o.gap_probability, 0.0) || o.gap_probability >= 1.0) {
    bad_option("gap_probability must be in [0, 1)");
  }
  if (o.levels < 1) bad_option("levels must be >= 1");
  if (o.max_sweep_levels < 1) bad_option("max_sweep_levels must be >= 1");
  if (o.snapshot_depth < 1) bad_option("snapshot_depth must be >= 1");
  if (o.snapshot_interval_ns <= 0) bad_option("snapshot_interval_ns must be > 0");
  if (o.time_resolution_ns < 1) bad_option("time_resolution_ns must be >= 1");
  if (o.latency_min_ns < 1 || o.latency_median_ns < 0) {
    bad_option("latency_min_ns must be >= 1 and latency_median_ns >= 0");
  }
}

}  // namespace

MarketOptions busy_day_options() {
  MarketOptions o;
  o.duration_ns = 86'400'000'000'000;
  // About 98 million level updates per simulated day (BM_BusyDayHour reports updates/sim_day).
  o.message_rate = 240.0;
  o.trade_rate = 30.0;
  o.price_move_rate = 10.0;
  return o;
}

// The true book keeps each side in a std::map keyed so that begin() is the best level:
// key = price in ticks for asks, -price for bids. The fair price `ref_` (in ticks) bounds the
// sides: every bid key >= -ref_ and every ask key >= ref_ + 1, so the truth is never crossed.
class MarketGenerator::Impl {
 public:
  explicit Impl(const MarketOptions& options)
      : o_((validate(options), options)),
        market_(market_of(o_.exchange)),
        rng_(o_.seed),
        end_ns_(o_.start_ns + o_.duration_ns),
        ref_(static_cast<int64_t>(o_.initial_mid.raw() / o_.tick.raw())),
        seq_(o_.first_sequence_number - 1),
        trade_id_(o_.first_trade_id),
        hawkes_mu_(o_.message_rate * (1.0 - o_.hawkes_branching)),
        hawkes_beta_(1.0 / o_.hawkes_decay_s),
        hawkes_alpha_(o_.hawkes_branching / o_.hawkes_decay_s),
        next_snapshot_ns_(o_.start_ns) {
    p_trade_ = o_.trade_rate / o_.message_rate;
    p_move_ = o_.price_move_rate / o_.message_rate;
    begin_message();
    maintain_depth(kBid);
    maintain_depth(kAsk);
    if (o_.initial_book_as_delta && o_.duration_ns > 0) {
      emit_delta(o_.start_ns);
    }
    next_event_ns_ = o_.start_ns + draw_interarrival_ns();
  }

  bool next(Message* out) {
    while (pending_pos_ == pending_count_) {
      pending_pos_ = 0;
      pending_count_ = 0;
      if (next_snapshot_ns_ < end_ns_ && next_snapshot_ns_ < next_event_ns_) {
        emit_snapshot(next_snapshot_ns_);
        next_snapshot_ns_ += o_.snapshot_interval_ns;
        continue;
      }
      if (next_event_ns_ >= end_ns_) return false;
      process_event(next_event_ns_);
      next_event_ns_ += draw_interarrival_ns();
    }
    std::swap(*out, pending_[pending_pos_++]);
    return true;
  }

  const MarketOptions& options() const { return o_; }
  const MarketStats& stats() const { return stats_; }

 private:
  using BookSide = std::map<int64_t, int64_t>;  // key -> size in lots

  struct Touched {
    int side;
    int64_t key;
    int64_t before;  // lots at the start of the message
    int64_t after;
    bool forced;  // a trade touched it: always sent, even if refilled to the same size
  };

  static int other(int side) { return 1 - side; }
  static int64_t price_of(int side, int64_t key) { return side == kBid ? -key : key; }
  int64_t fair_key(int side) const { return side == kBid ? -ref_ : ref_ + 1; }
  Decimal price_decimal(int64_t ticks) const { return Decimal::from_raw(o_.tick.raw() * ticks); }
  Decimal size_decimal(int64_t lots) const { return Decimal::from_raw(o_.lot.raw() * lots); }

  // --- Event timing ------------------------------------------------------------------------

  // Exact simulation of an exponential-kernel Hawkes process (Dassios & Zhao 2013): the next
  // arrival is the earlier of the decaying excited part and the baseline Poisson part.
  int64_t draw_interarrival_ns() {
    const double s2 = rng_.exponential() / hawkes_mu_;
    const double u1 = rng_.unit();
    double tau = s2;
    if (excess_ > 0.0) {
      const double d = 1.0 + hawkes_beta_ * det_log(u1) / excess_;
      if (d > 0.0) tau = std::min(tau, -det_log(d) / hawkes_beta_);
    }
    excess_ = excess_ * det_exp(-hawkes_beta_ * tau) + hawkes_alpha_;
    const double cap_s = static_cast<double>(o_.duration_ns) * 1e-9 + 1.0;
    return 1 + static_cast<int64_t>(std::floor(std::min(tau, cap_s) * 1e9));
  }

  int64_t latency_ns() {
    const double extra = rng_.lognormal(static_cast<double>(o_.latency_median_ns), 0.6);
    return o_.latency_min_ns + static_cast<int64_t>(std::min(extra, 1e10));
  }

  // Exchange time (truncated to the resolution) and local receive time (after a positive
  // latency; one TCP stream per kind, so receive times never go backwards within a kind).
  std::pair<int64_t, int64_t> stamp(int64_t t_ns, MessageKind kind) {
    const int64_t origin = t_ns - t_ns % o_.time_resolution_ns;
    int64_t& last = last_received_[static_cast<int>(kind)];
    last = std::max(last, t_ns + latency_ns());
    return {origin, last};
  }

  // --- Sizes and distances -------------------------------------------------------------------

  int64_t add_lots() { return clamp_lots(rng_.lognormal(40.0, 1.5)); }
  int64_t market_order_lots() { return clamp_lots(rng_.pareto(2.0, 1.2)); }
  static int64_t clamp_lots(double x) {
    return std::clamp<int64_t>(static_cast<int64_t>(std::min(x, 1e7)), 1, 10'000'000);
  }
  // Ticks behind the fair price where an order lands: most near the touch, a heavy tail deep.
  int64_t distance() {
    const double d = rng_.pareto(4.0, 1.0) - 4.0;
    return static_cast<int64_t>(std::min(d, 20.0 * o_.levels));
  }

  // --- The book and the message being built -------------------------------------------------

  void begin_message() { touched_.clear(); }

  void set_level(int side, int64_t key, int64_t lots, bool forced = false) {
    BookSide& book = sides_[side];
    auto it = book.find(key);
    const int64_t before = it == book.end() ? 0 : it->second;
    if (lots == 0) {
      if (it != book.end()) book.erase(it);
    } else if (it != book.end()) {
      it->second = lots;
    } else {
      book.emplace_hint(book.lower_bound(key), key, lots);
    }
    for (auto t = touched_.rbegin(); t != touched_.rend(); ++t) {
      if (t->side == side && t->key == key) {
        t->after = lots;
        t->forced = t->forced || forced;
        return;
      }
    }
    touched_.push_back({side, key, before, lots, forced});
  }

  int64_t lots_at(int side, int64_t key) const {
    auto it = sides_[side].find(key);
    return it == sides_[side].end() ? 0 : it->second;
  }

  bool valid_price(int side, int64_t key) const { return price_of(side, key) >= 1; }

  void add_order(int side) {
    const int64_t key = fair_key(side) + distance();
    if (!valid_price(side, key)) return;
    set_level(side, key, lots_at(side, key) + add_lots());
  }

  void cancel_order(int side) {
    BookSide& book = sides_[side];
    if (book.empty()) return;
    auto it = book.lower_bound(fair_key(side) + distance());
    if (it == book.end()) it = std::prev(it);
    const int64_t lots = it->second;
    const int64_t left =
        lots == 1 || rng_.chance(0.4)
            ? 0
            : 1 + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(lots - 1)));
    set_level(side, it->first, left);
  }

  // One trade print against a passive level, and the level's new size in the message.
  void fill(int passive, int64_t key, int64_t lots, int64_t t_ns) {
    const int64_t left = lots_at(passive, key) - lots;
    set_level(passive, key, left, true);
    Message& m = push(MessageKind::kTrade, t_ns);
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), trade_id_++);
    m.trade_id.assign(buf, res.ptr);
    m.side = passive == kAsk ? Side::kBuy : Side::kSell;
    m.price = price_decimal(price_of(passive, key));
    m.size = size_decimal(lots);
    ++stats_.trades;
  }

  // A market order: fills at the touch, walking at most max_sweep_levels; the rest is dropped
  // (immediate-or-cancel), so one order never empties a side.
  void market_order(int passive, int64_t t_ns) {
    int64_t want = market_order_lots();
    for (int32_t i = 0; i < o_.max_sweep_levels && want > 0 && !sides_[passive].empty(); ++i) {
      const auto best = *sides_[passive].begin();
      const int64_t lots = std::min(want, best.second);
      fill(passive, best.first, lots, t_ns);
      want -= lots;
    }
  }

  // The fair price moves by `ticks` (> 0 up, < 0 down). Levels the move crosses on the
  // aggressed side are swept by trades or cancelled; the opened ticks on the other side are
  // quoted (the new best always, the others with probability 0.6).
  void move_price(int64_t ticks, int64_t t_ns) {
    if (ticks < 0 && ref_ + ticks < 2) ticks = -ticks;  // prices stay positive
    const int aggressed = ticks > 0 ? kAsk : kBid;
    const int passive = other(aggressed);
    const int64_t old_passive_fair = fair_key(passive);
    ref_ += ticks;
    const bool by_trade = rng_.chance(o_.move_by_trade_probability);
    const int64_t new_fair = fair_key(aggressed);
    while (!sides_[aggressed].empty() && sides_[aggressed].begin()->first < new_fair) {
      const auto best = *sides_[aggressed].begin();
      if (by_trade) {
        fill(aggressed, best.first, best.second, t_ns);
      } else {
        set_level(aggressed, best.first, 0);
      }
    }
    for (int64_t key = fair_key(passive); key < old_passive_fair; ++key) {
      if (key == fair_key(passive) || rng_.chance(0.6)) {
        if (valid_price(passive, key)) set_level(passive, key, lots_at(passive, key) + add_lots());
      }
    }
    ++stats_.price_moves;
  }

  int64_t draw_move() {
    int64_t k = 0;
    if (rng_.chance(o_.jump_probability)) {
      k = std::min<int64_t>(200, static_cast<int64_t>(rng_.pareto(10.0, 1.5)));
      ++stats_.jumps;
    } else {
      k = 1 + rng_.geometric(1.0);
    }
    return rng_.chance(0.5) ? k : -k;
  }

  // Keeps `levels` per side: trims the deepest levels, or quotes new ones behind the deepest
  // with gaps that widen with distance (dense near the touch, sparse far out).
  void maintain_depth(int side) {
    BookSide& book = sides_[side];
    const auto target = static_cast<size_t>(o_.levels);
    while (book.size() > target) set_level(side, std::prev(book.end())->first, 0);
    while (book.size() < target) {
      if (book.empty()) {
        if (!valid_price(side, fair_key(side))) break;
        set_level(side, fair_key(side), add_lots());
        continue;
      }
      // Gaps depend on the distance from the fair price, so the density profile (about
      // 1 / (1 + distance / 300) levels per tick) does not drift with the price path.
      const int64_t deepest = std::prev(book.end())->first;
      const double mean_gap = static_cast<double>(deepest - fair_key(side)) / 300.0;
      const int64_t key = deepest + 1 + rng_.geometric(mean_gap);
      if (!valid_price(side, key)) break;
      set_level(side, key, add_lots());
    }
  }

  // Market makers quote the fair price again soon after the touch was taken or pulled: this
  // keeps the spread at one tick most of the time, as in liquid crypto perpetuals.
  void refill_touch(int side) {
    const BookSide& book = sides_[side];
    const int64_t key = fair_key(side);
    if ((book.empty() || book.begin()->first > key) && valid_price(side, key) &&
        rng_.chance(o_.touch_refill_probability)) {
      set_level(side, key, add_lots());
    }
  }

  bool message_changes_book() const {
    return std::any_of(touched_.begin(), touched_.end(),
                       [](const Touched& t) { return t.after != t.before || t.forced; });
  }

  void background_actions(int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      const int side = static_cast<int>(rng_.below(2));
      if (rng_.chance(0.5)) {
        add_order(side);
      } else {
        cancel_order(side);
      }
    }
  }

  void process_event(int64_t t_ns) {
    if (o_.gap_probability > 0.0 && rng_.chance(o_.gap_probability)) {
      const int64_t skipped = 1 + rng_.geometric(0.5);
      ++stats_.gaps;
      stats_.skipped_sequence_numbers += skipped;
      for (int64_t i = 0; i < skipped; ++i) {
        if (o_.gaps_lose_updates) {  // the lost messages changed the true book
          begin_message();
          background_actions(1 + rng_.geometric(o_.actions_per_message - 1.0));
          maintain_depth(kBid);
          maintain_depth(kAsk);
        }
        ++seq_;
      }
    }
    begin_message();
    const double u = rng_.unit();
    bool primary = false;
    if (u <= p_trade_) {
      market_order(static_cast<int>(rng_.below(2)), t_ns);
      primary = true;
    } else if (u <= p_trade_ + p_move_) {
      move_price(draw_move(), t_ns);
      primary = true;
    }
    const int64_t extra = rng_.geometric(o_.actions_per_message - 1.0);
    background_actions(primary ? extra : 1 + extra);
    refill_touch(kBid);
    refill_touch(kAsk);
    maintain_depth(kBid);
    maintain_depth(kAsk);
    // An add beyond the deepest level is trimmed again at once: act until something changed, so
    // no message is empty.
    for (int i = 0; i < 64 && !message_changes_book(); ++i) {
      background_actions(1);
      maintain_depth(kBid);
      maintain_depth(kAsk);
    }
    emit_delta(t_ns);
  }

  // --- Output --------------------------------------------------------------------------------

  Message& push(MessageKind kind, int64_t t_ns) {
    if (pending_count_ == pending_.size()) pending_.emplace_back();
    Message& m = pending_[pending_count_++];
    const auto [origin, received] = stamp(t_ns, kind);
    m.reset();
    m.kind = kind;
    m.market = market_;
    m.exchange.assign(o_.exchange);
    m.symbol.assign(o_.symbol);
    m.origin_time = origin;
    m.received_time = received;
    m.source_row = ++row_;
    return m;
  }

  void emit_delta(int64_t t_ns) {
    std::sort(touched_.begin(), touched_.end(), [](const Touched& a, const Touched& b) {
      return a.side != b.side ? a.side < b.side : a.key < b.key;
    });
    Message& m = push(MessageKind::kDelta, t_ns);
    m.update_id = ++seq_;
    for (const Touched& t : touched_) {
      if (t.after == t.before && !t.forced) continue;
      m.levels.push_back({t.side == kBid ? Side::kBid : Side::kAsk,
                          price_decimal(price_of(t.side, t.key)), size_decimal(t.after)});
    }
    ++stats_.deltas;
    stats_.level_updates += static_cast<int64_t>(m.levels.size());
    touched_.clear();
  }

  void emit_snapshot(int64_t t_ns) {
    Message& m = push(MessageKind::kSnapshot, t_ns);
    m.update_id = seq_;
    for (int side : {kBid, kAsk}) {
      int32_t n = 0;
      for (auto it = sides_[side].begin(); it != sides_[side].end() && n < o_.snapshot_depth;
           ++it, ++n) {
        m.levels.push_back({side == kBid ? Side::kBid : Side::kAsk,
                            price_decimal(price_of(side, it->first)), size_decimal(it->second)});
      }
    }
    ++stats_.snapshots;
  }

  const MarketOptions o_;
  const Market market_;
  Rng rng_;
  const int64_t end_ns_;
  int64_t ref_;
  int64_t seq_;
  int64_t trade_id_;
  const double hawkes_mu_;
  const double hawkes_beta_;
  const double hawkes_alpha_;
  double excess_ = 0.0;  // Hawkes intensity above the baseline, just after the last event
  double p_trade_ = 0.0;
  double p_move_ = 0.0;
  int64_t next_event_ns_ = 0;
  int64_t next_snapshot_ns_;
  int64_t last_received_[4] = {kNull, kNull, kNull, kNull};
  uint64_t row_ = 0;
  BookSide sides_[2];
  std::vector<Touched> touched_;
  std::vector<Message> pending_;
  size_t pending_count_ = 0;
  size_t pending_pos_ = 0;
  MarketStats stats_;
};

MarketGenerator::MarketGenerator(const MarketOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
MarketGenerator::~MarketGenerator() = default;
bool MarketGenerator::next(Message* out) { return impl_->next(out); }
const MarketOptions& MarketGenerator::options() const { return impl_->options(); }
const MarketStats& MarketGenerator::stats() const { return impl_->stats(); }

}  // namespace rlx::sim
