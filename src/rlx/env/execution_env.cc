#include "rlx/env/execution_env.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/sim/random.h"

namespace rlx::env {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool has_both_sides(const MarketTape& tape, uint32_t frame) {
  return !tape.bids(frame)[0].size.is_zero() && !tape.asks(frame)[0].size.is_zero();
}

// The decimal nearest a non-negative decaying amount (0 for none).
Decimal decimal_of(double v) {
  if (!(v > 0)) return Decimal();
  Decimal d;
  if (!Decimal::from_double(v, &d)) return Decimal();
  return d;
}

}  // namespace

ExecutionEnv::ExecutionEnv(std::shared_ptr<const MarketTape> tape, const EnvOptions& options)
    : tape_(std::move(tape)), options_(options) {
  if (!tape_ || tape_->events.empty() || tape_->depth <= 0) {
    throw Error(StatusCode::kInvalidArgument, "the environment needs a tape with a book");
  }
  if (options_.quantity <= Decimal() || options_.horizon_ns <= 0 || options_.step_ns <= 0 ||
      options_.recent_trades < 0 || !(options_.refill_half_life_s > 0)) {
    throw Error(StatusCode::kInvalidArgument,
                "quantity, horizon, step and refill half-life must be positive");
  }
}

const Level* ExecutionEnv::own_side(uint32_t frame) const {
  return options_.side == Side::kBuy ? tape_->bids(frame) : tape_->asks(frame);
}
const Level* ExecutionEnv::other_side(uint32_t frame) const {
  return options_.side == Side::kBuy ? tape_->asks(frame) : tape_->bids(frame);
}

void ExecutionEnv::reset(uint64_t seed, std::optional<int64_t> start_ns) {
  const std::vector<TapeEvent>& ev = tape_->events;
  // The first event with a two-sided book: episodes start there or later.
  size_t first = 0;
  while (first < ev.size() && (ev[first].is_trade || !has_both_sides(*tape_, ev[first].frame))) {
    ++first;
  }
  if (first == ev.size())
    throw Error(StatusCode::kInvalidArgument, "the tape has no two-sided book");
  const int64_t earliest = ev[first].time;
  const int64_t latest = std::max(earliest, ev.back().time - options_.horizon_ns);
  if (start_ns) {
    start_ = std::max(*start_ns, earliest);
  } else {
    sim::Rng rng(seed);
    start_ =
        earliest + static_cast<int64_t>(rng.below(static_cast<uint64_t>(latest - earliest) + 1));
  }
  // Apply every event up to the start: the book then is the arrival book.
  next_ = first;
  frame_ = ev[first].frame;
  while (next_ < ev.size() && ev[next_].time <= start_) frame_ = ev[next_++].frame;
  now_ = start_;
  end_ = start_ + options_.horizon_ns;
  const Decimal bid = tape_->bids(frame_)[0].price;
  const Decimal ask = tape_->asks(frame_)[0].price;
  arrival_mid_ = Decimal::midpoint(bid, ask).to_double();
  left_ = options_.quantity;
  resting_.reset();
  taken_.clear();
  recent_.clear();
  for (size_t i = next_;
       i > first && recent_.size() < static_cast<size_t>(options_.recent_trades);) {
    if (ev[--i].is_trade) recent_.insert(recent_.begin(), i);
  }
  total_reward_ = 0;
}

Decimal ExecutionEnv::taken_at(Decimal price) const {
  for (const Taken& t : taken_) {
    if (t.price != price) continue;
    double amount = t.amount;
    if (options_.refill == Refill::kExponential) {
      const double elapsed_s = static_cast<double>(now_ - t.time) / 1e9;
      amount *= std::exp2(-elapsed_s / options_.refill_half_life_s);
    }
    return decimal_of(amount);
  }
  return Decimal();
}

Decimal ExecutionEnv::shown(const Level& level) const {
  return std::max(level.size - taken_at(level.price), Decimal());
}

void ExecutionEnv::take(Decimal price, Decimal amount) {
  if (options_.refill == Refill::kInstant) return;
  for (Taken& t : taken_) {
    if (t.price != price) continue;
    t.amount = taken_at(price).to_double() + amount.to_double();
    t.time = now_;
    return;
  }
  taken_.push_back(Taken{price, amount.to_double(), now_});
}

Decimal ExecutionEnv::unreserved() const { return resting_ ? left_ - resting_->quantity : left_; }

void ExecutionEnv::fill(Decimal price, Decimal quantity, bool passive, StepResult* result) {
  if (quantity <= Decimal()) return;
  left_ = left_ - quantity;
  result->fills.push_back(Fill{now_, price, quantity, passive});
  const double sign = options_.side == Side::kBuy ? 1.0 : -1.0;
  const double bp = sign * (arrival_mid_ - price.to_double()) / arrival_mid_ * 1e4 *
                    quantity.to_double() / options_.quantity.to_double();
  result->reward_bp += bp;
  total_reward_ += bp;
}

void ExecutionEnv::market(Decimal quantity, StepResult* result, bool final) {
  const Level* levels = other_side(frame_);
  Decimal want = quantity;
  Decimal last_price;
  for (int32_t i = 0; i < tape_->depth && want > Decimal(); ++i) {
    if (levels[i].size.is_zero()) break;
    last_price = levels[i].price;
    const Decimal q = std::min(shown(levels[i]), want);
    if (q <= Decimal()) continue;
    take(levels[i].price, q);
    fill(levels[i].price, q, false, result);
    want = want - q;
  }
  if (final && want > Decimal() && !last_price.is_zero()) {
    fill(last_price, want, false, result);
    result->beyond_depth = want;
  }
}

void ExecutionEnv::place_limit(const Action& action, StepResult* result) {
  resting_.reset();
  const Level* levels = own_side(frame_);
  if (action.level < 0 || action.level >= tape_->depth || levels[action.level].size.is_zero()) {
    result->rejected = true;
    return;
  }
  Decimal q = action.quantity;
  if (q > left_) {
    result->capped = q - left_;
    q = left_;
  }
  if (q <= Decimal()) return;
  resting_ = Resting{levels[action.level].price, q, levels[action.level].size};
}

// A new book: the queue ahead of a resting order is at most what the book now shows there.
void ExecutionEnv::on_book(uint32_t frame) {
  frame_ = frame;
  if (!resting_) return;
  const Level* levels = own_side(frame);
  const bool buy = options_.side == Side::kBuy;
  Decimal shown;
  bool known = false;
  for (int32_t i = 0; i < tape_->depth; ++i) {
    if (levels[i].size.is_zero()) {
      known = true;  // the side ends above the order's price: nothing is there
      break;
    }
    const Decimal p = levels[i].price;
    if (p == resting_->price) {
      shown = levels[i].size;
      known = true;
      break;
    }
    if (buy ? p < resting_->price : p > resting_->price) {
      known = true;  // the order's price lies between visible levels: empty
      break;
    }
  }
  if (known) resting_->queue_ahead = std::min(resting_->queue_ahead, shown);
}

void ExecutionEnv::on_trade(const TapeEvent& e, StepResult* result) {
  recent_.push_back(static_cast<size_t>(&e - tape_->events.data()));
  if (recent_.size() > static_cast<size_t>(options_.recent_trades)) recent_.erase(recent_.begin());
  if (!resting_) return;
  const bool buy = options_.side == Side::kBuy;
  if (e.aggressor != (buy ? -1 : 1)) return;  // only the other side's orders trade with ours
  const Decimal p = resting_->price;
  Decimal q;
  if (e.price == p) {
    Decimal x = e.size;
    const Decimal ahead = std::min(resting_->queue_ahead, x);
    resting_->queue_ahead = resting_->queue_ahead - ahead;
    x = x - ahead;
    q = std::min(x, resting_->quantity);
  } else if (buy ? e.price < p : e.price > p) {
    q = resting_->quantity;  // traded through the order's price: everything there went first
  }
  if (q <= Decimal()) return;
  fill(p, q, true, result);
  resting_->quantity = resting_->quantity - q;
  if (resting_->quantity.is_zero()) resting_.reset();
}

StepResult ExecutionEnv::step(const Action& action) {
  StepResult result;
  if (left_ <= Decimal()) {
    result.terminated = true;
    return result;
  }
  switch (action.type) {
    case ActionType::kNone:
      break;
    case ActionType::kCancel:
      resting_.reset();
      break;
    case ActionType::kLimit:
      place_limit(action, &result);
      break;
    case ActionType::kMarket: {
      Decimal q = action.quantity;
      if (q > unreserved()) {
        result.capped = q - unreserved();
        q = unreserved();
      }
      market(q, &result, false);
      break;
    }
  }
  const std::vector<TapeEvent>& ev = tape_->events;
  const int64_t until = std::min(now_ + options_.step_ns, end_);
  while (next_ < ev.size() && ev[next_].time <= until && left_ > Decimal()) {
    const TapeEvent& e = ev[next_++];
    now_ = e.time;
    if (e.is_trade) {
      on_trade(e, &result);
    } else {
      on_book(e.frame);
    }
  }
  now_ = until;
  const bool tape_over = next_ == ev.size() && now_ < end_;
  if (left_ > Decimal() && (now_ >= end_ || tape_over)) {
    resting_.reset();
    market(left_, &result, true);
    result.truncated = tape_over;
  }
  result.terminated = left_ <= Decimal() && !result.truncated;
  return result;
}

Observation ExecutionEnv::observe() const {
  Observation o;
  const size_t depth = static_cast<size_t>(tape_->depth);
  const Level* bids = tape_->bids(frame_);
  const Level* asks = tape_->asks(frame_);
  const bool buy = options_.side == Side::kBuy;  // a buyer takes from the asks
  for (size_t i = 0; i < depth; ++i) {
    o.bid_price.push_back(bids[i].size.is_zero() ? kNaN : bids[i].price.to_double());
    o.bid_size.push_back((buy ? bids[i].size : shown(bids[i])).to_double());
    o.ask_price.push_back(asks[i].size.is_zero() ? kNaN : asks[i].price.to_double());
    o.ask_size.push_back((buy ? shown(asks[i]) : asks[i].size).to_double());
  }
  o.trades.assign(static_cast<size_t>(options_.recent_trades) * 4, 0.0);
  const size_t pad = static_cast<size_t>(options_.recent_trades) - recent_.size();
  for (size_t k = 0; k < recent_.size(); ++k) {
    const TapeEvent& e = tape_->events[recent_[k]];
    double* row = &o.trades[(pad + k) * 4];
    row[0] = static_cast<double>(now_ - e.time) / 1e9;
    row[1] = e.price.to_double();
    row[2] = e.size.to_double();
    row[3] = e.aggressor;
  }
  o.time_left_s = static_cast<double>(std::max<int64_t>(0, end_ - now_)) / 1e9;
  o.quantity_left = left_.to_double();
  o.order_price = resting_ ? resting_->price.to_double() : kNaN;
  o.order_quantity = resting_ ? resting_->quantity.to_double() : 0.0;
  o.queue_ahead = resting_ ? resting_->queue_ahead.to_double() : 0.0;
  return o;
}

}  // namespace rlx::env
