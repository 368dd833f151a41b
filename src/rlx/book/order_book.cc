#include "rlx/book/order_book.h"

#include <cassert>

namespace rlx::book {
namespace {

// How many levels below the top `set` scans linearly before it falls back to a binary search.
// Most updates land within the top few dozen levels, where a scan of contiguous memory beats
// a search's unpredictable branches (order_book_benchmark measures the choice).
constexpr size_t kLinearScan = 32;

// `x` is strictly better than `price` on this side: a higher bid, a lower ask.
template <bool kBid>
inline bool better(__int128 x, __int128 price) {
  if constexpr (kBid) {
    return x > price;
  } else {
    return x < price;
  }
}

// The first index whose price is better than `price` (levels [p, n) are better, [0, p) are not).
template <bool kBid>
inline size_t partition(const std::vector<Level>& v, __int128 price) {
  const Level* data = v.data();
  size_t p = v.size();
  const size_t stop = p > kLinearScan ? p - kLinearScan : 0;
  while (p > stop && better<kBid>(data[p - 1].price.raw(), price)) --p;
  if (p != stop || stop == 0) return p;
  // Deep level: branchless binary search over [0, p).
  const Level* base = data;
  size_t n = p;
  while (n > 1) {
    const size_t half = n / 2;
    base = better<kBid>(base[half].price.raw(), price) ? base : base + half;
    n -= half;
  }
  return static_cast<size_t>(base - data) + (better<kBid>(base->price.raw(), price) ? 0 : 1);
}

template <bool kBid>
bool set_side(std::vector<Level>& v, Decimal price, Decimal size) {
  const size_t p = partition<kBid>(v, price.raw());
  if (p > 0 && v[p - 1].price == price) {
    if (size.is_zero()) {
      v.erase(v.begin() + static_cast<ptrdiff_t>(p - 1));
    } else {
      v[p - 1].size = size;
    }
    return true;
  }
  if (size.is_zero()) return false;
  v.insert(v.begin() + static_cast<ptrdiff_t>(p), Level{price, size});
  return true;
}

template <bool kBid>
const Level* find_side(const std::vector<Level>& v, Decimal price) {
  const size_t p = partition<kBid>(v, price.raw());
  if (p > 0 && v[p - 1].price == price) return &v[p - 1];
  return nullptr;
}

template <bool kBid>
size_t erase_better_side(std::vector<Level>& v, Decimal price, bool inclusive) {
  size_t p = partition<kBid>(v, price.raw());
  if (inclusive && p > 0 && v[p - 1].price == price) --p;
  const size_t removed = v.size() - p;
  v.resize(p);
  return removed;
}

}  // namespace

bool OrderBook::set(Side side, Decimal price, Decimal size) {
  if (side == Side::kBid) return set_side<true>(bids_, price, size);
  assert(side == Side::kAsk);
  return set_side<false>(asks_, price, size);
}

void OrderBook::clear() {
  bids_.clear();
  asks_.clear();
}

size_t OrderBook::depth(Side side) const {
  return side == Side::kBid ? bids_.size() : asks_.size();
}

const Level& OrderBook::level(Side side, size_t i) const {
  const std::vector<Level>& v = side == Side::kBid ? bids_ : asks_;
  assert(i < v.size());
  return v[v.size() - 1 - i];
}

bool OrderBook::crossed() const {
  return !bids_.empty() && !asks_.empty() && bids_.back().price >= asks_.back().price;
}

const Level* OrderBook::best(Side side) const {
  const std::vector<Level>& v = side == Side::kBid ? bids_ : asks_;
  return v.empty() ? nullptr : &v.back();
}

const Level* OrderBook::find(Side side, Decimal price) const {
  return side == Side::kBid ? find_side<true>(bids_, price) : find_side<false>(asks_, price);
}

size_t OrderBook::erase_better(Side side, Decimal price, bool inclusive) {
  return side == Side::kBid ? erase_better_side<true>(bids_, price, inclusive)
                            : erase_better_side<false>(asks_, price, inclusive);
}

void OrderBook::clear_side(Side side) { (side == Side::kBid ? bids_ : asks_).clear(); }

void OrderBook::reserve(size_t levels_per_side) {
  bids_.reserve(levels_per_side);
  asks_.reserve(levels_per_side);
}

}  // namespace rlx::book
