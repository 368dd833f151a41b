#include "rlx/pipeline/run_state.h"

#include <gtest/gtest.h>

#include <fstream>

#include "rlx/core/error.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

TEST(RunState, RecordsOptionsAndRefusesChangedInputs) {
  testing::TempDir tmp;
  const fs::path input = tmp.path() / "capture.txt";
  std::ofstream(input) << std::string(3 << 20, 'a');  // > 2 MiB: head and tail hashed
  ReconstructOptions o;
  o.inputs = {input};
  o.out_dir = tmp.path() / "out";
  o.symbols = {"BTCUSDT", "ETHUSDT"};
  o.top_n = 7;
  o.rows_per_file = 1234;
  o.batch_size = 77;
  o.book.crossed = book::CrossedPolicy::kDropBoth;
  o.book.snapshot = book::SnapshotPolicy::kReplace;
  o.on_bad_row = io::BadRowPolicy::kQuarantine;
  o.mode = RunMode::kSupervised;
  const fs::path state = state_dir_of(o);
  EXPECT_EQ(state, o.out_dir / kStateDir);
  EXPECT_EQ(run_status(state), RunStatus::kNone);
  write_run_file(o);
  EXPECT_EQ(run_status(state), RunStatus::kUnfinished);

  const ReconstructOptions back = read_run_file(state, o.out_dir);
  EXPECT_EQ(back.mode, RunMode::kSupervised);
  ASSERT_EQ(back.inputs.size(), 1u);
  EXPECT_EQ(back.inputs[0], fs::absolute(input));
  EXPECT_EQ(back.symbols, o.symbols);
  EXPECT_EQ(back.top_n, 7);
  EXPECT_EQ(back.rows_per_file, 1234u);
  EXPECT_EQ(back.batch_size, 77u);
  EXPECT_EQ(back.book.crossed, book::CrossedPolicy::kDropBoth);
  EXPECT_EQ(back.book.snapshot, book::SnapshotPolicy::kReplace);
  EXPECT_EQ(back.on_bad_row, io::BadRowPolicy::kQuarantine);

  {  // same size, one byte changed in the tail
    std::fstream f(input, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((3 << 20) - 10);
    f.put('b');
  }
  fs::last_write_time(input, fs::last_write_time(input));  // mtime may not even move
  try {
    read_run_file(state, o.out_dir);
    FAIL() << "a changed input must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("changed"), std::string::npos) << e.what();
  }
  mark_done(state);
  EXPECT_EQ(run_status(state), RunStatus::kDone);
}

}  // namespace
}  // namespace rlx::pipeline
