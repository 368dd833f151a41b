// Full-depth L2 book of one symbol, keyed by side and exact price.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/decimal.h"
#include "rlx/core/message.h"

namespace rlx::book {

class OrderBook {
 public:
  // Sets the absolute size of a level; zero deletes. Deleting an unknown level is normal and
  // returns false; otherwise true. `side` is Side::kBid or Side::kAsk.
  bool set(Side side, Decimal price, Decimal size);
  void clear();

  size_t depth(Side side) const;
  // The i-th best level of a side (0 = best). Requires i < depth(side). O(1) for
  // i < kDenseTop, O(i) beyond (deeper levels may sit between deleted slots).
  const Level& level(Side side, size_t i) const;
  static constexpr size_t kDenseTop = 64;
  bool crossed() const;  // best bid >= best ask

  // The best level of a side, or nullptr when the side is empty.
  const Level* best(Side side) const;
  // The level at exactly `price`, or nullptr.
  const Level* find(Side side, Decimal price) const;
  // Removes every level of `side` better than `price` (and the level at `price` when
  // `inclusive`): bids above (or at) it, asks below (or at) it. Returns how many were removed.
  size_t erase_better(Side side, Decimal price, bool inclusive);
  void clear_side(Side side);
  // Replaces a side by `best_first`: strictly worse prices after the best, sizes positive (a
  // book read back, e.g. a thin copy's top levels). O(n), no search. Throws Error(kBadInput)
  // when the levels are not so ordered, leaving the side as it was.
  void assign(Side side, std::span<const Level> best_first);
  void reserve(size_t levels_per_side);

  // Checkpoints: the live levels of each side, worst to best (the tombstone layout is not part
  // of the state: every query skips tombstones, so a book rebuilt without them answers every
  // query, and evolves under every later update, exactly as the original). A plain copy of the
  // book is the cheap snapshot to take on the replay thread; save() it later on any thread.
  void save(BinaryWriter& writer) const;
  // Throws rlx::Error(kInternal) on a short read, a wrong tag, or levels out of order or empty.
  static OrderBook load(BinaryReader& reader);

 private:
  // Sorted so the best level is at the back: bids ascending, asks descending, so changes near
  // the top move few elements. Below the top kDenseTop slots a deleted level stays as a
  // tombstone (size 0) that a later insert nearby reuses, so deep churn moves few elements too;
  // tombstones are compacted away when they outnumber the live levels.
  struct Levels {
    std::vector<Level> slots;
    size_t live = 0;
    size_t dead = 0;
  };
  Levels bids_;
  Levels asks_;
};

}  // namespace rlx::book
