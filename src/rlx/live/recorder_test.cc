#include "rlx/live/recorder.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/capture_segment.h"
#include "rlx/io/line_reader.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {
namespace fs = std::filesystem;

std::string trade(int64_t id) {
  return R"({"e":"trade","E":1723161600000,"s":"BTCUSDT","t":)" + std::to_string(id) +
         R"(,"p":"61000.10","q":"0.001","T":1723161600000,"m":true,"M":true})";
}

// Every line of every segment, in order.
std::vector<std::string> read_all(const fs::path& dir, bool* torn = nullptr) {
  std::vector<std::string> out;
  for (const auto& seg : list_segments(dir)) {
    io::LineReader r(seg.string());
    std::string_view line;
    while (r.next(&line)) out.emplace_back(line);
    if (torn != nullptr) *torn = *torn || r.torn_tail();
  }
  return out;
}

// A fast stream does not wait for the interval: a full chunk is written (and synced) at once,
// and append_line records a line formatted beforehand exactly as append would.
TEST(Recorder, AFullChunkIsWrittenBeforeTheIntervalEnds) {
  testing::TempDir tmp;
  RecorderOptions o;
  o.dir = tmp.path();
  o.flush_interval_ms = 600'000;  // never, within this test
  o.chunk_bytes = 4096;
  Recorder r(o, Log());
  std::string line;
  for (int64_t i = 0; i < 200; ++i) {  // about 30 KiB
    line.clear();
    Recorder::format_line(1'700'000'000'000'000'000 + i, "btcusdt@trade", trade(i), &line);
    if (i % 2 == 0) {
      r.append_line(line);
    } else {
      r.append(1'700'000'000'000'000'000 + i, "btcusdt@trade", trade(i));
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (r.stats().durable_lines < 150 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const RecorderStats st = r.stats();
  EXPECT_GE(st.durable_lines, 150u) << "full chunks waited for the interval";
  EXPECT_GT(st.cpu_ns, 0u);
  r.close();
  const auto lines = read_all(tmp.path());
  ASSERT_EQ(lines.size(), 200u);
  for (int64_t i = 0; i < 200; ++i) {
    line.clear();
    Recorder::format_line(1'700'000'000'000'000'000 + i, "btcusdt@trade", trade(i), &line);
    EXPECT_EQ(lines[static_cast<size_t>(i)], line);
  }
}

TEST(Recorder, LinesComeBackInOrderAcrossRotatedSegmentsAndParse) {
  testing::TempDir tmp;
  {
    RecorderOptions o;
    o.dir = tmp.path();
    o.rotate_bytes = 4000;  // a few dozen lines per segment
    o.flush_interval_ms = 5;
    Recorder r(o, Log());
    for (int64_t i = 0; i < 500; ++i) {
      r.append(1'700'000'000'000'000'000 + i, "btcusdt@trade", trade(i));
      if (i % 37 == 0) r.flush();
    }
    r.close();
    EXPECT_EQ(r.stats().durable_lines, 500u);
    EXPECT_GT(r.stats().segments, 3u);
  }
  const auto lines = read_all(tmp.path());
  ASSERT_EQ(lines.size(), 500u);
  std::string expect;
  Recorder::format_line(1'700'000'000'000'000'042, "btcusdt@trade", trade(42), &expect);
  EXPECT_EQ(lines[42], expect);
  // The file reader reads a segment as a golden-sample capture.
  io::BinanceRawReader reader(list_segments(tmp.path()).front().string());
  Message m;
  ASSERT_TRUE(reader.next(&m));
  EXPECT_EQ(reader.format(), io::BinanceFormat::kGolden);
  EXPECT_EQ(m.trade_id, "0");
  EXPECT_EQ(m.received_time, 1'700'000'000'000'000'000);
}

TEST(Recorder, ANewRecorderContinuesTheNumbering) {
  testing::TempDir tmp;
  for (int run = 0; run < 2; ++run) {
    Recorder r({.dir = tmp.path()}, Log());
    r.append(run, "btcusdt@trade", trade(run));
  }
  const auto segs = list_segments(tmp.path());
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[1].filename(), "capture-000002.jsonl.zst");
  EXPECT_EQ(read_all(tmp.path()).size(), 2u);
}

// A truncated closed segment is bad input; a truncated unfinished one reads to its last whole
// line and says so.
TEST(Recorder, ATornTailIsReadOnlyInAnUnfinishedSegment) {
  testing::TempDir tmp;
  {
    Recorder r({.dir = tmp.path(), .flush_interval_ms = 1}, Log());
    for (int64_t i = 0; i < 100; ++i) r.append(i, "btcusdt@trade", trade(i));
    r.flush();
    for (int64_t i = 100; i < 200; ++i) r.append(i, "btcusdt@trade", trade(i));
    r.close();
  }
  const fs::path seg = list_segments(tmp.path()).front();
  const auto whole = fs::file_size(seg);
  // Closed and cut inside a frame: the footer is gone too, so drop the footer by hand to make
  // an unfinished segment, and separately cut a closed one in its middle.
  const fs::path closed_cut = tmp.path() / "closed.zst";
  fs::copy_file(seg, closed_cut);
  {
    // Remove 5 bytes in the middle of the last data frame, keep the footer: a corrupt file.
    std::string bytes = durability::read_file(closed_cut);
    bytes.erase(bytes.size() - 40, 5);
    std::ofstream(closed_cut, std::ios::binary | std::ios::trunc) << bytes;
  }
  EXPECT_THROW(
      {
        io::LineReader r(closed_cut.string());
        std::string_view l;
        while (r.next(&l)) {
        }
      },
      Error);
  fs::remove(closed_cut);

  // The footer and the end of the last data frame gone.
  fs::resize_file(seg, whole - io::segment_footer_size() - 12);
  bool torn = false;
  const auto lines = read_all(tmp.path(), &torn);
  EXPECT_TRUE(torn);
  EXPECT_GE(lines.size(), 100u);  // the first frame is whole
  EXPECT_LT(lines.size(), 200u);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string expect;
    Recorder::format_line(static_cast<int64_t>(i), "btcusdt@trade", trade(static_cast<int64_t>(i)),
                          &expect);
    ASSERT_EQ(lines[i], expect) << i;
  }
  // The capture reader counts it instead of failing.
  io::BinanceRawReader reader(seg.string());
  Message m;
  uint64_t n = 0;
  while (reader.next(&m)) ++n;
  EXPECT_EQ(n, lines.size());
  ASSERT_EQ(reader.quarantine().reasons.size(), 1u);
  EXPECT_EQ(reader.quarantine().reasons[0].first, "unfinished capture segment");
}

// kill -9 at random moments of a recording child: every segment stays readable, every line the
// child knew durable is there, in order, and none twice.
TEST(Recorder, Sigkill20TimesNeverLeavesAnUnreadableSegmentOrLosesADurableLine) {
  testing::TempDir tmp;
  std::mt19937_64 rng(99);
  int64_t next_id = 0;
  for (int kill = 0; kill < 20; ++kill) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      Recorder r({.dir = tmp.path(), .flush_interval_ms = 2, .rotate_bytes = 20000}, Log());
      for (int64_t id = next_id;; ++id) {
        r.append(id, "btcusdt@trade", trade(id));
        if (id % 50 == 49) {
          r.flush();  // every line up to id is durable: tell the parent
          if (::write(fds[1], &id, sizeof(id)) != sizeof(id)) ::_exit(3);
        }
      }
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 60));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    int64_t durable = next_id - 1;
    int64_t id = 0;
    while (::read(fds[0], &id, sizeof(id)) == sizeof(id)) durable = id;
    ::close(fds[0]);
    // All lines so far: ids strictly increasing by one, through at least `durable`.
    const auto lines = read_all(tmp.path());
    int64_t expect = 0;
    for (const auto& line : lines) {
      std::string want;
      Recorder::format_line(expect, "btcusdt@trade", trade(expect), &want);
      // Each child continues after what is on disk: a repeated or missing id is a duplicate
      // or a loss.
      ASSERT_EQ(line, want) << "kill " << kill << ": line " << expect;
      ++expect;
    }
    ASSERT_GE(expect - 1, durable) << "kill " << kill << ": durable lines lost";
    next_id = expect;  // the next child continues after what is on disk
  }
}

}  // namespace
}  // namespace rlx::live
