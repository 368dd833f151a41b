#include "rlx/core/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace rlx {
namespace {

TEST(PrometheusText, FamiliesSamplesAndEscapes) {
  PrometheusText p;
  p.family("rlx_frames_total", MetricType::kCounter, "Frames \\ recorded\nper symbol")
      .sample({{"symbol", "BTC\"USDT"}, {"market", "a\\b\nc"}}, 12)
      .sample({{"symbol", "ETHUSDT"}, {"market", "spot"}}, 0.5);
  p.family("rlx_up", MetricType::kGauge, "1 while running").sample(1);
  p.family("rlx_lag_seconds", MetricType::kGauge, "lag").sample(std::nan("")).sample(-INFINITY);
  EXPECT_EQ(p.str(),
            "# HELP rlx_frames_total Frames \\\\ recorded\\nper symbol\n"
            "# TYPE rlx_frames_total counter\n"
            "rlx_frames_total{symbol=\"BTC\\\"USDT\",market=\"a\\\\b\\nc\"} 12\n"
            "rlx_frames_total{symbol=\"ETHUSDT\",market=\"spot\"} 0.5\n"
            "# HELP rlx_up 1 while running\n# TYPE rlx_up gauge\nrlx_up 1\n"
            "# HELP rlx_lag_seconds lag\n# TYPE rlx_lag_seconds gauge\n"
            "rlx_lag_seconds NaN\nrlx_lag_seconds -Inf\n");
}

TEST(PrometheusText, RefusesWhatPrometheusWouldMisread) {
  PrometheusText p;
  EXPECT_THROW(p.sample(1), std::logic_error);
  EXPECT_THROW(p.family("9lives", MetricType::kGauge, "x"), std::invalid_argument);
  EXPECT_THROW(p.family("a-b", MetricType::kGauge, "x"), std::invalid_argument);
  p.family("rlx_a", MetricType::kGauge, "x");
  EXPECT_THROW(p.sample({{"bad-label", "v"}}, 1), std::invalid_argument);
  p.family("rlx_ab", MetricType::kGauge, "x");  // a prefix of another name is a different family
  EXPECT_THROW(p.family("rlx_a", MetricType::kCounter, "again"), std::invalid_argument);
}

}  // namespace
}  // namespace rlx
