#include "rlx/replay/replayer.h"

#include <gtest/gtest.h>

namespace rlx::replay {
namespace {

class VectorReader : public io::MessageReader {
 public:
  explicit VectorReader(std::vector<Message> messages) : messages_(std::move(messages)) {}
  bool next(Message* out) override {
    if (i_ >= messages_.size()) return false;
    *out = messages_[i_++];
    return true;
  }
  const io::Quarantine& quarantine() const override { return quarantine_; }

 private:
  std::vector<Message> messages_;
  size_t i_ = 0;
  io::Quarantine quarantine_;
};

Message msg(int64_t origin, uint32_t source, uint64_t row) {
  Message m;
  m.origin_time = origin;
  m.received_time = origin + 5;
  m.source = source;
  m.source_row = row;
  return m;
}

std::vector<std::pair<uint32_t, uint64_t>> replay_all(Replayer& r, size_t batch_size) {
  std::vector<std::pair<uint32_t, uint64_t>> order;
  std::vector<Message> batch;
  while (r.next_batch(&batch)) {
    EXPECT_LE(batch.size(), batch_size);
    for (const Message& m : batch) order.emplace_back(m.source, m.source_row);
  }
  return order;
}

TEST(Replayer, MergesByOriginTimeWithLowerSourceFirstOnTies) {
  std::vector<std::unique_ptr<io::MessageReader>> sources;
  sources.push_back(std::make_unique<VectorReader>(
      std::vector<Message>{msg(10, 0, 1), msg(20, 0, 2), msg(30, 0, 3)}));
  sources.push_back(std::make_unique<VectorReader>(
      std::vector<Message>{msg(5, 1, 1), msg(20, 1, 2), msg(25, 1, 3)}));
  Replayer r(std::move(sources), ReplayOptions{2});
  const std::vector<std::pair<uint32_t, uint64_t>> expected = {{1, 1}, {0, 1}, {0, 2},
                                                               {1, 2}, {1, 3}, {0, 3}};
  EXPECT_EQ(replay_all(r, 2), expected);
  EXPECT_EQ(r.messages_out(), 6u);
}

TEST(Replayer, KeepsEachSourcesOwnOrderEvenWhenItsTimesGoBack) {
  std::vector<std::unique_ptr<io::MessageReader>> sources;
  sources.push_back(std::make_unique<VectorReader>(
      std::vector<Message>{msg(10, 0, 1), msg(8, 0, 2), msg(30, 0, 3)}));
  Replayer r(std::move(sources), ReplayOptions{1000});
  const std::vector<std::pair<uint32_t, uint64_t>> expected = {{0, 1}, {0, 2}, {0, 3}};
  EXPECT_EQ(replay_all(r, 1000), expected);
}

TEST(Replayer, MessagesWithoutOriginTimeStayWhereTheirSourcePutThem) {
  Message untimed = msg(kNull, 0, 2);
  std::vector<std::unique_ptr<io::MessageReader>> sources;
  sources.push_back(
      std::make_unique<VectorReader>(std::vector<Message>{msg(10, 0, 1), untimed, msg(40, 0, 3)}));
  sources.push_back(std::make_unique<VectorReader>(std::vector<Message>{msg(20, 1, 1)}));
  Replayer r(std::move(sources), ReplayOptions{1000});
  // The untimed message carries key 10 from its predecessor, so it precedes source 1's 20.
  const std::vector<std::pair<uint32_t, uint64_t>> expected = {{0, 1}, {0, 2}, {1, 1}, {0, 3}};
  EXPECT_EQ(replay_all(r, 1000), expected);
}

}  // namespace
}  // namespace rlx::replay
