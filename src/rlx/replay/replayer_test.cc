#include "rlx/replay/replayer.h"

#include <gtest/gtest.h>

#include "rlx/core/error.h"

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

// Source 0 has an untimed message whose received_time (100) would sort it after source 1: only
// the key carried over from its predecessor (10) puts it first, so a resume must restore it.
std::vector<std::unique_ptr<io::MessageReader>> keyed_sources(size_t drop_from_source_1 = 0) {
  Message untimed = msg(kNull, 0, 2);
  untimed.received_time = 100;
  std::vector<Message> s1 = {msg(20, 1, 1), msg(30, 1, 2)};
  s1.resize(s1.size() - drop_from_source_1);
  std::vector<std::unique_ptr<io::MessageReader>> sources;
  sources.push_back(
      std::make_unique<VectorReader>(std::vector<Message>{msg(10, 0, 1), untimed, msg(40, 0, 3)}));
  sources.push_back(std::make_unique<VectorReader>(s1));
  return sources;
}

TEST(Replayer, ResumesFromEveryBatchWithTheSameOrderAndBatches) {
  const std::vector<std::pair<uint32_t, uint64_t>> expected = {
      {0, 1}, {0, 2}, {1, 1}, {1, 2}, {0, 3}};
  for (size_t batch_size : {1, 2, 3}) {
    Replayer full(keyed_sources(), ReplayOptions{batch_size});
    std::vector<size_t> full_batches;
    std::vector<Message> batch;
    while (full.next_batch(&batch)) full_batches.push_back(batch.size());
    for (uint64_t k = 0; k <= full_batches.size(); ++k) {
      SCOPED_TRACE("batch size " + std::to_string(batch_size) + ", after batch " +
                   std::to_string(k));
      std::vector<std::pair<uint32_t, uint64_t>> order;
      std::vector<size_t> batches;
      std::string saved;
      {
        Replayer first(keyed_sources(), ReplayOptions{batch_size});
        for (uint64_t b = 0; b < k && first.next_batch(&batch); ++b) {
          batches.push_back(batch.size());
          for (const Message& m : batch) order.emplace_back(m.source, m.source_row);
        }
        BinaryWriter w(&saved);
        first.state().save(w);
      }
      BinaryReader r(saved);
      const ReplayState state = ReplayState::load(r);
      r.expect_end("ReplayState");
      EXPECT_EQ(state.batches, k);
      Replayer resumed(keyed_sources(), ReplayOptions{batch_size}, state);
      EXPECT_EQ(resumed.state(), state);
      while (resumed.next_batch(&batch)) {
        batches.push_back(batch.size());
        for (const Message& m : batch) order.emplace_back(m.source, m.source_row);
      }
      EXPECT_EQ(order, expected);
      EXPECT_EQ(batches, full_batches);
      EXPECT_EQ(resumed.messages_out(), 5u);
      EXPECT_EQ(resumed.batches(), full_batches.size());
    }
  }
}

TEST(Replayer, ResumeRejectsAStateThatDoesNotFitTheInputs) {
  Replayer first(keyed_sources(), ReplayOptions{2});
  std::vector<Message> batch;
  ASSERT_TRUE(first.next_batch(&batch));
  ASSERT_TRUE(first.next_batch(&batch));
  const ReplayState state = first.state();  // source 1 has handed out 2 messages
  auto code_of = [](auto&& resume) {
    try {
      resume();
    } catch (const Error& e) {
      return e.code();
    }
    return StatusCode::kOk;
  };
  EXPECT_EQ(code_of([&] { Replayer r(keyed_sources(), ReplayOptions{3}, state); }),
            StatusCode::kInvalidArgument);
  auto one = keyed_sources();
  one.pop_back();
  EXPECT_EQ(code_of([&] { Replayer r(std::move(one), ReplayOptions{2}, state); }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { Replayer r(keyed_sources(1), ReplayOptions{2}, state); }),
            StatusCode::kBadInput);
}

}  // namespace
}  // namespace rlx::replay
