#include "rlx/book/order_book.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "rlx/core/error.h"

namespace rlx::book {
namespace {

// How many levels below the top `set` scans linearly before it falls back to a binary search.
// On the USD-M depth@0ms streams most updates land 32..2048 levels deep, where a branchless
// binary search wins (order_book_benchmark measures the choice; -DRLX_BOOK_LINEAR_SCAN=N).
#ifndef RLX_BOOK_LINEAR_SCAN
#define RLX_BOOK_LINEAR_SCAN 0
#endif
constexpr size_t kLinearScan = RLX_BOOK_LINEAR_SCAN;
constexpr size_t kTop = OrderBook::kDenseTop;
// How far an insert looks for a tombstone to reuse before it shifts the top of the book.
constexpr size_t kReach = 64;
// Tombstones are compacted when they exceed both the live levels and this floor.
constexpr size_t kCompactFloor = 256;

// `x` is strictly better than `price` on this side: a higher bid, a lower ask.
template <bool kBid>
inline bool better(__int128 x, __int128 price) {
  if constexpr (kBid) {
    return x > price;
  } else {
    return x < price;
  }
}

// The first index whose price is better than `price` (slots [p, n) are better, [0, p) are not).
template <bool kBid>
inline size_t partition(const std::vector<Level>& v, __int128 price) {
  const Level* data = v.data();
  size_t p = v.size();
  const size_t stop = p > kLinearScan ? p - kLinearScan : 0;
  while (p > stop && better<kBid>(data[p - 1].price.raw(), price)) --p;
  if (p != stop || stop == 0) return p;
  // Branchless binary search over [0, p).
  const Level* base = data;
  size_t n = p;
  while (n > 1) {
    const size_t half = n / 2;
    base = better<kBid>(base[half].price.raw(), price) ? base : base + half;
    n -= half;
  }
  return static_cast<size_t>(base - data) + (better<kBid>(base->price.raw(), price) ? 0 : 1);
}

template <typename Levels>
void compact(Levels& s) {
  auto& v = s.slots;
  v.erase(std::remove_if(v.begin(), v.end(), [](const Level& l) { return l.size.is_zero(); }),
          v.end());
  s.dead = 0;
}

// Keeps the top kTop slots free of tombstones, so best() and level(i < kTop) index directly.
template <typename Levels>
void fix_top(Levels& s) {
  auto& v = s.slots;
  while (s.dead > 0 && v.size() >= kTop && v[v.size() - kTop].size.is_zero()) {
    v.erase(v.end() - static_cast<ptrdiff_t>(kTop));
    --s.dead;
  }
  if (s.dead > 0 && v.size() < kTop) compact(s);
}

template <bool kBid, typename Levels>
bool set_side(Levels& s, Decimal price, Decimal size) {
  std::vector<Level>& v = s.slots;
  const size_t n = v.size();
  const size_t p = partition<kBid>(v, price.raw());
  if (p > 0 && v[p - 1].price == price) {
    Level& l = v[p - 1];
    if (!size.is_zero()) {
      if (l.size.is_zero()) {  // revive a tombstone
        ++s.live;
        --s.dead;
      }
      l.size = size;
      return true;
    }
    if (l.size.is_zero()) return false;  // already deleted
    --s.live;
    if (n - p < kTop) {
      v.erase(v.begin() + static_cast<ptrdiff_t>(p - 1));
      fix_top(s);
    } else {
      l.size = Decimal();
      ++s.dead;
      if (s.dead > kCompactFloor && s.dead > s.live) compact(s);
    }
    return true;
  }
  if (size.is_zero()) return false;
  ++s.live;
  if (n - p >= kTop && s.dead > 0) {
    // Reuse the nearest tombstone below (deeper) or above, shifting only the slots between.
    Level* data = v.data();
    const size_t low = p > kReach ? p - kReach : 0;
    for (size_t t = p; t > low; --t) {
      if (data[t - 1].size.is_zero()) {
        std::memmove(static_cast<void*>(data + t - 1), data + t, (p - t) * sizeof(Level));
        data[p - 1] = Level{price, size};
        --s.dead;
        return true;
      }
    }
    const size_t high = std::min(n - kTop, p + kReach);
    for (size_t t = p; t < high; ++t) {
      if (data[t].size.is_zero()) {
        std::memmove(static_cast<void*>(data + p + 1), data + p, (t - p) * sizeof(Level));
        data[p] = Level{price, size};
        --s.dead;
        return true;
      }
    }
  }
  v.insert(v.begin() + static_cast<ptrdiff_t>(p), Level{price, size});
  return true;
}

template <bool kBid, typename Levels>
const Level* find_side(const Levels& s, Decimal price) {
  const size_t p = partition<kBid>(s.slots, price.raw());
  if (p > 0 && s.slots[p - 1].price == price && !s.slots[p - 1].size.is_zero()) {
    return &s.slots[p - 1];
  }
  return nullptr;
}

template <bool kBid, typename Levels>
size_t erase_better_side(Levels& s, Decimal price, bool inclusive) {
  std::vector<Level>& v = s.slots;
  size_t p = partition<kBid>(v, price.raw());
  if (inclusive && p > 0 && v[p - 1].price == price) --p;
  size_t removed = 0;
  for (size_t i = p; i < v.size(); ++i) removed += v[i].size.is_zero() ? 0 : 1;
  s.dead -= (v.size() - p) - removed;
  s.live -= removed;
  v.resize(p);
  // The new top slots may hold tombstones anywhere: compact if they do (a rare operation).
  const size_t top = std::min(v.size(), kTop);
  for (size_t k = v.size() - top; k < v.size() && s.dead > 0; ++k) {
    if (v[k].size.is_zero()) {
      compact(s);
      break;
    }
  }
  return removed;
}

}  // namespace

bool OrderBook::set(Side side, Decimal price, Decimal size) {
  if (side == Side::kBid) return set_side<true>(bids_, price, size);
  assert(side == Side::kAsk);
  return set_side<false>(asks_, price, size);
}

void OrderBook::clear() {
  clear_side(Side::kBid);
  clear_side(Side::kAsk);
}

void OrderBook::assign(Side side, std::span<const Level> best_first) {
  assert(side == Side::kBid || side == Side::kAsk);
  for (size_t i = 0; i < best_first.size(); ++i) {
    const Level& l = best_first[i];
    const bool worse = i == 0 || (side == Side::kBid ? l.price < best_first[i - 1].price
                                                     : l.price > best_first[i - 1].price);
    if (!worse || l.size.is_zero() || l.size.is_negative()) {
      throw Error(StatusCode::kBadInput,
                  std::string("book: level ") + std::to_string(i) + " of the " + side_name(side) +
                      "s is not worse than the one before it or has no size");
    }
  }
  Levels& levels = side == Side::kBid ? bids_ : asks_;
  levels.slots.assign(best_first.rbegin(), best_first.rend());  // the best last
  levels.live = best_first.size();
  levels.dead = 0;
}

size_t OrderBook::depth(Side side) const { return side == Side::kBid ? bids_.live : asks_.live; }

const Level& OrderBook::level(Side side, size_t i) const {
  const std::vector<Level>& v = side == Side::kBid ? bids_.slots : asks_.slots;
  assert(i < depth(side));
  if (i < kTop || (side == Side::kBid ? bids_.dead : asks_.dead) == 0) return v[v.size() - 1 - i];
  size_t live = kTop;
  for (size_t k = v.size() - kTop; k-- > 0;) {
    if (v[k].size.is_zero()) continue;
    if (live == i) return v[k];
    ++live;
  }
  assert(false);
  return v.front();
}

bool OrderBook::crossed() const {
  return !bids_.slots.empty() && !asks_.slots.empty() &&
         bids_.slots.back().price >= asks_.slots.back().price;
}

const Level* OrderBook::best(Side side) const {
  const std::vector<Level>& v = side == Side::kBid ? bids_.slots : asks_.slots;
  return v.empty() ? nullptr : &v.back();
}

const Level* OrderBook::find(Side side, Decimal price) const {
  return side == Side::kBid ? find_side<true>(bids_, price) : find_side<false>(asks_, price);
}

size_t OrderBook::erase_better(Side side, Decimal price, bool inclusive) {
  return side == Side::kBid ? erase_better_side<true>(bids_, price, inclusive)
                            : erase_better_side<false>(asks_, price, inclusive);
}

void OrderBook::clear_side(Side side) {
  Levels& s = side == Side::kBid ? bids_ : asks_;
  s.slots.clear();
  s.live = 0;
  s.dead = 0;
}

namespace {
constexpr uint32_t kBookTag = make_tag("OBK", 1);
}  // namespace

void OrderBook::save(BinaryWriter& w) const {
  w.u32(kBookTag);
  for (const Levels* s : {&bids_, &asks_}) {
    w.u64(s->live);
    for (const Level& l : s->slots) {
      if (l.size.is_zero()) continue;
      w.decimal(l.price);
      w.decimal(l.size);
    }
  }
}

OrderBook OrderBook::load(BinaryReader& r) {
  r.expect_tag(kBookTag, "OrderBook");
  OrderBook book;
  for (Levels* s : {&book.bids_, &book.asks_}) {
    const bool bid = s == &book.bids_;
    const char* what = bid ? "OrderBook bid level" : "OrderBook ask level";
    const uint64_t n = r.count(what, 32);
    s->slots.resize(n);
    for (uint64_t i = 0; i < n; ++i) {
      Level& l = s->slots[i];
      l.price = r.decimal(what);
      l.size = r.decimal(what);
      // Worst to best: bids strictly ascending, asks strictly descending; no empty level.
      if (l.size.is_zero() || l.size.is_negative()) r.fail(what, "size not positive");
      if (i > 0 && !(bid ? better<true>(l.price.raw(), s->slots[i - 1].price.raw())
                         : better<false>(l.price.raw(), s->slots[i - 1].price.raw()))) {
        r.fail(what, "prices out of order");
      }
    }
    s->live = n;
    s->dead = 0;
  }
  return book;
}

void OrderBook::reserve(size_t levels_per_side) {
  bids_.slots.reserve(levels_per_side);
  asks_.slots.reserve(levels_per_side);
}

}  // namespace rlx::book
