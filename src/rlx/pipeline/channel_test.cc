#include "rlx/pipeline/channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "rlx/core/error.h"

namespace rlx::pipeline {
namespace {

Decimal dec(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d));
  return d;
}

Message sample(int64_t i) {
  Message m;
  m.kind = MessageKind::kDelta;
  m.exchange = "binance-futures";
  m.symbol = "BTCUSDT";
  m.origin_time = 1'700'000'000'000'000'000 + i;
  m.update_id = i;
  m.source = 3;
  m.source_row = static_cast<uint64_t>(i) + 1;
  m.levels.push_back({Side::kBid, dec("64000.1"), dec("0.5")});
  m.levels.push_back({Side::kAsk, dec("64000.2"), dec("0")});
  return m;
}

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    ASSERT_EQ(::pipe2(fds_, O_CLOEXEC), 0);
  }
  int fds_[2] = {-1, -1};
};

TEST_F(ChannelTest, MessagesArriveWholeAndInOrderThenTheEnd) {
  std::thread consumer;
  std::vector<Message> got;
  consumer = std::thread([&] {
    FrameReader reader(fds_[0], "pipe");
    Message m;
    while (reader.next(&m)) got.push_back(m);
  });
  {
    Channel channel(fds_[1], 16);
    for (int64_t i = 0; i < 5000; ++i) ASSERT_TRUE(channel.push(sample(i)));
    channel.finish();
  }
  consumer.join();
  ASSERT_EQ(got.size(), 5000u);
  for (int64_t i = 0; i < 5000; ++i) {
    const Message want = sample(i);
    EXPECT_EQ(got[i].update_id, i);
    EXPECT_EQ(got[i].source, 0u);  // a worker's one routed source
    EXPECT_EQ(got[i].source_row, want.source_row);
    ASSERT_EQ(got[i].levels.size(), 2u);
    EXPECT_EQ(got[i].levels[0].price, want.levels[0].price);
    EXPECT_EQ(got[i].symbol, "BTCUSDT");
  }
}

TEST_F(ChannelTest, ASlowReaderBlocksThePushesAtTheBound) {
  // Nobody reads: the pipe holds some frames, the queue `capacity` more, then push waits.
  std::atomic<int64_t> pushed{0};
  auto channel = std::make_unique<Channel>(fds_[1], 100);
  std::thread producer([&] {
    for (int64_t i = 0; i < 1'000'000; ++i) {
      if (!channel->push(sample(i))) return;
      pushed = i + 1;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int64_t stuck = pushed.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(pushed.load(), stuck) << "push must block while the queue is full";
  EXPECT_LT(stuck, 1'000'000);
  EXPECT_LE(channel->pending(), 100u);
  EXPECT_GT(channel->pending(), 0u);
  // The worker is gone: abandon unblocks the router for good.
  channel->abandon();
  producer.join();
  EXPECT_FALSE(channel->push(sample(0)));
  ::close(fds_[0]);
  channel.reset();
}

TEST_F(ChannelTest, ADeadReaderAbandonsTheChannel) {
  ::close(fds_[0]);
  Channel channel(fds_[1], 4);
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) {
    refused = !channel.push(sample(i));
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(channel.abandoned());
}

TEST_F(ChannelTest, ACutStreamIsAnErrorNotAnEnd) {
  {
    Channel channel(fds_[1], 8);
    for (int64_t i = 0; i < 3; ++i) channel.push(sample(i));
    channel.cut();
  }
  FrameReader reader(fds_[0], "pipe");
  Message m;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(reader.next(&m));
  try {
    reader.next(&m);
    FAIL() << "a stream without its end frame must not pass for complete";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stopped without its end"), std::string::npos);
  }
}

TEST_F(ChannelTest, ADamagedFrameIsNamed) {
  std::string bytes;
  append_frame(sample(1), &bytes);
  bytes.resize(bytes.size() - 3);  // torn inside the payload
  ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fds_[1]);
  FrameReader reader(fds_[0], "spool.frames");
  Message m;
  EXPECT_THROW(reader.next(&m), Error);
}

}  // namespace
}  // namespace rlx::pipeline
