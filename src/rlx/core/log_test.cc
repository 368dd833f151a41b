#include "rlx/core/log.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

TEST(Log, SendsLinesToTheCallersSinkInsteadOfStderr) {
  struct Lines : LogSink {
    std::vector<std::pair<LogLevel, std::string>> got;
    void write(LogLevel level, std::string_view line) override { got.emplace_back(level, line); }
  } sink;
  ::testing::internal::CaptureStderr();
  const Log log(LogLevel::kInfo, LogFormat::kText, &sink);
  log.info("a.b", {{"n", int64_t{3}}});
  log.write(LogLevel::kDebug, "hidden");
  log.warn("c.d");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[0].first, LogLevel::kInfo);
  EXPECT_NE(sink.got[0].second.find("level=info event=a.b n=3"), std::string::npos);
  EXPECT_EQ(sink.got[0].second.back(), '3');  // no newline
  EXPECT_EQ(sink.got[1].first, LogLevel::kWarn);
}

TEST(Log, ParsesLevels) {
  LogLevel l;
  EXPECT_TRUE(parse_name(kLogLevelNames, "warn", &l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_FALSE(parse_name(kLogLevelNames, "loud", &l));
  EXPECT_EQ(name_of(kLogFormatNames, LogFormat::kJson), "json");
}

}  // namespace
}  // namespace rlx
