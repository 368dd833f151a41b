// Versioned, checksummed checkpoints, written on a background thread so the replay thread only
// pays for copying its state; the newest `keep` are kept, listed in one index (index.json).
//
// File `ckpt-<id, 20 digits>.bin`: "RLXCKPT\0", u32 format version, u64 id, u64 payload bytes,
// u64 XXH3-64 of the payload, then the payload (little-endian). Written as a temp file, fsynced,
// renamed, directory fsynced; then index.json is replaced the same way, then files beyond
// `keep` are deleted. A crash at any point leaves the index naming only complete files (a file
// the index names may be missing or damaged after a disk fault: load_valid() reports and skips
// it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rlx::durability {

inline constexpr uint32_t kCheckpointFormatVersion = 1;

struct CheckpointStoreOptions {
  std::filesystem::path dir;
  size_t keep = 3;  // newest checkpoints kept (>= 1)
};

struct CheckpointEntry {
  uint64_t id = 0;
  std::string file;  // name inside the directory
  uint64_t bytes = 0;
  uint64_t xxh3 = 0;  // of the payload
};

struct LoadedCheckpoint {
  uint64_t id = 0;
  std::string payload;
};

class CheckpointStore {
 public:
  // Creates the directory (durably) and reads its index, if any.
  explicit CheckpointStore(CheckpointStoreOptions options);
  // Finishes pending writes (errors are swallowed here: call wait() to see them).
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // Queues checkpoint `id` (ids must increase) and returns at once; `make_payload` runs on the
  // writer thread, so serialisation stays off the caller's thread.
  void submit(uint64_t id, std::function<std::string()> make_payload);
  // Waits until every submitted checkpoint is durable; rethrows the writer's first error
  // (rlx::Error, kIo). Also called by submit() to surface an earlier failure.
  void wait();

  // The checkpoints the index lists, newest first, whose files exist and verify. Every one that
  // does not (missing, short, wrong magic or version, checksum mismatch, id disagreeing with the
  // index) is skipped and described in *problems.
  static std::vector<LoadedCheckpoint> load_valid(const std::filesystem::path& dir,
                                                  std::vector<std::string>* problems);
  // Removes checkpoints newer than `id` from the index and the directory (a resumed run drops
  // the ones it cannot use before it writes its own). Call with no store open on `dir`.
  static void drop_newer_than(const std::filesystem::path& dir, uint64_t id);
  // The index as stored (newest first); empty when there is none.
  static std::vector<CheckpointEntry> read_index(const std::filesystem::path& dir);

 private:
  struct Job {
    uint64_t id;
    std::function<std::string()> make_payload;
  };
  void run();
  void write_one(const Job& job);

  CheckpointStoreOptions options_;
  std::vector<CheckpointEntry> index_;  // newest first; writer thread only after start
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool busy_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread writer_;
};

}  // namespace rlx::durability
