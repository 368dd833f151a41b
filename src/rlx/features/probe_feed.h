// Probe times handed from one side's FeatureBuilder to the other's while both sides load at once:
// the golden side probes its book at each of its snapshots and writes the times here; the
// candidate reads them in order and is probed at the same times. The reader waits only when it
// has caught up with the writer, so the result equals loading the golden first.
#pragma once

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
  // passes the rest and ends the feed; call it on failure too, so that the reader never waits
  // for times that will not come. Idempotent.
  void push(int64_t t);
  void close();

  // Reader: the i-th time written, waiting until it is; false once the feed has closed with
  // i times or fewer.
  bool at(size_t i, int64_t* t);

 private:
  static constexpr size_t kBatch = 4096;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> shared_;   // guarded by mu_
  bool closed_ = false;           // guarded by mu_
  std::vector<int64_t> pending_;  // writer only: not yet passed
  std::vector<int64_t> seen_;     // reader only: what it has taken from shared_
};

}  // namespace rlx::features
