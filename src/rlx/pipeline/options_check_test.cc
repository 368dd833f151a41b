#include "rlx/pipeline/options_check.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rlx/core/error.h"
#include "rlx/core/message.h"
#include "rlx/pipeline/supervisor.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

TEST(OptionsCheck, WholeNumbersParseOnlyInsideTheirDomain) {
  int64_t v = -7;
  std::string error;
  EXPECT_TRUE(parse_in(kBatchSize, "1000000", &v, &error));
  EXPECT_EQ(v, 1'000'000);
  for (const char* bad : {"0", "1000001", "-1", "", "1.5", "1e3", "nan", "inf", " 5", "5 ", "+5",
                          "0x10", "9223372036854775808", "99999999999999999999999"}) {
    EXPECT_FALSE(parse_in(kBatchSize, bad, &v, &error)) << bad;
    EXPECT_EQ(error, std::string("--batch-size must be a whole number of messages from 1 to "
                                 "1000000, not '") +
                         bad + "'");
  }
  EXPECT_EQ(v, 1'000'000);  // untouched by refused values
  EXPECT_TRUE(parse_in(kSeed, "9223372036854775807", &v, &error));
  EXPECT_EQ(v, INT64_MAX);
}

TEST(OptionsCheck, DecimalsRefuseNanInfinityAndTheOutOfRange) {
  double v = 0;
  std::string error;
  EXPECT_TRUE(parse_in(kWorkerTimeout, "2.5", &v, &error));
  EXPECT_EQ(v, 2.5);
  for (const char* bad :
       {"nan", "NaN", "inf", "-inf", "infinity", "1e400", "0.5", "604801", "", "abc", "1,5"}) {
    EXPECT_FALSE(parse_in(kWorkerTimeout, bad, &v, &error)) << bad;
    EXPECT_NE(error.find("--worker-timeout must be a number of seconds from 1 to 604800"),
              std::string::npos)
        << error;
  }
}

TEST(OptionsCheck, CalendarDates) {
  for (const char* good : {"2024-02-29", "2000-02-29", "2023-12-31", "1970-01-01"}) {
    EXPECT_TRUE(valid_date(good)) << good;
  }
  for (const char* bad :
       {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
        "2024-1-01", "24-01-01", "2024/01/01", "", "yesterday", "2024-01-01T00"}) {
    EXPECT_FALSE(valid_date(bad)) << bad;
  }
}

TEST(OptionsCheck, PartitionNames) {
  for (const char* good : {"BTCUSDT", "BTCUSD_PERP", "BTC-PERPETUAL", "BTC-25DEC20-10000-C",
                           "binance-futures", ".BXBT", "a"}) {
    EXPECT_TRUE(valid_partition_name(good)) << good;
  }
  for (const char* bad : {"", ".", "..", "A/B", "A B", "A=B", "A\\B", "XBT/USD", "%2F", "\x01"}) {
    EXPECT_FALSE(valid_partition_name(bad)) << bad;
  }
  // UTF-8 characters are names (Binance listed 币安人生USDT); broken UTF-8 is not.
  EXPECT_TRUE(valid_partition_name("\xe5\xb8\x81\xe5\xae\x89\xe4\xba\xba\xe7\x94\x9fUSDT"));
  EXPECT_TRUE(valid_partition_name("\xc3\xa9t\xc3\xa9"));
  for (const char* bad : {"\xff", "\xc3", "A\xc3(", "\xe5\xb8", "\xc0\xaf", "\xe0\x80\xaf",
                          "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"}) {
    EXPECT_FALSE(valid_partition_name(bad)) << bad;
  }
  EXPECT_TRUE(valid_partition_name(std::string(64, 'X')));
  EXPECT_FALSE(valid_partition_name(std::string(65, 'X')));
  EXPECT_EQ(
      partition_name_error("symbol", std::string("A\x01") + std::string(100, 'B')).substr(0, 20),
      "symbol 'A\\x01BBBBBBB");
}

// A library caller gets the command line's answer: reconstruct() and supervise() refuse the
// same options before they touch anything.
TEST(OptionsCheck, TheLibraryEntryPointsRefuseBeforeAnyWork) {
  const testing::TempDir tmp;
  const fs::path input = tmp.path() / "in.txt";
  std::ofstream(input) << "\n";
  ReconstructOptions o;
  o.inputs = {input};
  o.out_dir = tmp.path() / "out";
  o.batch_size = 0;
  try {
    reconstruct(o);
    FAIL() << "batch_size 0 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("--batch-size"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(o.out_dir));
  SupervisorOptions s;
  s.run.inputs = {input};
  s.run.out_dir = tmp.path() / "out";
  s.watchdog_seconds = std::numeric_limits<double>::quiet_NaN();
  try {
    supervise(s);
    FAIL() << "a NaN watchdog was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("--worker-timeout"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(s.run.out_dir));
}

TEST(OptionsCheck, OverlappingPaths) {
  const testing::TempDir tmp;
  const fs::path lake = tmp.path() / "lake";
  fs::create_directories(lake / "trades");
  std::ofstream(tmp.path() / "a.txt") << "x\n";
  auto refused = [](const std::vector<fs::path>& in, const fs::path& out) {
    try {
      check_paths(in, out);
      return std::string();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
      return std::string(e.what());
    }
  };
  EXPECT_EQ(refused({lake}, tmp.path() / "out"), "");
  EXPECT_NE(refused({lake}, lake / "events").find("lies inside --input"), std::string::npos);
  EXPECT_NE(refused({lake}, lake / "x" / ".." / "y").find("lies inside --input"),
            std::string::npos);
  EXPECT_NE(refused({lake / "trades"}, lake).find("lies inside --out"), std::string::npos);
  EXPECT_NE(refused({lake, lake / "trades"}, tmp.path() / "o").find("read whole"),
            std::string::npos);
  EXPECT_NE(refused({tmp.path() / "a.txt", tmp.path() / "." / "a.txt"}, tmp.path() / "o")
                .find("same file twice"),
            std::string::npos);
  EXPECT_NE(refused({tmp.path() / "a.txt"}, tmp.path() / "a.txt").find("is a file"),
            std::string::npos);
  // A sibling whose name merely starts like the input is not inside it.
  EXPECT_EQ(refused({lake}, tmp.path() / "lake2"), "");
}

}  // namespace
}  // namespace rlx::pipeline
