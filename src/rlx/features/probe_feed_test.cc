#include "rlx/features/probe_feed.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "rlx/core/error.h"

namespace rlx::features {
namespace {

TEST(ProbeFeed, AKnownFeedGivesItsTimesThenEnds) {
  ProbeFeed feed(std::vector<int64_t>{5, 7, 9});
  int64_t t = 0;
  ASSERT_TRUE(feed.at(2, &t));
  EXPECT_EQ(t, 9);
  ASSERT_TRUE(feed.at(0, &t));
  EXPECT_EQ(t, 5);
  EXPECT_FALSE(feed.at(3, &t));
}

// A reader on another thread gets every time in order, across several batches and the last
// partial one, while the writer is still writing; then the end.
TEST(ProbeFeed, TheReaderGetsEveryTimeInOrderWhileTheWriterWrites) {
  ProbeFeed feed;
  constexpr int64_t kCount = 20'000;  // several batches and a partial one
  std::vector<int64_t> got;
  std::thread reader([&] {
    int64_t t = 0;
    for (size_t i = 0; feed.at(i, &t); ++i) got.push_back(t);
  });
  for (int64_t i = 0; i < kCount; ++i) {
    feed.push(i * 3);
    if (i % 5000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  feed.close();
  reader.join();
  ASSERT_EQ(got.size(), static_cast<size_t>(kCount));
  for (int64_t i = 0; i < kCount; ++i) ASSERT_EQ(got[static_cast<size_t>(i)], i * 3);
}

// A writer that fails and closes early releases a waiting reader, which sees the end.
TEST(ProbeFeed, ClosingEarlyReleasesAWaitingReader) {
  ProbeFeed feed;
  bool more = true;
  std::thread reader([&] {
    int64_t t = 0;
    more = feed.at(1, &t);
  });
  feed.push(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  feed.close();
  feed.close();  // idempotent
  reader.join();
  EXPECT_FALSE(more);
  int64_t t = 0;
  ASSERT_TRUE(feed.at(0, &t));
  EXPECT_EQ(t, 1);
}

// A writer that fails aborts the feed: a waiting reader is released with an error, and so is
// a reader that had everything already.
TEST(ProbeFeed, AbortingMakesTheReaderFail) {
  ProbeFeed feed;
  bool threw = false;
  std::thread reader([&] {
    int64_t t = 0;
    try {
      feed.at(0, &t);
    } catch (const Error&) {
      threw = true;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  feed.abort();
  reader.join();
  EXPECT_TRUE(threw);
  ProbeFeed done(std::vector<int64_t>{1});
  done.abort();
  int64_t t = 0;
  EXPECT_THROW(done.at(5, &t), Error);
}

}  // namespace
}  // namespace rlx::features
