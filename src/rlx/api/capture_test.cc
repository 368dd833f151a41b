#include "rlx/api/capture.h"

#include <gtest/gtest.h>

#include "rlx/live/capture.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {

// The request's tuning defaults are the capture's own: a caller who sets nothing gets what
// `rlx capture` with no tuning flags gets.
TEST(CaptureRequest, DefaultsAreTheCapturesOwn) {
  const CaptureRequest r;
  const live::CaptureOptions o;
  EXPECT_EQ(r.streams, o.streams);
  EXPECT_EQ(r.duration_s, o.duration_s);
  EXPECT_EQ(r.flush_interval_ms, o.flush_interval_ms);
  EXPECT_EQ(r.rotate_bytes, o.rotate_bytes);
  EXPECT_EQ(r.rotate_seconds, o.rotate_seconds);
  EXPECT_EQ(r.snapshot_limit, o.snapshot_limit);
  EXPECT_EQ(r.max_streams_per_connection, o.max_streams_per_connection);
  EXPECT_EQ(r.rollover_after_s, o.rollover_after_s);
  EXPECT_EQ(r.seed, o.seed);
  EXPECT_EQ(r.metrics_port, o.metrics_port);
  EXPECT_EQ(r.metrics_host, o.metrics_host);
}

TEST(CaptureSession, BadRequestsAreStatuses) {
  testing::TempDir tmp;
  CaptureRequest r;
  r.market = "options";
  r.symbols = {"BTCUSDT"};
  r.out_dir = tmp.path() / "out";
  std::unique_ptr<CaptureSession> session;
  const Status s = CaptureSession::open(r, &session);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'options'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rlx
