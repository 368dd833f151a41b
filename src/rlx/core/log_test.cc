#include "rlx/core/log.h"

#include <gtest/gtest.h>

namespace rlx {
namespace {

TEST(Log, WritesLogfmtAndJsonLinesAboveItsLevel) {
  ::testing::internal::CaptureStderr();
  Log text(LogLevel::kInfo, LogFormat::kText);
  text.info("reconstruct.done", {{"rows", uint64_t{42}}, {"path", std::string("a b")}});
  text.write(LogLevel::kDebug, "hidden");
  Log json(LogLevel::kWarn, LogFormat::kJson);
  json.info("hidden");
  json.warn("input.quarantine", {{"count", int64_t{-1}}, {"ratio", 0.5}});
  Log().warn("silent");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("level=info event=reconstruct.done rows=42 path=\"a b\"\n"), std::string::npos)
      << out;
  EXPECT_NE(
      out.find("\"level\":\"warn\",\"event\":\"input.quarantine\",\"count\":-1,\"ratio\":0.5}"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_EQ(out.find("silent"), std::string::npos);
}

TEST(Log, ParsesLevels) {
  LogLevel l;
  EXPECT_TRUE(parse_log_level("warn", &l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_FALSE(parse_log_level("loud", &l));
}

}  // namespace
}  // namespace rlx
