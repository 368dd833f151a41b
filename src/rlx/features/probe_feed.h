// Probe times handed from one side's FeatureBuilder to the other's while both sides load at once:
// the golden side probes its book at each of its snapshots and writes the times here; the
// candidate reads them in order and is probed at the same times. The reader waits only when it
// has caught up with the writer, so the result equals loading the golden first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace rlx::features {

// One writer thread, one reader thread.
class ProbeFeed {
 public:
  ProbeFeed() = default;
  // A closed feed of known times (a golden side loaded earlier).
  explicit ProbeFeed(std::vector<int64_t> times);
  ProbeFeed(const ProbeFeed&) = delete;
  ProbeFeed& operator=(const ProbeFeed&) = delete;

  // Writer. Times pass to the reader in batches (one lock per batch, not per time). close()
  // passes the rest and ends the feed, so that the reader never waits for times that will not
  // come; idempotent. abort() says the writer failed: the reader's next at() throws, so that it
  // stops instead of finishing work that would be thrown away. Neither throws (if close() cannot
  // pass the rest, it aborts: a short feed would give a wrong result, not a failed one).
  void push(int64_t t);
  void close() noexcept;
  void abort() noexcept;

  // Reader: the i-th time written, waiting until it is; false once the feed has closed with
  // i times or fewer. Throws Error(kInternal) once the feed is aborted.
  bool at(size_t i, int64_t* t);

 private:
  static constexpr size_t kBatch = 4096;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> shared_;  // guarded by mu_
  bool closed_ = false;          // guarded by mu_
  std::atomic<bool> aborted_{false};
  std::vector<int64_t> pending_;  // writer only: not yet passed
  std::vector<int64_t> seen_;     // reader only: what it has taken from shared_
  bool all_seen_ = false;         // reader only: closed, and every time taken
};

}  // namespace rlx::features
