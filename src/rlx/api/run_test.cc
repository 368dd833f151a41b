#include "rlx/api/run.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "rlx/api/reader.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/supervisor.h"
#include "rlx/testing/files.h"
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
  std::vector<std::string> lines;
  bool final_seen = false;
  void update(uint64_t, uint64_t, uint64_t r, bool final) override {
    rows.push_back(r);
    final_seen = final_seen || final;
  }
  void status(std::string_view text, bool final) override {
    lines.emplace_back(text);
    final_seen = final_seen || final;
  }
};

// A caller who sets nothing gets what `rlx reconstruct` with no flags gets.
TEST(ReconstructRequest, DefaultsAreThePipelines) {
  const ReconstructRequest r;
  const pipeline::ReconstructOptions o;
  const pipeline::SupervisorOptions so;
  EXPECT_EQ(r.source, name_of(pipeline::kSourceNames, o.source));
  EXPECT_EQ(r.top_n, o.top_n);
  EXPECT_EQ(r.rows_per_file, o.rows_per_file);
  EXPECT_EQ(r.batch_size, o.batch_size);
  EXPECT_EQ(r.on_bad_row, name_of(pipeline::kBadRowNames, o.on_bad_row));
  EXPECT_EQ(r.crossed, name_of(pipeline::kCrossedNames, o.book.crossed));
  EXPECT_EQ(r.consume_trades, name_of(pipeline::kConsumeNames, o.book.consume_trades));
  EXPECT_EQ(r.snapshot_policy, name_of(pipeline::kSnapshotNames, o.book.snapshot));
  EXPECT_EQ(r.overwrite, o.overwrite);
  EXPECT_EQ(r.validate, o.validate);
  EXPECT_EQ(r.thin_copies, o.thin_copies);
  EXPECT_EQ(r.durable, o.durable);
  EXPECT_EQ(r.fsync, name_of(pipeline::kFsyncNames, o.fsync));
  EXPECT_EQ(r.fsync_interval_ms, o.fsync_interval_ms);
  EXPECT_EQ(r.checkpoint_batches, o.checkpoint_batches);
  EXPECT_EQ(r.checkpoint_seconds, o.checkpoint_seconds);
  EXPECT_EQ(r.keep_checkpoints, o.keep_checkpoints);
  EXPECT_EQ(r.workers, so.workers);
  EXPECT_EQ(r.queue_messages, so.queue_messages);
  EXPECT_EQ(r.max_failures, so.max_failures);
  EXPECT_EQ(r.worker_timeout_s, so.watchdog_seconds);
  EXPECT_EQ(r.cores_per_worker, so.cores_per_worker);
}

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

// With rlx_binary, a worker process per symbol: the same parts as the in-process run, and the
// run then resumes as finished.
TEST(Run, SupervisedRunWritesTheInProcessRunsParts) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  ReconstructRequest r;
  r.inputs = {file};
  r.out_dir = tmp.path() / "in-process";
  ReconstructResult in_process;
  ASSERT_TRUE(reconstruct(r, &in_process).ok());
  r.out_dir = tmp.path() / "supervised";
  r.rlx_binary = RLX_BINARY;
  r.workers = 1;
  Updates updates;
  r.progress = &updates;
  ReconstructResult supervised;
  sigset_t mask_before;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask_before);
  const Status s = reconstruct(r, &supervised);
  ASSERT_TRUE(s.ok()) << s.message();
  // No process-wide state left behind: SIGPIPE's disposition and this thread's mask unchanged.
  struct sigaction pipe_action {};
  sigaction(SIGPIPE, nullptr, &pipe_action);
  EXPECT_EQ(pipe_action.sa_handler, SIG_DFL);
  sigset_t mask_after;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask_after);
  EXPECT_EQ(sigismember(&mask_after, SIGPIPE), sigismember(&mask_before, SIGPIPE));
  EXPECT_EQ(supervised.rows, in_process.rows);
  EXPECT_EQ(supervised.failed_symbols, 0u);
  ASSERT_EQ(supervised.symbols.size(), 1u);
  EXPECT_EQ(supervised.symbols[0].attempts, 1u);
  EXPECT_TRUE(updates.final_seen);  // the supervisor's progress goes to the sink too
  EXPECT_NE(supervised.summary.find(std::to_string(supervised.rows) + " rows"), std::string::npos)
      << supervised.summary;
  const auto parts = testing::output_files(r.out_dir, false);
  EXPECT_FALSE(parts.empty());
  EXPECT_TRUE(parts == testing::output_files(tmp.path() / "in-process", false));

  ReconstructRequest resume;
  resume.out_dir = r.out_dir;
  resume.resume = true;
  ReconstructResult again;
  ASSERT_TRUE(reconstruct(resume, &again).ok());
  EXPECT_TRUE(again.was_finished);
  EXPECT_EQ(again.rows, 0u);
}

TEST(Run, ValidateReportsEachStageToTheProgressSink) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  ValidateRequest r;
  r.golden = {file};
  r.candidate = {file};
  r.out_dir = tmp.path() / "report";
  r.level = "light";
  r.pdf = false;
  Updates updates;
  r.progress = &updates;
  ValidateResult v;
  ::testing::internal::CaptureStderr();
  const Status s = validate_candidate(r, &v);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(updates.lines.size(), 4u);
  EXPECT_EQ(updates.lines[0], "loading golden and candidate");
  EXPECT_EQ(updates.lines[1].rfind("judging ", 0), 0u) << updates.lines[1];
  EXPECT_EQ(updates.lines[2], "writing the reports");
  EXPECT_EQ(updates.lines[3].rfind(v.verdict + ", score ", 0), 0u) << updates.lines[3];
  EXPECT_TRUE(updates.final_seen);
  EXPECT_TRUE(std::filesystem::exists(r.out_dir / "report.json"));
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
  r.crossed = "sometimes";
  s = reconstruct(r, &result);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("crossed"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rlx
