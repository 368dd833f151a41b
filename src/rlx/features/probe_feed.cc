#include "rlx/features/probe_feed.h"

#include <utility>

namespace rlx::features {

ProbeFeed::ProbeFeed(std::vector<int64_t> times) : closed_(true), seen_(std::move(times)) {}

void ProbeFeed::push(int64_t t) {
  pending_.push_back(t);
  if (pending_.size() < kBatch) return;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    shared_.insert(shared_.end(), pending_.begin(), pending_.end());
  }
  pending_.clear();
  cv_.notify_one();
}

void ProbeFeed::close() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    shared_.insert(shared_.end(), pending_.begin(), pending_.end());
    closed_ = true;
  }
  pending_.clear();
  cv_.notify_one();
}

bool ProbeFeed::at(size_t i, int64_t* t) {
  if (i >= seen_.size()) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_ || seen_.size() + shared_.size() > i; });
    seen_.insert(seen_.end(), shared_.begin(), shared_.end());
    shared_.clear();
    if (i >= seen_.size()) return false;
  }
  *t = seen_[i];
  return true;
}

}  // namespace rlx::features
