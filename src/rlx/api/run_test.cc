#include "rlx/api/run.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "rlx/api/reader.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {

struct Lines : LogSink {
  std::mutex mu;
  std::vector<std::string> got;
  void write(LogLevel, std::string_view line) override {
    const std::lock_guard<std::mutex> lock(mu);
    got.emplace_back(line);
  }
};

struct Updates : ProgressSink {
  std::vector<uint64_t> rows;
  bool final_seen = false;
  void update(uint64_t, uint64_t, uint64_t r, bool final) override {
    rows.push_back(r);
    final_seen = final_seen || final;
  }
};

TEST(Run, ReconstructReportsItsRowsAndLogsToTheCallersSink) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  Lines lines;
  ReconstructRequest r;
  r.inputs = {file};
  r.out_dir = tmp.path() / "out";
  r.log = Log(LogLevel::kInfo, LogFormat::kJson, &lines);
  Updates updates;
  r.progress = &updates;
  ReconstructResult result;
  ::testing::internal::CaptureStderr();
  const Status s = reconstruct(r, &result);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // logs and progress: the sinks
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(result.symbols.size(), 1u);
  EXPECT_EQ(result.symbols[0].rows, result.rows);
  EXPECT_FALSE(lines.got.empty());
  EXPECT_EQ(lines.got.front().front(), '{');
  ASSERT_FALSE(updates.rows.empty());
  EXPECT_TRUE(updates.final_seen);
  EXPECT_EQ(updates.rows.back(), result.rows);
  std::unique_ptr<OutputReader> reader;
  ASSERT_TRUE(OutputReader::open(r.out_dir, ReadOptions{}, &reader).ok());
  EXPECT_EQ(reader->listed_rows(), result.rows);
}

TEST(Run, BadRequestsAreStatusesNotExitCodes) {
  testing::TempDir tmp;
  ReconstructRequest r;
  r.source = "parquet";
  r.out_dir = tmp.path() / "out";
  ReconstructResult result;
  Status s = reconstruct(r, &result);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'binance-raw', 'lake' or 'tardis'"), std::string::npos)
      << s.message();
  r.source = "binance-raw";
  r.inputs = {tmp.path() / "missing.gz"};
  s = reconstruct(r, &result);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing.gz"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rlx
