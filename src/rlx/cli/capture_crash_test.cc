// `rlx capture` killed with SIGKILL at random moments, 20 times, into one folder, against the
// local exchange: every segment stays readable, and no frame is recorded twice. Then SIGTERM
// and SIGINT end a capture cleanly: exit 0, every segment closed, report.json written.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/io/line_reader.h"
#include "rlx/live/recorder.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {
namespace fs = std::filesystem;

class CaptureCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    RLX_REQUIRE_DATA(usdm, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
    exchange::ExchangeOptions eo;
    eo.captures = {usdm};
    eo.pki = exchange::generate_test_pki(tmp_.path() / "pki", {"127.0.0.1"});
    // The capture holds 344 s of data: at 2x it outlasts the 20 runs even under the sanitizers
    // (about 80 s there; a run that finds the data served out records nothing).
    eo.speed = 2;
    eo.record_served = false;
    eo.start_wait = std::chrono::milliseconds(0);
    exchange_ = std::make_unique<exchange::LocalExchange>(eo);
    ca_ = eo.pki.ca_cert.string();
  }

  std::vector<std::string> capture_args(const fs::path& out) const {
    return {RLX_BINARY,
            "capture",
            "--market",
            "usdm",
            "--symbols",
            "BTCUSDT",
            "--streams",
            "depth@0ms,trade,bookTicker",
            "--ws-url",
            exchange_->ws_base(),
            "--rest-url",
            exchange_->rest_base(),
            "--ca-file",
            ca_,
            "--flush-interval-ms",
            "50",
            "--rotate-mb",
            "1",
            "--out",
            out.string(),
            "--progress",
            "never"};
  }

  // Reads the segments from index `first` on (throws if one cannot be read) and checks that per
  // stream the ids strictly increase: nothing twice. Returns the market-data lines.
  static uint64_t check_record(const fs::path& dir, uint64_t* torn, size_t first = 0) {
    binance::PayloadParser parser;
    Message m;
    std::map<std::string, int64_t> last;
    uint64_t lines = 0;
    const std::vector<fs::path> segments = live::list_segments(dir);
    for (size_t i = first; i < segments.size(); ++i) {
      const fs::path& seg = segments[i];
      io::LineReader r(seg.string());
      std::string_view line;
      while (r.next(&line)) {
        std::string_view stream, data;
        EXPECT_TRUE(binance::split_envelope(line, &stream, &data)) << seg;
        if (stream.empty() || stream.front() == '!' ||
            stream.find("@depthSnapshot") != std::string_view::npos) {
          continue;
        }
        if (parser.parse(line, {.market = Market::kUsdM, .golden = true}, &m) !=
            binance::PayloadResult::kMessage) {
          ADD_FAILURE() << seg << ":" << r.line_number() << ": " << parser.problem().what;
          continue;
        }
        const int64_t id = m.kind == MessageKind::kTrade ? std::stoll(m.trade_id) : m.update_id;
        const std::string key(stream);
        if (last.count(key) != 0) {
          EXPECT_GT(id, last[key]) << seg << ":" << r.line_number() << " recorded twice";
        }
        last[key] = id;
        ++lines;
      }
      if (r.torn_tail()) ++*torn;
    }
    return lines;
  }

  // Waits (up to a minute) until a run that started with `first` segments on disk has made a
  // market-data line durable: on a loaded machine start-up alone can take longer than a kill delay.
  static bool wait_for_recording(const fs::path& dir, size_t first, pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::kill(pid, 0) != 0) return false;
      uint64_t torn = 0;
      if (check_record(dir, &torn, first) > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  testing::TempDir tmp_;
  std::unique_ptr<exchange::LocalExchange> exchange_;
  std::string ca_;
};

TEST_F(CaptureCrash, Sigkill20TimesLeavesEverySegmentReadableAndNothingTwice) {
  const fs::path out = tmp_.path() / "record";
  const fs::path err = tmp_.path() / "stderr";
  std::mt19937_64 rng(20261129);
  std::uniform_int_distribution<int> after_ms(0, 1200);
  uint64_t before = 0;
  uint64_t torn = 0;
  for (int kill = 0; kill < 20; ++kill) {
    // Odd kills land at any moment, start-up included; even ones once recording has begun, and
    // those must each add lines.
    const size_t first = live::list_segments(out).size();
    const pid_t pid = testing::spawn_process(capture_args(out), err);
    const bool recording = kill % 2 == 0;
    if (recording) ASSERT_TRUE(wait_for_recording(out, first, pid)) << "kill " << kill;
    int code = -1;
    ASSERT_TRUE(testing::kill_after(pid, after_ms(rng) / 1000.0, &code))
        << "the capture ended by itself (" << code << ")";
    uint64_t torn_now = 0;
    const uint64_t lines = check_record(out, &torn_now);
    if (HasFailure()) return;
    if (recording) EXPECT_GT(lines, before) << "kill " << kill;
    before = lines;
    torn = torn_now;
  }
  std::printf("capture crash harness: 20 kills, %llu frames recorded, %llu torn segment tails\n",
              static_cast<unsigned long long>(before), static_cast<unsigned long long>(torn));
}

TEST_F(CaptureCrash, SigtermAndSigintStopCleanly) {
  for (int sig : {SIGTERM, SIGINT}) {
    const fs::path out = tmp_.path() / ("record" + std::to_string(sig));
    const pid_t pid = testing::spawn_process(capture_args(out), tmp_.path() / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    ::kill(pid, sig);
    EXPECT_EQ(testing::wait_exit(pid), 0) << "signal " << sig;
    EXPECT_TRUE(fs::exists(out / "report.json"));
    for (const auto& seg : live::list_segments(out)) {
      io::LineReader r(seg.string());
      EXPECT_FALSE(r.unfinished_segment()) << seg << " was not closed";
    }
    uint64_t torn = 0;
    EXPECT_GT(check_record(out, &torn), 0u);
    EXPECT_EQ(torn, 0u);
  }
}

}  // namespace
}  // namespace rlx
