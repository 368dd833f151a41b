#include "rlx/api/shards.h"

#include <gtest/gtest.h>

#include <string>

#include "rlx/testing/files.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {

// How a plan's days are cut is the caller's choice or `auto`; what cannot be honoured is refused
// before anything is written.
TEST(PlanShards, DaysAreAutoChainedOrIndependentAndIndependentNeedsLake) {
  RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir tmp;
  PlanRequest r;
  r.run.inputs = {file};
  r.plan_dir = tmp.path() / "plan";
  r.from = "2024-07-18";
  r.to = "2024-07-18";
  PlanResult plan;
  r.days = "sometimes";
  Status s = plan_shards(r, &plan);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'auto', 'chained' or 'independent'"), std::string::npos)
      << s.message();
  r.days = "independent";
  s = plan_shards(r, &plan);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--source lake"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(r.plan_dir / "plan.json"));
  r.days = "auto";  // binance-raw: chained
  s = plan_shards(r, &plan);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_FALSE(plan.independent);
  ASSERT_EQ(plan.shards.size(), 1u);
  EXPECT_EQ(plan.shards[0].after, -1);
}

}  // namespace
}  // namespace rlx
