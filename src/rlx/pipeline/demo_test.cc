#include "rlx/pipeline/demo.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "rlx/io/duckdb.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

// Every output file under `dir` (relative path -> bytes); report.json (timings) and the run's
// own state under .rlx/ (input paths and mtimes) left out.
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename() == "report.json" ||
        e.path().string().find("/.rlx/") != std::string::npos) {
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out[fs::relative(e.path(), dir).string()] = s.str();
  }
  return out;
}

TEST(Demo, SameSeedGivesByteIdenticalLakeAndEvents) {
  testing::TempDir tmp;
  DemoOptions o;
  o.market.duration_ns = 60'000'000'000;  // one minute
  o.progress = ProgressMode::kNever;
  o.out_dir = tmp.path() / "a";
  const DemoSummary a = run_demo(o);
  o.out_dir = tmp.path() / "b";
  run_demo(o);
  const auto fa = files_of(tmp.path() / "a");
  const auto fb = files_of(tmp.path() / "b");
  ASSERT_GE(fa.size(), 5u);  // 3 Lake tables, events, manifest
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [path, bytes] : fa) {
    ASSERT_TRUE(fb.count(path)) << path;
    EXPECT_TRUE(bytes == fb.at(path)) << path << " differs";
  }
  // The demo really exercises the book: many rows, snapshots resyncing, gaps showing as drift.
  EXPECT_GT(a.reconstruct.rows, 10000u);
  ASSERT_EQ(a.reconstruct.symbols.size(), 1u);
  EXPECT_GT(a.reconstruct.symbols[0].stats.resyncs, 10u);
  EXPECT_GT(a.market.trades, 100);

  o.out_dir = tmp.path() / "c";
  o.market.seed = 7;
  run_demo(o);
  EXPECT_NE(files_of(tmp.path() / "c"), fa);
}

// Without the reconstruction: the same lake/ as a whole demo, and no events/.
TEST(Demo, LakeOnlyGeneratesTheSameLakeAndNoEvents) {
  testing::TempDir tmp;
  DemoOptions o;
  o.market.duration_ns = 60'000'000'000;
  o.progress = ProgressMode::kNever;
  o.out_dir = tmp.path() / "whole";
  run_demo(o);
  o.out_dir = tmp.path() / "lake-only";
  o.reconstruct = false;
  const DemoSummary s = run_demo(o);
  EXPECT_EQ(s.reconstruct.rows, 0u);
  EXPECT_GT(s.market.level_updates, 1000);
  EXPECT_FALSE(fs::exists(tmp.path() / "lake-only" / "events"));
  const auto lake = files_of(tmp.path() / "lake-only" / "lake");
  ASSERT_GE(lake.size(), 3u);
  EXPECT_EQ(lake, files_of(tmp.path() / "whole" / "lake"));
}

}  // namespace
}  // namespace rlx::pipeline
