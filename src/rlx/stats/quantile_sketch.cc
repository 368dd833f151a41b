#include "rlx/stats/quantile_sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"

namespace rlx::stats {
namespace {

constexpr int kShift = 52 - QuantileSketch::kMantissaBits;
constexpr uint32_t kTag = make_tag("QSK", 1);

}  // namespace

uint64_t QuantileSketch::bucket_of(double x) { return std::bit_cast<uint64_t>(x) >> kShift; }

double QuantileSketch::midpoint(uint64_t bucket) {
  const double lo = std::bit_cast<double>(bucket << kShift);
  const double hi = std::bit_cast<double>((bucket + 1) << kShift);
  return lo + (hi - lo) / 2;
}

void QuantileSketch::grow(uint64_t bucket) {
  if (counts_.empty()) {
    first_ = bucket;
    counts_.assign(1, 0);
    return;
  }
  if (bucket < first_) {
    counts_.insert(counts_.begin(), first_ - bucket, 0);
    first_ = bucket;
  } else if (bucket >= first_ + counts_.size()) {
    counts_.resize(bucket - first_ + 1, 0);
  }
}

double QuantileSketch::quantile(double p) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const double r = std::ceil(p * static_cast<double>(count_));
  const uint64_t rank = std::clamp<uint64_t>(r < 1 ? 1 : static_cast<uint64_t>(r), 1, count_);
  uint64_t seen = zeros_;
  if (seen >= rank) return 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return midpoint(first_ + i);
  }
  return midpoint(first_ + counts_.size() - 1);  // not reached: the counts sum to count_
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (!other.counts_.empty()) {
    grow(other.first_);
    grow(other.first_ + other.counts_.size() - 1);
    for (size_t i = 0; i < other.counts_.size(); ++i) {
      counts_[other.first_ + i - first_] += other.counts_[i];
    }
  }
  zeros_ += other.zeros_;
  count_ += other.count_;
  rejected_ += other.rejected_;
}

void QuantileSketch::clear() {
  zeros_ = count_ = rejected_ = 0;
  first_ = 0;
  counts_.clear();
}

void QuantileSketch::save(BinaryWriter& w) const {
  w.u32(kTag);
  w.u64(zeros_);
  w.u64(count_);
  w.u64(rejected_);
  w.u64(first_);
  w.u64(counts_.size());
  for (const uint64_t c : counts_) w.u64(c);
}

QuantileSketch QuantileSketch::load(BinaryReader& r) {
  r.expect_tag(kTag, "quantile sketch");
  QuantileSketch q;
  q.zeros_ = r.u64("sketch zeros");
  q.count_ = r.u64("sketch count");
  q.rejected_ = r.u64("sketch rejected");
  q.first_ = r.u64("sketch first bucket");
  q.counts_.resize(r.count("sketch buckets", 8));
  uint64_t sum = q.zeros_;
  for (uint64_t& c : q.counts_) sum += (c = r.u64("sketch bucket"));
  if (sum != q.count_ ||
      (!q.counts_.empty() && q.first_ + q.counts_.size() - 1 > bucket_of(kLargest))) {
    throw Error(StatusCode::kInternal, "quantile sketch: counts that do not add up");
  }
  return q;
}

}  // namespace rlx::stats
