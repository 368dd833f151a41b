// Streaming quantiles in O(1) time and memory: the P² algorithm of Jain & Chlamtac (1985), for
// tier-1 fidelity metrics that must run inline while `rlx reconstruct` writes.
#pragma once

#include <array>
#include <cstdint>

namespace rlx {
class BinaryWriter;
class BinaryReader;
}  // namespace rlx

namespace rlx::stats {

// One quantile p of a stream, estimated from five markers whose heights follow a piecewise-
// parabolic fit of the empirical quantile function. Exact for the first five values; afterwards
// an estimate whose error shrinks as the stream grows (p_square_test.cc bounds it). Only +, -,
// *, / in a fixed order: the same stream gives the same bits on every machine.
class PSquare {
 public:
  explicit PSquare(double p = 0.5);

  void add(double x);
  // The estimate; NaN before the first value.
  double value() const;
  uint64_t count() const { return count_; }
  double p() const { return p_; }

  // Every field, exactly (a checkpoint of a stream being monitored).
  void save(BinaryWriter& w) const;
  static PSquare load(BinaryReader& r);

 private:
  double parabolic(int i, double d) const;
  double linear(int i, int d) const;

  double p_;
  uint64_t count_ = 0;
  std::array<double, 5> height_{};    // q_i: marker heights
  std::array<double, 5> position_{};  // n_i: actual positions, 1-based
  std::array<double, 5> desired_{};   // n'_i
  std::array<double, 5> step_{};      // dn'_i
};

}  // namespace rlx::stats
