// A replay environment for execution agents: work a parent order (side, quantity, horizon) with
// child orders against a reconstructed market (MarketTape), in the Gymnasium shape (reset/step).
//
// Fills, decided against the tape's book and trades:
// - A market order walks the opposite side's visible levels, best first. What the agent takes
//   is removed from those levels (see Refill) for its later orders.
// - A limit order rests at a level of its own side and joins the back of the queue there: the
//   displayed size at its price when placed is ahead of it. The queue ahead shrinks when trades
//   at that price consume it, and when the displayed size falls below it (cancellations are
//   taken from ahead of the order: the usual conservative assumption). Trades at the price that
//   find no queue ahead fill the order; a trade through the price (a sell below a resting buy)
//   fills what is left.
// - At the horizon (or the tape's end) what is left is sent as a market order; beyond the
//   visible depth it fills at the deepest visible price (counted in beyond_depth).
// Reward per step: the implementation shortfall of that step's fills against the arrival mid, in
// basis points of the parent quantity (positive: better than the arrival mid). The rewards of an
// episode sum to minus its implementation shortfall.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "rlx/core/decimal.h"
#include "rlx/core/name_table.h"
#include "rlx/env/market_tape.h"

namespace rlx::env {

enum class Side : uint8_t { kBuy = 0, kSell = 1 };

// How the liquidity the agent took comes back.
enum class Refill : uint8_t {
  kNone = 0,         // taken for the rest of the episode (the level shows data - taken)
  kInstant = 1,      // back at once: the agent leaves no trace (a naive backtest)
  kExponential = 2,  // decays with a half-life: taken * 2^(-elapsed / half_life)
};

// The names the Python module (and any other caller taking text) uses.
inline constexpr NameTable<Side, 2> kSideNames = {{{"buy", Side::kBuy}, {"sell", Side::kSell}}};
inline constexpr NameTable<Refill, 3> kRefillNames = {{{"none", Refill::kNone},
                                                       {"instant", Refill::kInstant},
                                                       {"exponential", Refill::kExponential}}};

struct EnvOptions {
  Side side = Side::kBuy;
  Decimal quantity = Decimal::from_int(1);
  int64_t horizon_ns = 60'000'000'000;  // the parent order's time
  int64_t step_ns = 1'000'000'000;      // decision interval
  int32_t recent_trades = 10;           // trades in each observation
  Refill refill = Refill::kNone;
  double refill_half_life_s = 1.0;  // for kExponential
};

enum class ActionType : uint8_t { kNone = 0, kMarket = 1, kLimit = 2, kCancel = 3 };

inline constexpr NameTable<ActionType, 4> kActionNames = {{{"none", ActionType::kNone},
                                                           {"market", ActionType::kMarket},
                                                           {"limit", ActionType::kLimit},
                                                           {"cancel", ActionType::kCancel}}};

struct Action {
  ActionType type = ActionType::kNone;
  Decimal quantity;   // market, limit: capped at what the parent has left (less what rests)
  int32_t level = 0;  // limit: the level of the agent's own side, 0 = best
};

struct Fill {
  int64_t time = 0;
  Decimal price;
  Decimal quantity;
  bool passive = false;  // a resting limit order's fill
};

struct Observation {
  std::vector<double> bid_price, bid_size, ask_price, ask_size;  // depth each; NaN/0: no level
  std::vector<double> trades;  // recent_trades rows of (age s, price, size, +1 buy/-1 sell)
  double time_left_s = 0;
  double quantity_left = 0;
  double order_price = 0;  // the resting limit order: NaN when none
  double order_quantity = 0;
  double queue_ahead = 0;
};

struct StepResult {
  double reward_bp = 0;
  bool terminated = false;  // the parent order is done (filled, or the horizon reached)
  bool truncated = false;   // the tape ended before the horizon
  std::vector<Fill> fills;
  Decimal capped;         // action quantity beyond what the parent had left
  bool rejected = false;  // a limit at a level the book does not have
  Decimal beyond_depth;   // final market quantity filled past the visible depth
};

class ExecutionEnv {
 public:
  ExecutionEnv(std::shared_ptr<const MarketTape> tape, const EnvOptions& options);

  // Starts an episode at `start_ns`, or at a time drawn from `seed` (uniform over the starts
  // that leave a whole horizon of tape). Same seed, same episode.
  void reset(uint64_t seed, std::optional<int64_t> start_ns = std::nullopt);
  StepResult step(const Action& action);
  Observation observe() const;

  double arrival_mid() const { return arrival_mid_; }
  int64_t time() const { return now_; }
  int64_t start_time() const { return start_; }
  Decimal quantity_left() const { return left_; }
  // The sum of the episode's rewards so far, negated: its implementation shortfall in bp.
  double shortfall_bp() const { return -total_reward_; }

 private:
  struct Resting {
    Decimal price;
    Decimal quantity;
    Decimal queue_ahead;
  };
  struct Taken {
    Decimal price;
    double amount = 0;  // in size units; a double so it can decay
    int64_t time = 0;
  };

  const Level* own_side(uint32_t frame) const;
  const Level* other_side(uint32_t frame) const;
  Decimal taken_at(Decimal price) const;
  // A level of the other side as the agent sees it: its size less what the agent took there.
  Decimal shown(const Level& level) const;
  void take(Decimal price, Decimal amount);
  void market(Decimal quantity, StepResult* result, bool final);
  void place_limit(const Action& action, StepResult* result);
  void on_book(uint32_t frame);
  void on_trade(const TapeEvent& e, StepResult* result);
  void fill(Decimal price, Decimal quantity, bool passive, StepResult* result);
  Decimal unreserved() const;

  std::shared_ptr<const MarketTape> tape_;
  EnvOptions options_;
  size_t next_ = 0;     // next tape event to apply
  uint32_t frame_ = 0;  // the book now
  int64_t start_ = 0;
  int64_t now_ = 0;
  int64_t end_ = 0;
  double arrival_mid_ = 0;
  Decimal left_;
  std::optional<Resting> resting_;
  std::vector<Taken> taken_;
  std::vector<size_t> recent_;  // tape indexes of the latest trades, oldest first
  double total_reward_ = 0;
};

}  // namespace rlx::env
