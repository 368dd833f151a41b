// Runs independent pieces of work on a few threads: f(i) for every i in [0, n), each once, on up
// to `threads` threads (the caller's among them). Results are deterministic when f(i) writes only
// its own slot. After an exception no new piece starts; once every thread has stopped, the
// exception of the lowest index that failed is rethrown.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rlx {

// The machine's cores (at least 1).
inline unsigned core_count() { return std::max(1u, std::thread::hardware_concurrency()); }

template <typename F>
void parallel_for(size_t n, unsigned threads, F f) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  size_t error_index = n;
  std::mutex error_mu;
  const auto work = [&] {
    for (size_t i = next++; i < n && !failed; i = next++) {
      try {
        f(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mu);
        if (i < error_index) {  // of the pieces that failed, the first in index order
          error = std::current_exception();
          error_index = i;
        }
        failed = true;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    const size_t extra = std::min<size_t>(threads, n) > 1 ? std::min<size_t>(threads, n) - 1 : 0;
    for (size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace rlx
