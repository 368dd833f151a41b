// --events' own contract: a folder in use is refused before the capture starts, and events that
// fall behind past their budget are abandoned with a reason instead of holding the capture up.
#include "rlx/live/live_events.h"

#include <gtest/gtest.h>

#include <fstream>

#include "rlx/core/error.h"
#include "rlx/live/recorder.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {

std::string golden(int64_t ns, std::string_view stream, std::string_view data) {
  std::string line;
  Recorder::format_line(ns, stream, data, &line);
  return line;
}

TEST(LiveEvents, ANonEmptyFolderIsRefused) {
  testing::TempDir tmp;
  std::ofstream(tmp.path() / "keep.txt") << "x";
  LiveEventsOptions o;
  o.out_dir = tmp.path();
  try {
    LiveEvents events(o);
    FAIL() << "accepted a non-empty folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("not an empty folder"), std::string::npos) << e.what();
  }
}

TEST(LiveEvents, LinesBecomeRowsAndAFeedPastItsBudgetIsAbandoned) {
  testing::TempDir tmp;
  {
    LiveEventsOptions o;
    o.out_dir = tmp.path() / "ok";
    LiveEvents events(o);
    events.push(golden(1'700'000'000'000'000'000, "btcusdt@depthSnapshot",
                       R"({"lastUpdateId":10,"bids":[["100.5","1.25"]],"asks":[["101","2"]]})"));
    events.push(golden(1'700'000'000'100'000'000, "btcusdt@depth@100ms",
                       R"({"e":"depthUpdate","E":1700000000090,"s":"BTCUSDT","U":11,"u":12,)"
                       R"("b":[["100.5","0"]],"a":[["101.5","3"]]})"));
    const LiveEventsResult r = events.finish();
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.messages, 2u);
    EXPECT_GT(r.rows, 0u);
    EXPECT_TRUE(std::filesystem::exists(o.out_dir / "manifest.json"));
  }
  {
    LiveEventsOptions o;
    o.out_dir = tmp.path() / "behind";
    o.max_queued_bytes = 64;  // less than one line: the first push is past the budget
    LiveEvents events(o);
    events.push(golden(1, "btcusdt@trade", std::string(100, ' ') + "{}"));
    events.push(golden(2, "btcusdt@trade", "{}"));  // dropped at once, never blocks
    const LiveEventsResult r = events.finish();
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("cannot keep up"), std::string::npos) << r.error;
  }
}

}  // namespace
}  // namespace rlx::live
