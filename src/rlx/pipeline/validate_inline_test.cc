// `rlx reconstruct --validate`: the tier-1 statistics kept inline equal those `rlx validate`
// computes from the same inputs, the Parquet output is unchanged by them, and a supervised run
// and a run killed and resumed report the same statistics as an uninterrupted in-process run.
// Each part gets a thin copy (sink/thin_part.h), the same bytes however the run went.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"
#include "rlx/features/feature_builder.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/thin_part.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

// The `stream` object of each symbol in a report.json, re-serialised by simdjson (so two
// reports compare by value, not by formatting).
std::vector<std::string> streams(const fs::path& report) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const std::string text = durability::read_file(report);
  EXPECT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  std::vector<std::string> out;
  simdjson::dom::array symbols;
  if (root["symbols"].get(symbols) != simdjson::SUCCESS) return out;
  for (const auto s : symbols) {
    simdjson::dom::element stream;
    if (s["stream"].get(stream) == simdjson::SUCCESS) out.push_back(simdjson::to_string(stream));
  }
  return out;
}

std::string reserialised(const std::string& json) {
  simdjson::dom::parser parser;
  return simdjson::to_string(parser.parse(json).value());
}

TEST(ReconstructValidate, InlineStatisticsEqualValidatesAndLeaveTheOutputAlone) {
  RLX_REQUIRE_DATA(input, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  ReconstructOptions o;
  o.inputs = {input};
  o.durable = false;
  o.progress = ProgressMode::kNever;
  o.out_dir = tmp.path() / "plain";
  reconstruct(o);
  o.out_dir = tmp.path() / "tier1";
  o.validate = true;
  o.thin_copies = false;  // --no-thin-copies
  reconstruct(o);
  o.out_dir = tmp.path() / "validated";
  o.thin_copies = true;
  reconstruct(o);

  // The same Parquet bytes, with or without the monitor.
  const auto a = sink::read_manifest(tmp.path() / "plain");
  const auto b = sink::read_manifest(tmp.path() / "validated");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].xxh3, b[i].xxh3) << a[i].path;
    EXPECT_EQ(a[i].thin_bytes, 0u) << a[i].path;  // thin copies only with --validate
    EXPECT_GT(b[i].thin_bytes, 0u) << b[i].path;
    EXPECT_TRUE(fs::exists(tmp.path() / "validated" / sink::thin_path(b[i].path))) << b[i].path;
  }
  EXPECT_TRUE(streams(tmp.path() / "plain" / "report.json").empty());
  const std::vector<std::string> inline_streams = streams(tmp.path() / "validated" / "report.json");
  ASSERT_EQ(inline_streams.size(), 1u);
  EXPECT_EQ(streams(tmp.path() / "tier1" / "report.json"), inline_streams);
  for (const sink::FileInfo& f : sink::read_manifest(tmp.path() / "tier1")) {
    EXPECT_EQ(f.thin_bytes, 0u) << f.path;
    EXPECT_FALSE(fs::exists(tmp.path() / "tier1" / sink::thin_path(f.path))) << f.path;
  }

  // What `rlx validate` computes on the same input, through the FeatureBuilder.
  std::vector<std::string> names;
  replay::Replayer replayer(open_readers(o, &names), replay::ReplayOptions{});
  book::BookEngine engine(o.book);
  features::FeatureBuilder builder;
  std::vector<Message> batch;
  while (replayer.next_batch(&batch)) {
    for (const Message& m : batch) engine.on_message(m, builder);
  }
  engine.finish(builder);
  JsonWriter w;
  builder.finish().stream.write_json(w);
  EXPECT_EQ(inline_streams[0], reserialised(w.str()));
  EXPECT_NE(inline_streams[0].find("\"book_messages\":6"), std::string::npos);  // 6,5xx diffs
}

// Supervised, and killed mid-run then resumed: the same statistics as in process, uninterrupted.
TEST(ReconstructValidate, SupervisedAndResumedRunsReportTheSameStatistics) {
  RLX_REQUIRE_DATA(input, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  const auto args = [&](const fs::path& out, bool in_process) {
    std::vector<std::string> a = {RLX_BINARY, "reconstruct",  "--input",    input.string(),
                                  "--out",    out.string(),   "--validate", "--rows-per-file",
                                  "40000",    "--batch-size", "100",        "--progress",
                                  "never"};
    if (in_process) a.push_back("--in-process");
    return a;
  };
  const fs::path whole = tmp.path() / "whole";
  ASSERT_EQ(testing::wait_exit(testing::spawn_process(args(whole, true), tmp.path() / "e1")), 0)
      << durability::read_file(tmp.path() / "e1");
  const std::vector<std::string> expected = streams(whole / "report.json");
  ASSERT_EQ(expected.size(), 1u);

  const fs::path supervised = tmp.path() / "supervised";
  ASSERT_EQ(testing::wait_exit(testing::spawn_process(args(supervised, false), tmp.path() / "e2")),
            0)
      << durability::read_file(tmp.path() / "e2");
  EXPECT_EQ(streams(supervised / "report.json"), expected);
  const auto w = sink::read_manifest(whole);
  const auto same_files = [&](const fs::path& run) {
    const auto r = sink::read_manifest(run);
    if (w.size() != r.size()) {
      ADD_FAILURE() << run << ": " << r.size() << " parts, " << w.size() << " expected";
      return;
    }
    for (size_t i = 0; i < w.size(); ++i) {
      EXPECT_EQ(w[i].xxh3, r[i].xxh3) << r[i].path;
      EXPECT_GT(r[i].thin_bytes, 0u) << r[i].path;
      EXPECT_EQ(w[i].thin_xxh3, r[i].thin_xxh3) << r[i].path;
    }
    EXPECT_TRUE(sink::verify_manifest(run, r).empty());
  };
  same_files(supervised);

  // Killed once a third of its parts are committed; --resume finishes it.
  const size_t parts = sink::read_manifest(whole).size();
  ASSERT_GE(parts, 6u);
  const fs::path killed = tmp.path() / "killed";
  int code = 0;
  const bool was_killed = testing::kill_when(
      testing::spawn_process(args(killed, true), tmp.path() / "e3"),
      [&] {
        std::error_code ec;
        size_t n = 0;
        for (const auto& e : fs::recursive_directory_iterator(killed, ec)) {
          n += e.path().filename().string().rfind("part-", 0) == 0;
        }
        return n >= parts / 3;
      },
      &code);
  ASSERT_TRUE(was_killed) << "the run ended first (exit " << code << ")";
  ASSERT_EQ(testing::wait_exit(testing::spawn_process(
                {RLX_BINARY, "reconstruct", "--resume", killed.string(), "--progress", "never"},
                tmp.path() / "e4")),
            0)
      << durability::read_file(tmp.path() / "e4");
  EXPECT_EQ(streams(killed / "report.json"), expected);
  same_files(killed);  // parts and thin copies, byte for byte
}

}  // namespace
}  // namespace rlx::pipeline
