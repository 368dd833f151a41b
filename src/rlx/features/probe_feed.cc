#include "rlx/features/probe_feed.h"

#include <utility>

#include "rlx/core/error.h"

namespace rlx::features {

ProbeFeed::ProbeFeed(std::vector<int64_t> times)
    : closed_(true), seen_(std::move(times)), all_seen_(true) {}

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

void ProbeFeed::close() noexcept {
  bool lost = false;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    try {
      shared_.insert(shared_.end(), pending_.begin(), pending_.end());
    } catch (...) {
      lost = true;
    }
    if (lost) aborted_ = true;
  }
  pending_.clear();
  cv_.notify_one();
}

void ProbeFeed::abort() noexcept {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
  }
  cv_.notify_one();
}

bool ProbeFeed::at(size_t i, int64_t* t) {
  const auto check = [&] {
    if (aborted_) throw Error(StatusCode::kInternal, "probe feed: the side writing it failed");
  };
  check();
  if (i >= seen_.size()) {
    if (all_seen_) return false;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_ || aborted_ || seen_.size() + shared_.size() > i; });
    check();
    seen_.insert(seen_.end(), shared_.begin(), shared_.end());
    shared_.clear();
    all_seen_ = closed_;
    if (i >= seen_.size()) return false;
  }
  *t = seen_[i];
  return true;
}

}  // namespace rlx::features
