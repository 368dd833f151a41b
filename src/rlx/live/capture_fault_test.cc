// Every fault the local exchange can inject is survived and counted (docs/CAPTURE.md): a dropped
// diff resyncs exactly its symbol, a disconnect reconnects, a stale snapshot is fetched again,
// 429 and 418 are waited out, slow delivery and a malformed frame change nothing else, and a
// shutdown notice or the (shortened) 24 h limit hand over to a new connection with no gap and
// no duplicate in the record.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <thread>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/io/line_reader.h"
#include "rlx/live/capture.h"
#include "rlx/live/recorder.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {
namespace fs = std::filesystem;
using exchange::Fault;
using exchange::FaultSpec;

constexpr const char* kFutures = "binance/cryptofeed/BINANCE_FUTURES.ws.1.0";

class CaptureFaults : public ::testing::Test {
 protected:
  void SetUp() override { RLX_REQUIRE_DATA(probe, kFutures); }

  // Serves the 4-symbol USD-M capture at `speed`, runs `before` (faults to arm before the
  // capture connects), starts the capture, runs `during` once `at_frame` frames are out, and
  // stops the capture when the exchange is done.
  CaptureStats run(double speed, const std::function<void(exchange::LocalExchange&)>& before,
                   uint64_t at_frame, const std::function<void(exchange::LocalExchange&)>& during,
                   const std::function<void(CaptureOptions&)>& tune = {}) {
    exchange::ExchangeOptions eo;
    eo.captures = {testing::shared_data_dir() / kFutures};
    eo.pki = exchange::generate_test_pki(tmp_.path() / "pki", {"127.0.0.1"});
    eo.speed = speed;
    eo.log = Log(LogLevel::kWarn, LogFormat::kText);
    exchange::LocalExchange ex(eo);
    if (before) before(ex);
    CaptureOptions co;
    co.market = Market::kUsdM;
    co.symbols = {"AKROUSDT", "CTKUSDT", "KEEPUSDT", "SUSHIUSDT"};
    co.streams = {"aggTrade", "depth@100ms", "bookTicker"};
    co.out_dir = tmp_.path() / "record";
    co.ws_base = ex.ws_base();
    co.rest_base = ex.rest_base();
    co.ca_file = eo.pki.ca_cert.string();
    co.flush_interval_ms = 20;
    co.reconnect_base_ms = 20;
    co.log = Log(LogLevel::kWarn, LogFormat::kText);
    if (tune) tune(co);
    Capture cap(co);
    CaptureStats stats;
    std::thread t([&] { stats = cap.run(); });
    if (during) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (ex.frames_published() < at_frame && !ex.finished() &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      during(ex);
    }
    EXPECT_TRUE(ex.wait_finished(std::chrono::seconds(120)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last frames land
    cap.stop();
    t.join();
    if (::testing::Test::HasFailure()) {
      std::string report;
      stats.write_json(&report);
      std::printf("%s\n", report.c_str());
    }
    record_ = tmp_.path() / "record";
    return stats;
  }

  static void print(const CaptureStats& s) {
    std::string report;
    s.write_json(&report);
    std::printf("%s\n", report.c_str());
  }

  static const SymbolCaptureStats& symbol(const CaptureStats& s, const std::string& name) {
    for (const auto& x : s.symbols) {
      if (x.symbol == name) return x;
    }
    throw std::runtime_error("no symbol " + name);
  }

  // Per stream, ids strictly increase through the record (nothing twice), and each depth
  // stream's pu chain is unbroken (no gap).
  void expect_no_duplicate_and_no_gap() {
    binance::PayloadParser parser;
    Message m;
    std::map<std::string, int64_t> last_id, last_u;
    uint64_t frames = 0;
    for (const auto& seg : list_segments(record_)) {
      io::LineReader r(seg.string());
      std::string_view line;
      while (r.next(&line)) {
        std::string_view stream, data;
        ASSERT_TRUE(binance::split_envelope(line, &stream, &data));
        if (stream.empty() || stream.front() == '!' ||
            stream.find("@depthSnapshot") != std::string_view::npos) {
          continue;
        }
        if (parser.parse(line, {.market = Market::kUsdM, .golden = true}, &m) !=
            binance::PayloadResult::kMessage) {
          continue;
        }
        ++frames;
        const std::string key(stream);
        const int64_t id = m.kind == MessageKind::kTrade ? std::stoll(m.trade_id) : m.update_id;
        if (last_id.count(key) != 0) {
          ASSERT_GT(id, last_id[key]) << key << ": recorded twice or out of order";
        }
        last_id[key] = id;
        if (m.kind == MessageKind::kDelta) {
          if (last_u.count(key) != 0) {
            ASSERT_EQ(m.prev_update_id, last_u[key]) << key << ": a gap in the record";
          }
          last_u[key] = m.update_id;
        }
      }
    }
    EXPECT_GT(frames, 1000u);
  }

  testing::TempDir tmp_;
  fs::path record_;
};

TEST_F(CaptureFaults, ADroppedDiffResyncsExactlyThatSymbol) {
  const CaptureStats s = run(5, {}, 300, [](exchange::LocalExchange& ex) {
    ex.inject({.fault = Fault::kDropDiff, .symbol = "SUSHIUSDT"});
  });
  const auto& sushi = symbol(s, "SUSHIUSDT");
  EXPECT_EQ(sushi.book.gaps, 1u);
  EXPECT_GE(sushi.book.resyncs, 1u);
  EXPECT_GE(sushi.snapshots, 2u);
  EXPECT_TRUE(sushi.synced);
  if (HasFailure()) print(s);
  for (const char* other : {"AKROUSDT", "CTKUSDT", "KEEPUSDT"}) {
    const auto& o = symbol(s, other);
    EXPECT_EQ(o.book.gaps, 0u) << other;
    EXPECT_EQ(o.book.resyncs, 0u) << other;
    EXPECT_EQ(o.snapshots, 1u) << other;
    EXPECT_TRUE(o.synced) << other;
  }
}

TEST_F(CaptureFaults, ADisconnectReconnectsAndEverySymbolResyncs) {
  const CaptureStats s = run(
      5, {}, 300, [](exchange::LocalExchange& ex) { ex.inject({.fault = Fault::kDisconnect}); });
  EXPECT_GE(s.reconnects, 2u);  // both connections (/public and /market)
  for (const auto& x : s.symbols) {
    EXPECT_TRUE(x.synced) << x.symbol;
    EXPECT_GE(x.snapshots, 1u) << x.symbol;
  }
}

// A gap, then a resync snapshot older than the diffs already seen (a venue serving a cached
// book): it cannot bridge, so another is fetched, and that one syncs the book.
TEST_F(CaptureFaults, AStaleSnapshotIsFetchedAgain) {
  const CaptureStats s = run(5, {}, 300, [](exchange::LocalExchange& ex) {
    ex.inject({.fault = Fault::kStaleSnapshot, .symbol = "SUSHIUSDT"});
    ex.inject({.fault = Fault::kDropDiff, .symbol = "SUSHIUSDT"});
  });
  const auto& sushi = symbol(s, "SUSHIUSDT");
  EXPECT_TRUE(sushi.synced);
  EXPECT_GE(sushi.snapshots, 3u);  // the first, the stale one, a good one
  EXPECT_GE(sushi.book.snapshot_not_bridging, 1u);
  if (HasFailure()) print(s);
}

TEST_F(CaptureFaults, TooManyRequestsIsWaitedOut) {
  const CaptureStats s =
      run(5,
          [](exchange::LocalExchange& ex) {
            ex.inject({.fault = Fault::kTooManyRequests, .count = 2, .seconds = 1});
          },
          0, {});
  EXPECT_EQ(s.rest_429, 2u);
  for (const auto& x : s.symbols) EXPECT_TRUE(x.synced) << x.symbol;
}

TEST_F(CaptureFaults, ABanIsWaitedOut) {
  const CaptureStats s =
      run(5, [](exchange::LocalExchange& ex) { ex.inject({.fault = Fault::kBan, .seconds = 1}); },
          0, {});
  EXPECT_EQ(s.rest_418, 1u);
  for (const auto& x : s.symbols) EXPECT_TRUE(x.synced) << x.symbol;
}

TEST_F(CaptureFaults, SlowDeliveryChangesNothing) {
  const CaptureStats s = run(0, {}, 100, [](exchange::LocalExchange& ex) {
    ex.inject({.fault = Fault::kSlow, .count = 100, .milliseconds = 5});
  });
  EXPECT_EQ(s.reconnects, 0u);
  for (const auto& x : s.symbols) {
    EXPECT_TRUE(x.synced) << x.symbol;
    EXPECT_EQ(x.book.gaps, 0u) << x.symbol;
  }
  expect_no_duplicate_and_no_gap();
}

TEST_F(CaptureFaults, AMalformedFrameIsRecordedAndCounted) {
  const CaptureStats s = run(5, {}, 300, [](exchange::LocalExchange& ex) {
    ex.inject({.fault = Fault::kMalformedFrame});
  });
  EXPECT_EQ(s.malformed, 2u);  // one on each connection
  for (const auto& x : s.symbols) {
    EXPECT_TRUE(x.synced) << x.symbol;
    EXPECT_EQ(x.book.gaps, 0u) << x.symbol;
  }
}

TEST_F(CaptureFaults, AShutdownNoticeHandsOverWithNoGapAndNoDuplicate) {
  const CaptureStats s = run(5, {}, 300, [](exchange::LocalExchange& ex) {
    ex.inject({.fault = Fault::kShutdownNotice, .seconds = 1});
  });
  EXPECT_GE(s.rollovers, 2u);
  EXPECT_EQ(s.reconnects, 0u);
  for (const auto& x : s.symbols) EXPECT_EQ(x.book.gaps, 0u) << x.symbol;
  expect_no_duplicate_and_no_gap();
}

// The venue closes connections at 24 h; here the exchange closes them at 2 s and the capture
// replaces each after 1 s: every handover overlaps, so the record has no gap and no duplicate.
TEST_F(CaptureFaults, TheConnectionLimitIsMetByOverlappingConnections) {
  const CaptureStats s = run(
      4,
      [](exchange::LocalExchange& ex) {
        ex.inject({.fault = Fault::kConnectionLimit, .seconds = 2});
      },
      0, {}, [](CaptureOptions& co) { co.rollover_after_s = 1; });
  EXPECT_GE(s.rollovers, 4u);
  EXPECT_EQ(s.reconnects, 0u);
  EXPECT_GT(s.duplicates, 0u);  // the overlaps happened, and were de-duplicated
  for (const auto& x : s.symbols) EXPECT_EQ(x.book.gaps, 0u) << x.symbol;
  expect_no_duplicate_and_no_gap();
}

}  // namespace
}  // namespace rlx::live
