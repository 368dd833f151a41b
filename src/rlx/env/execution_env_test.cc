#include "rlx/env/execution_env.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/testing/test_data.h"

namespace rlx::env {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

Decimal dec(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d)) << text;
  return d;
}

// A hand-built tape of depth 2: book frames and trades at given seconds.
class TapeBuilder {
 public:
  TapeBuilder() { tape_.depth = 2; }
  // bids and asks as {price, size} pairs, best first; fewer than 2 leaves the rest empty.
  TapeBuilder& book(double seconds, std::vector<std::pair<const char*, const char*>> bids,
                    std::vector<std::pair<const char*, const char*>> asks) {
    std::vector<Level> b(2), a(2);
    for (size_t i = 0; i < bids.size(); ++i) b[i] = Level{dec(bids[i].first), dec(bids[i].second)};
    for (size_t i = 0; i < asks.size(); ++i) a[i] = Level{dec(asks[i].first), dec(asks[i].second)};
    TapeEvent e;
    e.time = static_cast<int64_t>(seconds * kSecond);
    e.frame = tape_.add_frame(b, a);
    tape_.events.push_back(e);
    return *this;
  }
  TapeBuilder& trade(double seconds, int8_t aggressor, const char* price, const char* size) {
    TapeEvent e;
    e.time = static_cast<int64_t>(seconds * kSecond);
    e.is_trade = true;
    e.aggressor = aggressor;
    e.price = dec(price);
    e.size = dec(size);
    e.frame = tape_.frames() - 1;
    tape_.events.push_back(e);
    return *this;
  }
  std::shared_ptr<const MarketTape> build() { return std::make_shared<MarketTape>(tape_); }

 private:
  MarketTape tape_;
};

Action market(const char* q) { return Action{ActionType::kMarket, dec(q), 0}; }
Action limit(const char* q, int32_t level) { return Action{ActionType::kLimit, dec(q), level}; }

EnvOptions buy(const char* quantity, int64_t horizon_s) {
  EnvOptions o;
  o.side = Side::kBuy;
  o.quantity = dec(quantity);
  o.horizon_ns = horizon_s * kSecond;
  o.step_ns = kSecond;
  return o;
}

// TWAP over 4 s on a book that moves up each second. By hand: the arrival mid is
// (100 + 101) / 2 = 100.5; the four fills of 1 are at 101, 101.5, 102 and 102 (the last second's
// book). Shortfall = sum (p - 100.5) / 100.5 * 1e4 / 4 over the fills
//   = (0.5 + 1 + 1.5 + 1.5) / 100.5 * 1e4 / 4 = 111.940298... bp.
TEST(ExecutionEnv, TwapShortfallEqualsTheHandComputedOne) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}, {"99", "5"}}, {{"101", "5"}, {"102", "5"}})
                  .book(1, {{"100.5", "5"}}, {{"101.5", "5"}, {"102", "5"}})
                  .book(2, {{"101", "5"}}, {{"102", "5"}, {"103", "5"}})
                  .book(3.5, {{"101", "5"}}, {{"102", "5"}, {"103", "5"}})
                  .book(10, {{"101", "5"}}, {{"102", "5"}})
                  .build();
  ExecutionEnv env(tape, buy("4", 4));
  env.reset(0, 0);
  EXPECT_DOUBLE_EQ(env.arrival_mid(), 100.5);
  double total = 0;
  std::vector<double> prices;
  for (int i = 0; i < 4; ++i) {
    const StepResult r = env.step(market("1"));
    for (const Fill& f : r.fills) prices.push_back(f.price.to_double());
    total += r.reward_bp;
    EXPECT_EQ(r.terminated, i == 3) << i;
  }
  EXPECT_EQ(prices, (std::vector<double>{101, 101.5, 102, 102}));
  const double by_hand = (0.5 + 1 + 1.5 + 1.5) / 100.5 * 1e4 / 4;
  EXPECT_NEAR(env.shortfall_bp(), by_hand, 1e-9);
  EXPECT_NEAR(-total, by_hand, 1e-9);
  EXPECT_TRUE(env.quantity_left().is_zero());
}

// A limit buy at the best bid (100, 5 shown) waits behind 5.
TEST(ExecutionEnv, LimitOrderWaitsForTheQueueAheadOfIt) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}, {"99", "5"}}, {{"101", "5"}})
                  .trade(0.2, -1, "100", "3")                              // queue 5 -> 2
                  .book(0.4, {{"100", "4"}, {"99", "5"}}, {{"101", "5"}})  // 4 shown: still 2
                  .book(0.6, {{"100", "1"}, {"99", "5"}}, {{"101", "5"}})  // 1 shown: 1 ahead
                  .trade(0.7, 1, "101", "2")     // a buyer's trade: not against our bid
                  .trade(0.8, -1, "100", "2")    // 1 ahead, then 1 for us
                  .trade(1.5, -1, "100", "0.5")  // 0.5 more
                  .book(5, {{"100", "1"}}, {{"101", "5"}})
                  .build();
  ExecutionEnv env(tape, buy("2", 4));
  env.reset(0, 0);
  StepResult r = env.step(limit("2", 0));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, dec("100"));
  EXPECT_EQ(r.fills[0].quantity, dec("1"));
  EXPECT_TRUE(r.fills[0].passive);
  Observation o = env.observe();
  EXPECT_EQ(o.order_price, 100);
  EXPECT_EQ(o.order_quantity, 1);
  EXPECT_EQ(o.queue_ahead, 0);
  r = env.step(Action{});
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].quantity, dec("0.5"));
  EXPECT_EQ(env.quantity_left(), dec("0.5"));
  // The rest is crossed at the horizon: 0.5 at the ask, 101.
  r = env.step(Action{});
  EXPECT_TRUE(r.fills.empty());
  r = env.step(Action{});
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, dec("101"));
  EXPECT_FALSE(r.fills[0].passive);
  EXPECT_TRUE(r.terminated);
  // 1.5 at 100 and 0.5 at 101 against a 100.5 mid: (-0.5 * 1.5 + 0.5 * 0.5) / 100.5 * 1e4 / 2.
  EXPECT_NEAR(env.shortfall_bp(), (-0.75 + 0.25) / 100.5 * 1e4 / 2, 1e-9);
}

TEST(ExecutionEnv, TradeThroughTheOrdersPriceFillsIt) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}, {"99", "5"}}, {{"101", "5"}})
                  .trade(0.5, -1, "99", "7")  // a sell through 100: all of 100 went first
                  .book(0.6, {{"99", "1"}}, {{"100", "5"}})
                  .book(9, {{"99", "1"}}, {{"100", "5"}})
                  .build();
  ExecutionEnv env(tape, buy("3", 5));
  env.reset(0, 0);
  const StepResult r = env.step(limit("3", 0));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, dec("100"));
  EXPECT_EQ(r.fills[0].quantity, dec("3"));
  EXPECT_TRUE(r.terminated);
}

TEST(ExecutionEnv, QueueAheadEmptiesWhenTheLevelLeavesTheBook) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}, {"99", "5"}}, {{"101", "5"}})
                  .book(0.3, {{"99", "5"}}, {{"101", "5"}})  // 100 gone: we are alone there
                  .trade(0.5, -1, "100", "1")
                  .book(9, {{"99", "5"}}, {{"101", "5"}})
                  .build();
  ExecutionEnv env(tape, buy("2", 5));
  env.reset(0, 0);
  const StepResult r = env.step(limit("2", 0));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].quantity, dec("1"));
}

// What a market order takes stays taken (kNone), comes back at once (kInstant), or decays.
TEST(ExecutionEnv, RefillModelsDecideWhatTheAgentsOwnFillsLeave) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}}, {{"101", "2"}, {"102", "5"}})
                  .book(20, {{"100", "5"}}, {{"101", "2"}, {"102", "5"}})
                  .build();
  auto second_fill_price = [&](Refill refill) {
    EnvOptions o = buy("4", 10);
    o.refill = refill;
    o.refill_half_life_s = 1;
    ExecutionEnv env(tape, o);
    env.reset(0, 0);
    const StepResult first = env.step(market("2"));
    EXPECT_EQ(first.fills.size(), 1u);
    const StepResult second = env.step(market("1"));
    EXPECT_EQ(second.fills.size(), 1u);
    return second.fills.empty() ? 0.0 : second.fills[0].price.to_double();
  };
  EXPECT_EQ(second_fill_price(Refill::kNone), 102);
  EXPECT_EQ(second_fill_price(Refill::kInstant), 101);
  // After 1 s with a 1 s half-life, 1 of the 2 taken is back at 101.
  EXPECT_EQ(second_fill_price(Refill::kExponential), 101);
}

TEST(ExecutionEnv, AtTheHorizonTheRestCrossesPastTheVisibleDepth) {
  auto tape = TapeBuilder()
                  .book(0, {{"100", "5"}}, {{"101", "1"}, {"102", "1"}})
                  .book(30, {{"100", "5"}}, {{"101", "1"}, {"102", "1"}})
                  .build();
  ExecutionEnv env(tape, buy("5", 2));
  env.reset(0, 0);
  env.step(Action{});
  const StepResult r = env.step(Action{});
  EXPECT_TRUE(r.terminated);
  ASSERT_EQ(r.fills.size(), 3u);
  EXPECT_EQ(r.beyond_depth, dec("3"));
  EXPECT_EQ(r.fills[2].price, dec("102"));
}

TEST(ExecutionEnv, SameSeedSameEpisode) {
  TapeBuilder b;
  for (int i = 0; i < 600; ++i) {
    const std::string bid = std::to_string(1000 + i % 7), ask = std::to_string(1001 + i % 7);
    b.book(i * 0.5, {{bid.c_str(), "3"}}, {{ask.c_str(), "3"}});
    if (i % 3 == 0) b.trade(i * 0.5 + 0.1, i % 2 == 0 ? -1 : 1, bid.c_str(), "1");
  }
  auto tape = b.build();
  auto episode = [&](uint64_t seed) {
    ExecutionEnv env(tape, buy("6", 30));
    env.reset(seed);
    std::vector<double> trace = {static_cast<double>(env.start_time())};
    for (int i = 0; i < 30; ++i) {
      const StepResult r = env.step(i % 5 == 0 ? limit("1", 0) : market("0.1"));
      trace.push_back(r.reward_bp);
      if (r.terminated || r.truncated) break;
    }
    return trace;
  };
  EXPECT_EQ(episode(7), episode(7));
  EXPECT_NE(episode(7), episode(8));
  EXPECT_NE(episode(7)[0], episode(8)[0]);
}

TEST(ExecutionEnv, LoadsARealOutputAndPlaysAnEpisode) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  pipeline::ReconstructOptions o;
  o.inputs = {file};
  o.out_dir = tmp.path() / "out";
  o.progress = ProgressMode::kNever;
  pipeline::reconstruct(o);
  auto tape = std::make_shared<const MarketTape>(load_tape(o.out_dir, TapeOptions{}));
  EXPECT_EQ(tape->depth, 5);
  EXPECT_GT(tape->frames(), 1000u);
  for (size_t i = 1; i < tape->events.size(); ++i) {
    ASSERT_GE(tape->events[i].time, tape->events[i - 1].time);
  }
  ExecutionEnv env(tape, buy("0.5", 60));
  env.reset(1);
  StepResult r;
  int steps = 0;
  do {
    r = env.step(market("0.01"));
    ++steps;
  } while (!r.terminated && !r.truncated);
  EXPECT_EQ(steps, 50);  // 50 market orders of 0.01 finish 0.5 (the book has the depth)
  EXPECT_TRUE(env.quantity_left().is_zero());
  EXPECT_TRUE(std::isfinite(env.shortfall_bp()));
}

}  // namespace
}  // namespace rlx::env
