#include "rlx/features/stream_monitor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/testing/event_feed.h"

namespace rlx::features {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;
const Side B = Side::kBid;
const Side A = Side::kAsk;

// Counts, windows, quantiles and the sparse/tick realised variances on a case small enough to
// compute by hand.
TEST(StreamMonitor, HandComputedCase) {
  StreamOptions o;
  o.window_ns = 10 * kSec;
  StreamMonitor m(o);
  testing::EventFeed f(&m);
  f.book(EventType::kBookSnapshot, 1 * kSec, {{B, "100", "1"}, {A, "101", "2"}});  // mid 100.5
  f.trade(1 * kSec + 100 * kMs, Side::kBuy, "101", "0.5", "1");
  f.trade(1 * kSec + 400 * kMs, Side::kSell, "100", "1.5", "2");
  f.book(EventType::kBookDelta, 1 * kSec + 500 * kMs, {{B, "100.5", "1"}});  // mid 100.75
  f.book(EventType::kBookDelta, 2 * kSec + 100 * kMs, {{A, "101", "0"}, {A, "101.5", "1"}},
         event_flags::kGap);  // mid 101, new second
  f.book(EventType::kBookSnapshot, 12 * kSec, {{B, "100", "1"}, {A, "101", "1"}},
         event_flags::kResync);  // next window, mid 100.5
  const StreamSummary s = m.finish();

  ASSERT_EQ(s.windows.size(), 2u);
  EXPECT_EQ(s.windows[0].start_ns, 0);
  EXPECT_EQ(s.windows[1].start_ns, 10 * kSec);
  const StreamWindow& w = s.windows[0];
  EXPECT_EQ(w.events, 2u + 2u + 1u + 2u);
  EXPECT_EQ(w.trades, 2u);
  EXPECT_EQ(w.book_messages, 2u);  // diffs only
  EXPECT_EQ(w.gaps, 1u);
  EXPECT_EQ(w.resyncs, 0u);
  EXPECT_EQ(s.windows[1].resyncs, 1u);
  EXPECT_EQ(s.total.gaps, 1u);
  EXPECT_EQ(s.total.resyncs, 1u);
  EXPECT_EQ(s.total.book_messages, 2u);
  EXPECT_EQ(s.total.start_ns, 1 * kSec);
  // Trade sizes 0.5 and 1.5: the nearest-rank quantiles, each as its sketch bucket's midpoint
  // (within 2^-8 of the value).
  const auto near = [](double got, double want) { EXPECT_NEAR(got, want, want / 256) << want; };
  EXPECT_EQ(w.trade_size.n, 2u);
  near(w.trade_size.value[0], 0.5);
  near(w.trade_size.value[4], 1.5);
  EXPECT_EQ(w.trade_interval_us.n, 1u);
  near(w.trade_interval_us.value[2], 300'000);
  EXPECT_EQ(w.book_interval_us.n, 1u);
  near(w.book_interval_us.value[2], 600'000);
  // Spreads after each diff: 0.5, then 1.
  EXPECT_EQ(w.spread.n, 2u);
  near(w.spread.value[4], 1);
  near(w.spread.value[0], 0.5);
  // Mids 100.5, 100.75 (same second), 101 (next second): tick changes 0.25 and 0.25; one
  // sparse change, 101 - 100.5.
  EXPECT_EQ(w.noise.tick_returns, 2u);
  EXPECT_DOUBLE_EQ(w.noise.rv_tick, 0.125);
  EXPECT_EQ(w.noise.sparse_returns, 1u);
  EXPECT_DOUBLE_EQ(w.noise.rv_sparse, 0.25);
  EXPECT_DOUBLE_EQ(w.noise.noise_variance(), 0);  // rv_tick < rv_sparse: floored
  EXPECT_EQ(w.noise.hausman(), 0);
  EXPECT_EQ(w.noise.p_value(), 1);
  // The whole stream continues across the window: 101 -> 100.5 adds a tick and a sparse change.
  EXPECT_EQ(s.total.noise.tick_returns, 3u);
  EXPECT_EQ(s.total.noise.sparse_returns, 2u);

  JsonWriter j;
  s.write_json(j);
  EXPECT_NE(j.str().find("\"gaps\":1"), std::string::npos);
}

// A resync snapshot that agrees with the book is not counted as a resync; one that moves the
// best quotes is.
TEST(StreamMonitor, OnlyResyncsThatMoveTheQuotesCount) {
  StreamMonitor m;
  testing::EventFeed f(&m);
  f.book(EventType::kBookSnapshot, 1 * kSec, {{B, "100", "1"}, {A, "101", "2"}});
  f.book(EventType::kBookSnapshot, 2 * kSec, {{B, "100", "1"}, {A, "101", "2"}},
         event_flags::kResync);
  EXPECT_EQ(m.finish().total.resyncs, 0u);
  StreamMonitor m2;
  testing::EventFeed f2(&m2);
  f2.book(EventType::kBookSnapshot, 1 * kSec, {{B, "100", "1"}, {A, "101", "2"}});
  f2.book(EventType::kBookSnapshot, 2 * kSec, {{B, "100", "1"}, {A, "101", "3"}},
          event_flags::kResync);
  EXPECT_EQ(m2.finish().total.resyncs, 1u);
}

// A mid that bounces between two prices every message: the tick variance is far above the
// sparse one, so the noise test rejects; a mid that only drifts does not.
TEST(StreamMonitor, NoiseTestSeparatesBounceFromDrift) {
  for (const bool bounce : {true, false}) {
    StreamMonitor m;
    testing::EventFeed f(&m);
    f.book(EventType::kBookSnapshot, 0, {{B, "100", "1"}, {A, "101", "1"}});
    for (int i = 1; i <= 2000; ++i) {
      if (bounce) {
        // A bid at 100.5 appears and goes, ten times a second: the mid bounces 100.5 / 100.75.
        f.book(EventType::kBookDelta, i * 100 * kMs, {{B, "100.5", i % 2 == 1 ? "1" : "0"}});
      } else {
        // The whole book steps up one price unit once a second: every change is a drift.
        f.book(EventType::kBookSnapshot, i * kSec,
               {{B, std::to_string(100 + i), "1"}, {A, std::to_string(101 + i), "1"}});
      }
    }
    const StreamSummary s = m.finish();
    if (bounce) {
      EXPECT_GT(s.total.noise.noise_variance(), 0.01);
      EXPECT_LT(s.total.noise.p_value(), 1e-6);
    } else {
      EXPECT_EQ(s.total.noise.noise_variance(), 0);
      EXPECT_GT(s.total.noise.p_value(), 0.4);
    }
  }
}

// A steady 10 messages a second with one second of 200: that bin, and only it, is an anomaly.
TEST(StreamMonitor, MessageRateBurstIsAnAnomaly) {
  StreamMonitor m;
  testing::EventFeed f(&m);
  f.book(EventType::kBookSnapshot, 0, {{B, "100", "1"}, {A, "101", "1"}});
  for (int64_t sec = 0; sec < 100; ++sec) {
    const int n = sec == 70 ? 200 : 10;
    for (int i = 0; i < n; ++i) {
      f.book(EventType::kBookDelta, sec * kSec + i * (kSec / n), {{B, "100", i % 2 ? "1" : "2"}});
    }
  }
  const StreamSummary s = m.finish();
  EXPECT_EQ(s.total.rate_anomalies, 1u);
  EXPECT_EQ(s.total.rate_bins, 100u - 20u);  // judged once 20 bins of history exist
  EXPECT_THROW(StreamMonitor(StreamOptions{0, 5, 60}), Error);
}

// A monitor saved mid-stream and loaded into a fresh one ends with the same summary, to the
// byte, as one that saw the whole stream (what a checkpoint of `rlx reconstruct --validate`
// relies on).
TEST(StreamMonitor, SaveAndLoadMidStreamGiveTheUninterruptedSummary) {
  const auto feed = [](testing::EventFeed* f, int from, int to) {
    for (int i = from; i < to; ++i) {
      const int64_t t = static_cast<int64_t>(i) * 37 * kMs;
      if (i == 0) f->book(EventType::kBookSnapshot, t, {{B, "100", "1"}, {A, "101", "1"}});
      f->book(EventType::kBookDelta, t, {{B, "100.5", i % 3 ? "1" : "0"}});
      if (i % 5 == 0) f->trade(t, Side::kBuy, "101", std::to_string(1 + i % 7), std::to_string(i));
    }
  };
  StreamMonitor whole;
  testing::EventFeed all(&whole);
  feed(&all, 0, 5000);
  JsonWriter a;
  whole.finish().write_json(a);

  StreamMonitor first;
  testing::EventFeed part(&first);
  feed(&part, 0, 2345);
  std::string bytes;
  BinaryWriter w(&bytes);
  first.save(w);
  BinaryReader r(bytes);
  StreamMonitor second = StreamMonitor::load(r);
  r.expect_end("monitor");
  part.set_consumer(&second);
  feed(&part, 2345, 5000);
  JsonWriter b;
  second.finish().write_json(b);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_NE(a.str().find("\"windows\":[{"), std::string::npos);
  EXPECT_EQ(a.str().find("\"tick_returns\":0,"), std::string::npos);  // the mid moved
}

}  // namespace
}  // namespace rlx::features
