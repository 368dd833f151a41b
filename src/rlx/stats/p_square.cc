#include "rlx/stats/p_square.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rlx/core/binary_io.h"

namespace rlx::stats {

PSquare::PSquare(double p) : p_(p) {
  step_ = {0, p / 2, p, (1 + p) / 2, 1};
  desired_ = {1, 1 + 2 * p, 1 + 4 * p, 3 + 2 * p, 5};
  position_ = {1, 2, 3, 4, 5};
}

double PSquare::parabolic(int i, double d) const {
  const auto& q = height_;
  const auto& n = position_;
  return q[i] + d / (n[i + 1] - n[i - 1]) *
                    ((n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
                     (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
}

double PSquare::linear(int i, int d) const {
  return height_[i] + d * (height_[i + d] - height_[i]) / (position_[i + d] - position_[i]);
}

void PSquare::add(double x) {
  if (count_ < 5) {
    height_[count_++] = x;
    if (count_ == 5) std::sort(height_.begin(), height_.end());
    return;
  }
  ++count_;
  int k = 0;
  if (x < height_[0]) {
    height_[0] = x;
    k = 0;
  } else if (x >= height_[4]) {
    height_[4] = std::max(height_[4], x);
    k = 3;
  } else {
    k = 0;
    while (k < 3 && x >= height_[k + 1]) ++k;
  }
  for (int i = k + 1; i < 5; ++i) position_[i] += 1;
  for (int i = 0; i < 5; ++i) desired_[i] += step_[i];
  for (int i = 1; i <= 3; ++i) {
    const double d = desired_[i] - position_[i];
    if ((d >= 1 && position_[i + 1] - position_[i] > 1) ||
        (d <= -1 && position_[i - 1] - position_[i] < -1)) {
      const int s = d >= 0 ? 1 : -1;
      const double q = parabolic(i, s);
      height_[i] = (height_[i - 1] < q && q < height_[i + 1]) ? q : linear(i, s);
      position_[i] += s;
    }
  }
}

double PSquare::value() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (count_ >= 5) return height_[2];
  // Fewer than five values: the nearest-rank quantile of what there is.
  std::array<double, 5> v = height_;
  std::sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(count_));
  const double rank = std::ceil(p_ * static_cast<double>(count_));
  const uint64_t i = rank < 1 ? 0 : static_cast<uint64_t>(rank) - 1;
  return v[std::min<uint64_t>(i, count_ - 1)];
}

void PSquare::save(BinaryWriter& w) const {
  w.f64(p_);
  w.u64(count_);
  for (const auto* a : {&height_, &position_, &desired_}) {
    for (const double v : *a) w.f64(v);
  }
}

PSquare PSquare::load(BinaryReader& r) {
  PSquare q(r.f64("p_square p"));
  q.count_ = r.u64("p_square count");
  for (auto* a : {&q.height_, &q.position_, &q.desired_}) {
    for (double& v : *a) v = r.f64("p_square marker");
  }
  return q;
}

}  // namespace rlx::stats
