// Crash recovery on the real captures: a run stopped after batch k, saved (Replayer + every
// BookEngine), torn down, restored from freshly opened readers and continued must give the same
// rows, batches, BookStats and quarantine as an uninterrupted run.
#include "rlx/testing/state_restore.h"

#include <gtest/gtest.h>

#include "rlx/io/binance_raw_reader.h"
#include "rlx/testing/test_data.h"

namespace rlx::replay {
namespace {
namespace fs = std::filesystem;

testing::OpenSources binance(const std::vector<fs::path>& files,
                             io::BadRowPolicy policy = io::BadRowPolicy::kFail) {
  return [files, policy] {
    std::vector<std::unique_ptr<io::MessageReader>> readers;
    for (const fs::path& f : files) {
      io::BinanceRawOptions o;
      o.on_bad_row = policy;
      o.source = static_cast<uint32_t>(readers.size());
      readers.push_back(std::make_unique<io::BinanceRawReader>(f.string(), o));
    }
    return readers;
  };
}

class HftbacktestRestore : public ::testing::TestWithParam<const char*> {};

TEST_P(HftbacktestRestore, RestoredRunEqualsUninterrupted) {
  RLX_REQUIRE_DATA(file, std::string("binance/hftbacktest/") + GetParam());
  const testing::RunOutput full = testing::expect_restore_equals_uninterrupted(binance({file}), 10);
  EXPECT_EQ(full.stats.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Captures, HftbacktestRestore,
                         ::testing::Values("spot_btcusdt_20240808.gz", "spot_btcusdt_20240809.gz",
                                           "usdm_btcusdt_20240718.gz", "usdm_btcusdt_20240808.gz",
                                           "usdm_ethusdt_20240808.gz",
                                           "cm_btcusd_perp_20240808.gz"));

// These captures start with diffs before the REST snapshot: a checkpoint after batch 1 lands
// inside the buffering phase, so the pre-snapshot buffer goes through save/load (the test above
// checkpoints at the first buffering boundary).
TEST(HftbacktestRestore, SomeCapturesAreCheckpointedWhileBuffering) {
  for (const char* name : {"spot_btcusdt_20240809.gz", "usdm_btcusdt_20240808.gz"}) {
    RLX_REQUIRE_DATA(file, std::string("binance/hftbacktest/") + name);
    const testing::RunOutput full = testing::run_uninterrupted(binance({file}), 10);
    ASSERT_FALSE(full.buffering.empty());
    EXPECT_TRUE(full.buffering[0]) << name;
  }
}

// Two sources merged by origin_time into two engines.
TEST(HftbacktestRestore, TwoSymbolsMerged) {
  RLX_REQUIRE_DATA(btc, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  RLX_REQUIRE_DATA(eth, "binance/hftbacktest/usdm_ethusdt_20240808.gz");
  const testing::RunOutput full =
      testing::expect_restore_equals_uninterrupted(binance({btc, eth}), 1000);
  EXPECT_EQ(full.stats.size(), 2u);
}

// cryptofeed: three markets, several symbols each, REST snapshots from the sibling http files
// and streams counted in quarantine.
TEST(CryptofeedRestore, MultiSymbolRestoredRunEqualsUninterrupted) {
  RLX_REQUIRE_DATA(spot, "binance/cryptofeed/BINANCE.ws.1.0");
  RLX_REQUIRE_DATA(usdm, "binance/cryptofeed/BINANCE_FUTURES.ws.1.0");
  RLX_REQUIRE_DATA(coinm, "binance/cryptofeed/BINANCE_DELIVERY.ws.1.0");
  for (io::BadRowPolicy policy : {io::BadRowPolicy::kFail, io::BadRowPolicy::kQuarantine}) {
    const testing::RunOutput full =
        testing::expect_restore_equals_uninterrupted(binance({spot, usdm, coinm}, policy), 20);
    EXPECT_GT(full.stats.size(), 3u);
  }
}

}  // namespace
}  // namespace rlx::replay
