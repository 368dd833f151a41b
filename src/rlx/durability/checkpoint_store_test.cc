#include "rlx/durability/checkpoint_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "rlx/core/error.h"
#include "rlx/testing/test_data.h"

namespace rlx::durability {
namespace {
namespace fs = std::filesystem;

std::string payload(uint64_t id) { return "state-" + std::to_string(id) + std::string(1000, 'x'); }

TEST(CheckpointStore, KeepsTheNewestAndLoadsThemNewestFirst) {
  testing::TempDir tmp;
  {
    CheckpointStore store({tmp.path(), 3});
    for (uint64_t id = 1; id <= 5; ++id) store.submit(id, [id] { return payload(id); });
    store.wait();
  }
  std::vector<std::string> problems;
  const auto loaded = CheckpointStore::load_valid(tmp.path(), &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded[0].id, 5u);
  EXPECT_EQ(loaded[2].id, 3u);
  EXPECT_EQ(loaded[0].payload, payload(5));
  // Pruned files are gone; no temp file is left.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    ++files;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 4u);  // 3 checkpoints + index.json
  // A reopened store continues the same index.
  {
    CheckpointStore store({tmp.path(), 3});
    store.submit(6, [] { return payload(6); });
    store.wait();
  }
  EXPECT_EQ(CheckpointStore::load_valid(tmp.path(), nullptr)[0].id, 6u);
}

// A resumed run checkpoints again at the batch it resumed from: the id is listed once, and
// pruning never deletes the file of a listed checkpoint.
TEST(CheckpointStore, ACheckpointTakenAgainUnderItsIdReplacesTheOldEntry) {
  testing::TempDir tmp;
  {
    CheckpointStore store({tmp.path(), 2});
    store.submit(4, [] { return payload(4); });
    store.submit(5, [] { return payload(5); });
    store.wait();
  }
  {
    CheckpointStore store({tmp.path(), 2});
    store.submit(5, [] { return payload(5); });
    store.submit(6, [] { return payload(6); });
    store.wait();
  }
  std::vector<std::string> problems;
  const auto loaded = CheckpointStore::load_valid(tmp.path(), &problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].id, 6u);
  EXPECT_EQ(loaded[1].id, 5u);
}

TEST(CheckpointStore, SkipsFlippedTruncatedAndMissingCheckpoints) {
  testing::TempDir tmp;
  {
    CheckpointStore store({tmp.path(), 4});
    for (uint64_t id = 1; id <= 4; ++id) store.submit(id, [id] { return payload(id); });
    store.wait();
  }
  const auto index = CheckpointStore::read_index(tmp.path());
  ASSERT_EQ(index.size(), 4u);
  {  // flip one payload byte of the newest
    std::fstream f(tmp.path() / index[0].file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    f.put('#');
  }
  fs::resize_file(tmp.path() / index[1].file, 40);  // truncated
  fs::remove(tmp.path() / index[2].file);           // listed but missing
  std::vector<std::string> problems;
  const auto loaded = CheckpointStore::load_valid(tmp.path(), &problems);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].id, 1u);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("checksum mismatch"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("truncated"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("missing"), std::string::npos) << problems[2];
}

TEST(CheckpointStore, SerialisesOnTheWriterThreadAndReportsItsErrors) {
  testing::TempDir tmp;
  CheckpointStore store({tmp.path(), 2});
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id writer;
  store.submit(1, [&] {
    writer = std::this_thread::get_id();
    return payload(1);
  });
  store.wait();
  EXPECT_NE(writer, caller);
  store.submit(2, []() -> std::string { throw Error(StatusCode::kIo, "disk full (injected)"); });
  try {
    store.wait();
    FAIL() << "expected the writer's error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kIo);
  }
  EXPECT_THROW(store.submit(3, [] { return payload(3); }), Error);
  EXPECT_EQ(CheckpointStore::load_valid(tmp.path(), nullptr).size(), 1u);
}

TEST(CheckpointStore, DropNewerThanKeepsTheOlderOnes) {
  testing::TempDir tmp;
  {
    CheckpointStore store({tmp.path(), 5});
    for (uint64_t id = 10; id <= 40; id += 10) store.submit(id, [id] { return payload(id); });
    store.wait();
  }
  CheckpointStore::drop_newer_than(tmp.path(), 25);
  const auto loaded = CheckpointStore::load_valid(tmp.path(), nullptr);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].id, 20u);
  EXPECT_FALSE(fs::exists(tmp.path() / "ckpt-00000000000000000030.bin"));
  CheckpointStore store({tmp.path(), 5});
  store.submit(30, [] { return payload(30); });  // ids continue from the kept ones
  store.wait();
  EXPECT_EQ(CheckpointStore::load_valid(tmp.path(), nullptr)[0].payload, payload(30));
}

TEST(CheckpointStore, NoIndexMeansNoCheckpoints) {
  testing::TempDir tmp;
  EXPECT_TRUE(CheckpointStore::load_valid(tmp.path(), nullptr).empty());
}

}  // namespace
}  // namespace rlx::durability
