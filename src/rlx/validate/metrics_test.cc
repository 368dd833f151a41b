#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rlx/book/order_book.h"
#include "rlx/features/feature_builder.h"
#include "rlx/testing/event_feed.h"
#include "rlx/validate/align.h"
#include "rlx/validate/bootstrap.h"
#include "rlx/validate/registry.h"

namespace rlx::validate {
namespace {

constexpr int64_t kMs = 1'000'000;

using testing::dec;

// A side built from hand-made messages (a snapshot, then deltas and trades), through the real
// FeatureBuilder.
class Side {
 public:
  Side() {
    book(EventType::kBookSnapshot, 1000 * kMs,
         {{rlx::Side::kBid, "99", "2"},
          {rlx::Side::kBid, "100", "1"},
          {rlx::Side::kAsk, "101", "1"},
          {rlx::Side::kAsk, "102", "3"}});
  }
  Side& book(EventType type, int64_t t, const std::vector<testing::EventFeed::Row>& rows) {
    feed_.book(type, t, rows);
    return *this;
  }
  Side& trade(int64_t t, const std::string& price, const std::string& id) {
    feed_.trade(t, rlx::Side::kBuy, price, "1", id);
    return *this;
  }
  features::Features done() { return builder_->finish(); }

 private:
  // On the heap, so a moved Side's feed still points at its builder.
  std::unique_ptr<features::FeatureBuilder> builder_ = std::make_unique<features::FeatureBuilder>();
  testing::EventFeed feed_{builder_.get()};
};

// The usual golden: trades and a few book changes over two seconds.
Side golden_side() {
  Side s;
  s.trade(1100 * kMs, "101", "1").trade(1200 * kMs, "101", "2");
  s.book(EventType::kBookDelta, 1500 * kMs, {{rlx::Side::kBid, "100", "4"}});
  s.trade(1700 * kMs, "100", "3");
  s.book(EventType::kBookDelta, 3000 * kMs, {{rlx::Side::kAsk, "101", "0"}});
  return s;
}

Measurement measure(const char* id, const features::Features& g, const features::Features& c) {
  const Metric* m = find_metric(id);
  EXPECT_NE(m, nullptr) << id;
  if (m == nullptr) return {};
  return m->measure(Sides{g, c, true});
}

TEST(Metrics, RegistryIsComplete) {
  std::set<std::string> ids;
  for (const Metric& m : metrics()) {
    EXPECT_TRUE(ids.insert(m.id).second) << "duplicate id " << m.id;
    EXPECT_TRUE(m.measure) << m.id;
    EXPECT_FALSE(m.series.empty()) << m.id;
    EXPECT_FALSE(m.statistic.empty()) << m.id;
    EXPECT_FALSE(m.cause.empty()) << m.id;
    EXPECT_FALSE(m.remedy.empty()) << m.id;
    EXPECT_GE(m.tolerance, 0) << m.id;
    EXPECT_GT(m.weight, 0) << m.id;
  }
  // Six paired and integrity metrics, nine tier-1, 11 series x 6 statistics + the depth
  // profile, four scalar estimates.
  EXPECT_EQ(ids.size(), 6u + 9u + 67u + 4u);
  for (const char* id : {"paired.snapshot_state", "stream.noise_variance", "dist.spread.ad",
                         "dist.depth_profile.w1", "scalar.hill_trade_size"}) {
    EXPECT_NE(find_metric(id), nullptr) << id;
  }
  EXPECT_EQ(find_metric("no.such.metric"), nullptr);
}

TEST(Metrics, IdenticalSidesMeasureZeroEverywhere) {
  const features::Features g = golden_side().done();
  const features::Features c = golden_side().done();
  // Every metric that can measure this small case measures 0; the paired and integrity ones
  // all can. (The real-data tests in validate_test.cc measure every metric.)
  uint32_t measured = 0;
  for (const Metric& m : metrics()) {
    const Measurement r = m.measure(Sides{g, c, true});
    if (m.rule == Rule::kAbsolute && m.id != "paired.snapshot_state") {
      EXPECT_GT(r.n, 0u) << m.id;
    }
    if (std::isnan(r.effect)) continue;
    ++measured;
    EXPECT_EQ(r.effect, 0.0) << m.id << ": " << r.detail;
  }
  EXPECT_GE(measured, 5u);
}

TEST(Metrics, TradeIdsCountMissingExtraAlteredAndDuplicated) {
  const features::Features g = golden_side().done();
  Side c;
  c.trade(1100 * kMs, "101", "1").trade(1200 * kMs, "102", "2");  // 2: price altered
  c.book(EventType::kBookDelta, 1500 * kMs, {{rlx::Side::kBid, "100", "4"}});
  c.trade(1600 * kMs, "100", "9").trade(1600 * kMs, "100", "9");  // 9: extra, twice; 3 missing
  c.book(EventType::kBookDelta, 3000 * kMs, {{rlx::Side::kAsk, "101", "0"}});
  const Measurement r = measure("paired.trade_ids", g, c.done());
  EXPECT_EQ(r.n, 4u);                     // ids 1, 2, 3, 9
  EXPECT_DOUBLE_EQ(r.effect, 4.0 / 4.0);  // 1 missing, 1 extra, 1 duplicate, 1 altered
  EXPECT_NE(r.detail.find("1 missing, 1 extra, 1 duplicated, 1 altered"), std::string::npos)
      << r.detail;
}

TEST(Metrics, ABookDifferenceShowsInTopLevelsNotInTheMid) {
  const features::Features g = golden_side().done();
  Side c;
  c.trade(1100 * kMs, "101", "1").trade(1200 * kMs, "101", "2");
  c.book(EventType::kBookDelta, 1500 * kMs, {{rlx::Side::kBid, "100", "5"}});  // 5, not 4
  c.trade(1700 * kMs, "100", "3");
  c.book(EventType::kBookDelta, 3000 * kMs, {{rlx::Side::kAsk, "101", "0"}});
  const features::Features cf = c.done();
  // Grid times 1.0 .. 3.0 s: 21 rows; 1.5 .. 3.0 hold the different size (16 rows).
  const Measurement top = measure("paired.top_k_equal", g, cf);
  EXPECT_EQ(top.n, 21u);
  EXPECT_DOUBLE_EQ(top.effect, 16.0 / 21.0);
  EXPECT_EQ(measure("paired.mid_difference", g, cf).effect, 0.0);
  EXPECT_EQ(measure("paired.spread_difference", g, cf).effect, 0.0);
}

TEST(Metrics, AStaleAskShowsInMidSpreadAndCrossedRate) {
  const features::Features g = golden_side().done();
  Side c;
  c.trade(1100 * kMs, "101", "1").trade(1200 * kMs, "101", "2");
  // The bid moves up through the ask, whose delete never came: crossed from 1.5 s on.
  c.book(EventType::kBookDelta, 1500 * kMs, {{rlx::Side::kBid, "101.5", "4"}});
  c.trade(1700 * kMs, "100", "3");
  c.book(EventType::kBookDelta, 3000 * kMs, {{rlx::Side::kAsk, "101", "0"}});
  const features::Features cf = c.done();
  // Tick 0.5 here (101.5 is in no snapshot, so the unit stays the golden's 1: off the grid).
  EXPECT_GT(cf.off_grid_values, 0u);
  const Measurement crossed = measure("integrity.crossed_rate", g, cf);
  EXPECT_GT(crossed.effect, 0.5) << crossed.detail;
  EXPECT_GT(measure("paired.mid_difference", g, cf).effect, 0.0);
  EXPECT_GT(measure("paired.spread_difference", g, cf).effect, 0.0);
}

// The equivalence rule's interval: the mean of the windows' differences, and a 90 % interval
// that is a point for equal differences, holds the mean, and widens with their spread.
TEST(Bootstrap, WindowBlockIntervalOfTheMeanDifference) {
  const BootstrapInterval zero = window_bootstrap({0, 0, 0, 0, 0}, 1000, 1);
  EXPECT_EQ(zero.mean, 0);
  EXPECT_EQ(zero.low, 0);
  EXPECT_EQ(zero.high, 0);
  const BootstrapInterval narrow = window_bootstrap({0.9, 1.0, 1.1, 1.0, 0.95, 1.05}, 1000, 1);
  const BootstrapInterval wide = window_bootstrap({-1.0, 3.0, 0.0, 2.0, 1.0, 1.0}, 1000, 1);
  EXPECT_DOUBLE_EQ(narrow.mean, 1.0);
  EXPECT_DOUBLE_EQ(wide.mean, 1.0);
  EXPECT_LT(narrow.low, 1.0);
  EXPECT_GT(narrow.high, 1.0);
  EXPECT_GT(narrow.low, 0.9);
  EXPECT_LT(narrow.high, 1.1);
  EXPECT_GT(wide.high - wide.low, 5 * (narrow.high - narrow.low));
  EXPECT_EQ(narrow.replicates, 1000u);
  // The same seed, the same interval.
  const BootstrapInterval again = window_bootstrap({-1.0, 3.0, 0.0, 2.0, 1.0, 1.0}, 1000, 1);
  EXPECT_EQ(again.low, wide.low);
  EXPECT_EQ(again.high, wide.high);
  // One window: a mean, no interval.
  EXPECT_TRUE(std::isnan(window_bootstrap({2.0}, 1000, 1).low));
}

}  // namespace
}  // namespace rlx::validate
