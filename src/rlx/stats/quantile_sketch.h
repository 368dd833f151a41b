// Streaming quantiles of non-negative values with a bounded relative error, in O(1) per value:
// the tier-1 fidelity quantiles that `rlx reconstruct --validate` keeps inline.
#pragma once

#include <cstdint>
#include <vector>

namespace rlx {
class BinaryWriter;
class BinaryReader;
}  // namespace rlx

namespace rlx::stats {

// A histogram whose buckets split every power of two into 2^kMantissaBits equal parts: the
// bucket of x > 0 is the top bits of its IEEE-754 pattern (which orders non-negative doubles), so
// adding a value is a shift and an increment. Zero has its own bucket. A quantile is reported as
// its bucket's midpoint: half a bucket, at most 2^-(kMantissaBits+1) = 0.4 % of the value, from
// the exact sample quantile. Two sides bucket equal values alike, so comparing them loses nothing
// at that scale.
//
// Counts are integers: the same values give the same sketch in any order, and merging two
// sketches gives the sketch of both streams (windows into a whole, shards into a run).
class QuantileSketch {
 public:
  static constexpr int kMantissaBits = 7;
  static constexpr double kLargest = 1.7976931348623157e308;  // the largest finite double

  // Negative values, infinity and NaN are not placed: they are counted in rejected().
  void add(double x) {
    if (x > 0 && x <= kLargest) {
      place(bucket_of(x));
    } else if (x == 0) {
      ++zeros_;
      ++count_;
    } else {
      ++rejected_;
    }
  }
  uint64_t count() const { return count_; }  // values placed
  uint64_t rejected() const { return rejected_; }

  // The nearest-rank p-quantile (the ceil(p n)-th smallest value, at least the first) as its
  // bucket's midpoint; NaN when empty.
  double quantile(double p) const;
  void merge(const QuantileSketch& other);
  void clear();

  // Every count, exactly. load throws Error(kInternal) on a short read, a wrong tag, or counts
  // that do not add up.
  void save(BinaryWriter& w) const;
  static QuantileSketch load(BinaryReader& r);

 private:
  static uint64_t bucket_of(double x);
  static double midpoint(uint64_t bucket);
  void place(uint64_t bucket) {
    if (counts_.empty() || bucket < first_ || bucket >= first_ + counts_.size()) grow(bucket);
    ++counts_[bucket - first_];
    ++count_;
  }
  void grow(uint64_t bucket);  // makes counts_ cover `bucket` (never shrinks it)

  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  uint64_t rejected_ = 0;
  uint64_t first_ = 0;            // the bucket of counts_[0]
  std::vector<uint64_t> counts_;  // dense from first_ to the largest bucket seen
};

}  // namespace rlx::stats
