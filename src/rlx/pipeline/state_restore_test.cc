// Crash recovery on a Lake input: a capture converted to the Lake layout (three LakeReaders:
// trades, book_delta_v2, book), stopped after batch k, saved, restored and continued, must give
// the same rows, batches, BookStats and quarantine as an uninterrupted run.
#include "rlx/testing/state_restore.h"

#include <gtest/gtest.h>

#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {

TEST(LakeStateRestore, RestoredRunEqualsUninterrupted) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  ConvertOptions co;
  co.inputs = {file};
  co.out_dir = tmp.path() / "lake";
  co.progress = ProgressMode::kNever;
  convert_to_lake(co);
  ReconstructOptions ro;
  ro.source = SourceKind::kLake;
  ro.inputs = {co.out_dir};
  const testing::OpenSources open = [&ro] {
    std::vector<std::string> names;
    return open_readers(ro, &names);
  };
  // The three Lake readers seek: a resume reopens each file at its row instead of re-reading.
  {
    replay::Replayer run(open(), replay::ReplayOptions{1000});
    std::vector<Message> batch;
    for (int32_t b = 0; b < 5; ++b) ASSERT_TRUE(run.next_batch(&batch));
    const replay::ReplayState state = run.state();
    ASSERT_EQ(state.sources.size(), 3u);
    for (const auto& source : state.sources) EXPECT_TRUE(source.seekable());
  }
  const testing::RunOutput full = testing::expect_restore_equals_uninterrupted(open, 1000);
  EXPECT_EQ(full.stats.size(), 1u);
  EXPECT_EQ(full.quarantine.size(), 3u);
}

}  // namespace
}  // namespace rlx::pipeline
