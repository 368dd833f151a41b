// Shards as processes (build/rlx plan, run-shard, status, merge) on real captures: a chain of
// shards, run with duplicates, a SIGKILL and a SIGTERM among them, merges into the bytes a
// single-machine `rlx reconstruct` writes with the same options.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rlx/durability/durable_file.h"
#include "rlx/shard/shard_runner.h"
#include "rlx/testing/files.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx::shard {
namespace {
namespace fs = std::filesystem;

// The contract's bound for a finished shard, process start included; sanitizers slow start-up.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kFinishedShardMs = 1000;
#else
constexpr double kFinishedShardMs = 100;
#endif

using ::rlx::testing::slurp;

// Whether process `pid` has blocked SIGTERM (its signal thread handles it from then on), within
// 10 s: a SIGTERM sent earlier would end it with the default action instead.
bool blocks_sigterm(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      const uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
      if ((mask & (uint64_t{1} << (SIGTERM - 1))) != 0) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

int rlx(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> all = {RLX_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  return testing::wait_exit(testing::spawn_process(all, log, log.string() + ".out"));
}

// The "rows" of a report.json.
uint64_t report_rows(const fs::path& report_json) {
  const std::string report = slurp(report_json);
  return std::stoull(report.substr(report.find("\"rows\": ") + 8));
}

// Every shard of the plan is done and its marker says what it cost; returns the rows the shards
// wrote (a chained shard: its window's rows, not its symbol's so far).
uint64_t rows_of_done_shards(const fs::path& plan_dir) {
  const Plan plan = read_plan(plan_dir);
  uint64_t rows = 0;
  for (const ShardState& s : shard_states(plan)) {
    EXPECT_EQ(s.state, "done") << s.shard->id();
    EXPECT_GE(s.cost.rows, 0) << s.shard->id();
    EXPECT_GE(s.cost.seconds, 0) << s.shard->id();
    EXPECT_GE(s.cost.cpu_seconds, 0) << s.shard->id();
    EXPECT_GT(s.cost.peak_rss_bytes, int64_t{1} << 20) << s.shard->id();
    rows += static_cast<uint64_t>(s.cost.rows);
  }
  return rows;
}

class Shards : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"binance/hftbacktest/spot_btcusdt_20240808.gz",
                             "binance/hftbacktest/spot_btcusdt_20240809.gz",
                             "binance/hftbacktest/usdm_ethusdt_20240808.gz"}) {
      const fs::path file = testing::shared_data_dir() / name;
      if (!fs::exists(file)) {
        if (testing::in_ci()) FAIL() << "CI is set but test data is missing: " << file;
        GTEST_SKIP() << "test data not found: " << file;
      }
      inputs_.push_back(file.string());
    }
  }

  // 2 symbols x 6 windows of 120 s: 12 shards (23:54 to 00:06 UTC, around midnight).
  std::vector<std::string> plan_args(const fs::path& plan) const {
    std::vector<std::string> a = {"plan", "--input"};
    a.insert(a.end(), inputs_.begin(), inputs_.end());
    for (const char* s : {"--from", "2024-08-08T23:54", "--to", "2024-08-09T00:06",
                          "--shard-seconds", "120", "--out"}) {
      a.emplace_back(s);
    }
    a.push_back(plan.string());
    return a;
  }

  std::vector<std::string> shard_args(const fs::path& plan, int index) const {
    return {RLX_BINARY, "run-shard", "--plan", plan.string(), "--index", std::to_string(index)};
  }

  // The single-machine run with the plan's options (a checkpoint at each window's end).
  fs::path reference() {
    const fs::path ref = tmp_.path() / "reference";
    std::vector<std::string> a = {"reconstruct", "--input"};
    a.insert(a.end(), inputs_.begin(), inputs_.end());
    for (const char* s : {"--checkpoint-seconds", "120", "--progress", "never", "--out"}) {
      a.emplace_back(s);
    }
    a.push_back(ref.string());
    EXPECT_EQ(rlx(a, tmp_.path() / "reference.log"), 0) << slurp(tmp_.path() / "reference.log");
    return ref;
  }

  testing::TempDir tmp_;
  std::vector<std::string> inputs_;
};

TEST_F(Shards, AChainWithDuplicatesAKillAndASigtermMergesIntoTheSingleMachineOutput) {
  const fs::path plan = tmp_.path() / "plan";
  const fs::path log = tmp_.path() / "shard.log";
  ASSERT_EQ(rlx(plan_args(plan), log), 0) << slurp(log);
  ASSERT_TRUE(fs::exists(plan / "plan.json"));
  EXPECT_NE(slurp(log.string() + ".out").find("12 shards (6 windows x 2 symbols, chained)"),
            std::string::npos)
      << slurp(log.string() + ".out");

  // Shard 2 continues shard 0 (same symbol, next window): not ready yet.
  EXPECT_EQ(testing::wait_exit(testing::spawn_process(shard_args(plan, 2), log)), 75) << slurp(log);
  EXPECT_EQ(rlx({"merge", "--plan", plan.string()}, log), 75);

  // Two copies of shard 0 at once: one result, both succeed.
  const pid_t a = testing::spawn_process(shard_args(plan, 0), tmp_.path() / "a.log");
  const pid_t b = testing::spawn_process(shard_args(plan, 0), tmp_.path() / "b.log");
  EXPECT_EQ(testing::wait_exit(a), 0) << slurp(tmp_.path() / "a.log");
  EXPECT_EQ(testing::wait_exit(b), 0) << slurp(tmp_.path() / "b.log");

  // A finished shard exits 0 at once.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(testing::wait_exit(testing::spawn_process(shard_args(plan, 0), log)), 0);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, kFinishedShardMs) << "a finished shard took " << ms << " ms";

  for (int i = 1; i < 12; ++i) {
    if (i == 3) {  // SIGKILLed mid-run, then run again
      int code = 0;
      testing::kill_after(testing::spawn_process(shard_args(plan, i), log), 0.15, &code);
    } else if (i == 5) {  // SIGTERM: stops after its first batch, resumable, exits 75
      pid_t p = 0;
      {
        // Held here, the shard's lock keeps it waiting until the signal has come.
        const durability::FileLock lock(plan / "shards" / "000005.lock");
        p = testing::spawn_process(shard_args(plan, i), log);
        ASSERT_TRUE(blocks_sigterm(p)) << "run-shard never took over SIGTERM";
        ::kill(p, SIGTERM);
      }
      EXPECT_EQ(testing::wait_exit(p), 75) << slurp(log);
      EXPECT_NE(slurp(log).find("stopped (signal)"), std::string::npos) << slurp(log);
    }
    ASSERT_EQ(testing::wait_exit(testing::spawn_process(shard_args(plan, i), log)), 0)
        << "shard " << i << ": " << slurp(log);
  }
  ASSERT_EQ(rlx({"status", "--plan", plan.string()}, log), 0);
  const std::string status = slurp(log.string() + ".out");
  EXPECT_NE(status.find("12 shards: 12 done"), std::string::npos) << status;
  EXPECT_NE(status.find("12 done: "), std::string::npos) << status;  // their cost
  ASSERT_EQ(rlx({"merge", "--plan", plan.string()}, log), 0) << slurp(log);
  EXPECT_TRUE(fs::exists(plan / "out" / "report.json"));
  EXPECT_EQ(rows_of_done_shards(plan), report_rows(plan / "out" / "report.json"));

  const auto merged = ::rlx::testing::output_files(plan / "out");
  const auto single = ::rlx::testing::output_files(reference());
  ASSERT_GT(merged.size(), 2u);
  EXPECT_EQ(merged.size(), single.size());
  for (const auto& [path, bytes] : single) {
    const auto it = merged.find(path);
    ASSERT_NE(it, merged.end()) << path << " is missing from the merged output";
    EXPECT_TRUE(it->second == bytes) << path << " differs";
  }

  // The merge checks each part at its size; --checksums also hashes them.
  fs::path part;
  for (const auto& e : fs::recursive_directory_iterator(plan / "out")) {
    if (e.path().extension() == ".parquet") part = e.path();
  }
  ASSERT_FALSE(part.empty());
  {
    std::fstream f(part, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  EXPECT_EQ(rlx({"merge", "--plan", plan.string(), "--checksums"}, log), 65) << slurp(log);
  EXPECT_NE(slurp(log).find("checksum differs"), std::string::npos) << slurp(log);
  fs::resize_file(part, fs::file_size(part) - 1);
  EXPECT_EQ(rlx({"merge", "--plan", plan.string()}, log), 65) << slurp(log);
  EXPECT_NE(slurp(log).find("size differs"), std::string::npos) << slurp(log);
}

// Lake inputs (each symbol's own partitions, read directly by its shards) chain the same way.
TEST_F(Shards, LakeShardsMergeIntoTheSingleMachineOutputToo) {
  const fs::path lake = tmp_.path() / "lake";
  const fs::path log = tmp_.path() / "lake.log";
  std::vector<std::string> convert = {"convert", "--progress",  "never",
                                      "--out",   lake.string(), "--input"};
  convert.insert(convert.end(), inputs_.begin(), inputs_.end());
  ASSERT_EQ(rlx(convert, log), 0) << slurp(log);
  const fs::path plan = tmp_.path() / "plan";
  ASSERT_EQ(rlx({"plan", "--source", "lake", "--input", lake.string(), "--from", "2024-08-08T23:54",
                 "--to", "2024-08-09T00:06", "--shard-seconds", "120", "--out", plan.string()},
                log),
            0)
      << slurp(log);
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(testing::wait_exit(testing::spawn_process(shard_args(plan, i), log)), 0)
        << "shard " << i << ": " << slurp(log);
  }
  ASSERT_EQ(rlx({"merge", "--plan", plan.string()}, log), 0) << slurp(log);
  const fs::path single = tmp_.path() / "single";
  ASSERT_EQ(rlx({"reconstruct", "--source", "lake", "--input", lake.string(),
                 "--checkpoint-seconds", "120", "--progress", "never", "--out", single.string()},
                log),
            0)
      << slurp(log);
  const auto merged = ::rlx::testing::output_files(plan / "out");
  const auto expected = ::rlx::testing::output_files(single);
  ASSERT_GT(expected.size(), 2u);
  EXPECT_TRUE(merged == expected) << merged.size() << " files merged, " << expected.size()
                                  << " from the single machine";
}

// Lake days with whole-day windows are independent by default: every shard at once (here in
// reverse order), each a cold start on its own dt partitions, and the merge gathers exactly what
// `rlx reconstruct --date-from D --date-to D` writes for each day. BTCUSDT is on two exchanges:
// each is its own shard.
TEST_F(Shards, LakeDaysRunIndependentlyAsSingleDayRuns) {
  RLX_REQUIRE_DATA(usdm_btc, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  const fs::path lake = tmp_.path() / "lake";
  const fs::path log = tmp_.path() / "days.log";
  std::vector<std::string> convert = {"convert", "--progress",  "never",
                                      "--out",   lake.string(), "--input"};
  convert.insert(convert.end(), inputs_.begin(), inputs_.end());
  convert.push_back(usdm_btc.string());
  ASSERT_EQ(rlx(convert, log), 0) << slurp(log);
  const fs::path plan = tmp_.path() / "plan";
  ASSERT_EQ(rlx({"plan", "--source", "lake", "--input", lake.string(), "--from", "2024-08-08",
                 "--to", "2024-08-10", "--out", plan.string()},
                log),
            0)
      << slurp(log);
  EXPECT_NE(slurp(log.string() + ".out").find("9 shards (3 windows x 3 symbols, independent days)"),
            std::string::npos)
      << slurp(log.string() + ".out");
  ASSERT_EQ(rlx({"status", "--plan", plan.string()}, log), 0) << slurp(log);
  EXPECT_EQ(slurp(log.string() + ".out").find("waiting"), std::string::npos)
      << slurp(log.string() + ".out");
  {  // SIGTERM: shard 1 stops after its first batch, exits 75, and its next run resumes its day
    pid_t p = 0;
    {
      const durability::FileLock lock(plan / "shards" / "000001.lock");
      p = testing::spawn_process(shard_args(plan, 1), log);
      ASSERT_TRUE(blocks_sigterm(p)) << "run-shard never took over SIGTERM";
      ::kill(p, SIGTERM);
    }
    EXPECT_EQ(testing::wait_exit(p), 75) << slurp(log);
    EXPECT_TRUE(fs::exists(plan / "days" / "000001" / ".rlx" / "run.json"));
  }
  for (int i = 8; i >= 0; --i) {  // no partition holds 2024-08-10: shards 6 to 8 have no rows
    ASSERT_EQ(testing::wait_exit(testing::spawn_process(shard_args(plan, i), log)), 0)
        << "shard " << i << ": " << slurp(log);
  }
  ASSERT_EQ(rlx({"merge", "--plan", plan.string()}, log), 0) << slurp(log);
  std::map<std::string, std::string> expected;
  uint64_t rows = 0;
  for (const char* day : {"2024-08-08", "2024-08-09"}) {
    const fs::path single = tmp_.path() / day;
    ASSERT_EQ(rlx({"reconstruct", "--source", "lake", "--input", lake.string(), "--date-from", day,
                   "--date-to", day, "--progress", "never", "--out", single.string()},
                  log),
              0)
        << slurp(log);
    for (auto& [path, bytes] : ::rlx::testing::output_files(single, false)) {
      EXPECT_NE(path.find(std::string("date=") + day), std::string::npos) << path;
      expected.emplace(path, std::move(bytes));
    }
    rows += report_rows(single / "report.json");
  }
  const auto merged = ::rlx::testing::output_files(plan / "out", false);
  ASSERT_GT(expected.size(), 2u);
  EXPECT_TRUE(merged == expected) << merged.size() << " files merged, " << expected.size()
                                  << " from the single-day runs";
  EXPECT_EQ(report_rows(plan / "out" / "report.json"), rows) << slurp(plan / "out" / "report.json");
  EXPECT_EQ(rows_of_done_shards(plan), rows);
  // --days chained keeps the exact chain for the same windows.
  ASSERT_EQ(
      rlx({"plan", "--source", "lake", "--input", lake.string(), "--from", "2024-08-08", "--to",
           "2024-08-09", "--days", "chained", "--out", (tmp_.path() / "chain").string()},
          log),
      0)
      << slurp(log);
  EXPECT_NE(slurp(log.string() + ".out").find("chained"), std::string::npos);
}

TEST_F(Shards, BadRequestsHaveTheContractsExitCodes) {
  const fs::path plan = tmp_.path() / "plan";
  const fs::path log = tmp_.path() / "log";
  EXPECT_EQ(rlx({"run-shard", "--plan", plan.string(), "--index", "0"}, log), 64) << slurp(log);
  EXPECT_EQ(rlx({"run-shard", "--plan", plan.string()}, log), 64) << slurp(log);
  ASSERT_EQ(rlx(plan_args(plan), log), 0) << slurp(log);
  EXPECT_EQ(rlx({"run-shard", "--plan", plan.string(), "--index", "12"}, log), 64) << slurp(log);
  EXPECT_NE(slurp(log).find("shard 12 is not in the plan"), std::string::npos) << slurp(log);
  // A plan is written once.
  EXPECT_EQ(rlx(plan_args(plan), log), 2) << slurp(log);
  // A changed plan is refused by its shards: their markers would not match it.
  std::string text = slurp(plan / "plan.json");
  text.replace(text.find("\"after\": -1"), 11, "\"after\": 1 ");
  std::ofstream(plan / "plan.json") << text;
  EXPECT_EQ(rlx({"run-shard", "--plan", plan.string(), "--index", "0"}, log), 65) << slurp(log);
  EXPECT_NE(slurp(log).find("config_xxh3"), std::string::npos) << slurp(log);
}

}  // namespace
}  // namespace rlx::shard
