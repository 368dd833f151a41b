#include "rlx/book/order_book.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "rlx/core/error.h"

namespace rlx::book {
namespace {

Decimal d(const char* text) {
  Decimal out;
  EXPECT_TRUE(Decimal::parse(text, &out)) << text;
  return out;
}

TEST(OrderBook, SetUpdateDeleteKeepsBestFirst) {
  OrderBook book;
  EXPECT_TRUE(book.set(Side::kBid, d("100"), d("1")));
  EXPECT_TRUE(book.set(Side::kBid, d("101.5"), d("2")));
  EXPECT_TRUE(book.set(Side::kBid, d("99"), d("3")));
  EXPECT_TRUE(book.set(Side::kAsk, d("103"), d("4")));
  EXPECT_TRUE(book.set(Side::kAsk, d("102"), d("5")));
  ASSERT_EQ(book.depth(Side::kBid), 3u);
  ASSERT_EQ(book.depth(Side::kAsk), 2u);
  EXPECT_EQ(book.level(Side::kBid, 0).price, d("101.5"));
  EXPECT_EQ(book.level(Side::kBid, 1).price, d("100"));
  EXPECT_EQ(book.level(Side::kBid, 2).price, d("99"));
  EXPECT_EQ(book.level(Side::kAsk, 0).price, d("102"));
  EXPECT_EQ(book.level(Side::kAsk, 1).price, d("103"));
  EXPECT_FALSE(book.crossed());

  EXPECT_TRUE(book.set(Side::kBid, d("100"), d("7")));  // update
  EXPECT_EQ(book.level(Side::kBid, 1).size, d("7"));
  EXPECT_TRUE(book.set(Side::kBid, d("101.50"), d("0.000")));  // delete, any zero spelling
  EXPECT_EQ(book.depth(Side::kBid), 2u);
  EXPECT_FALSE(book.set(Side::kBid, d("98"), d("0")));  // deleting an unknown level is normal
  EXPECT_EQ(book.depth(Side::kBid), 2u);
  EXPECT_EQ(book.best(Side::kBid)->price, d("100"));

  EXPECT_TRUE(book.set(Side::kBid, d("102"), d("1")));
  EXPECT_TRUE(book.crossed());  // bid == ask counts as crossed
  book.clear();
  EXPECT_EQ(book.depth(Side::kBid), 0u);
  EXPECT_EQ(book.best(Side::kAsk), nullptr);
  EXPECT_FALSE(book.crossed());
}

// assign() gives the book set() would build from the same levels, and refuses levels out of order
// or without size, leaving the side as it was.
TEST(OrderBook, AssignEqualsSettingEachLevel) {
  const std::vector<Level> bids = {{d("101.5"), d("2")}, {d("100"), d("1")}, {d("99"), d("3")}};
  const std::vector<Level> asks = {{d("102"), d("5")}, {d("103"), d("4")}};
  OrderBook set;
  for (const Level& l : bids) set.set(Side::kBid, l.price, l.size);
  for (const Level& l : asks) set.set(Side::kAsk, l.price, l.size);
  OrderBook assigned;
  assigned.set(Side::kBid, d("50"), d("1"));  // replaced
  assigned.assign(Side::kBid, bids);
  assigned.assign(Side::kAsk, asks);
  for (const Side side : {Side::kBid, Side::kAsk}) {
    ASSERT_EQ(assigned.depth(side), set.depth(side));
    for (size_t i = 0; i < set.depth(side); ++i) {
      EXPECT_EQ(assigned.level(side, i).price, set.level(side, i).price);
      EXPECT_EQ(assigned.level(side, i).size, set.level(side, i).size);
    }
  }
  // It evolves as the other under later updates.
  for (OrderBook* b : {&set, &assigned}) {
    b->set(Side::kBid, d("100.5"), d("9"));
    b->set(Side::kBid, d("101.5"), d("0"));
  }
  EXPECT_EQ(assigned.level(Side::kBid, 0).price, set.level(Side::kBid, 0).price);
  EXPECT_EQ(assigned.depth(Side::kBid), set.depth(Side::kBid));

  const std::vector<Level> unordered = {{d("100"), d("1")}, {d("100.5"), d("1")}};
  EXPECT_THROW(assigned.assign(Side::kBid, unordered), Error);
  EXPECT_THROW(
      assigned.assign(Side::kAsk, std::vector<Level>{{d("102"), d("1")}, {d("102"), d("2")}}),
      Error);
  EXPECT_THROW(assigned.assign(Side::kAsk, std::vector<Level>{{d("102"), d("0")}}), Error);
  EXPECT_EQ(assigned.depth(Side::kAsk), 2u);  // unchanged
  assigned.assign(Side::kAsk, {});
  EXPECT_EQ(assigned.depth(Side::kAsk), 0u);
}

TEST(OrderBook, FindAndEraseBetter) {
  OrderBook book;
  for (int p = 1; p <= 10; ++p) {
    book.set(Side::kBid, Decimal::from_int(p), Decimal::from_int(1));
    book.set(Side::kAsk, Decimal::from_int(10 + p), Decimal::from_int(1));
  }
  ASSERT_NE(book.find(Side::kBid, Decimal::from_int(4)), nullptr);
  EXPECT_EQ(book.find(Side::kBid, d("4.5")), nullptr);
  EXPECT_EQ(book.find(Side::kAsk, Decimal::from_int(4)), nullptr);
  // Bids better than 7: 8, 9, 10.
  EXPECT_EQ(book.erase_better(Side::kBid, Decimal::from_int(7), false), 3u);
  EXPECT_EQ(book.best(Side::kBid)->price, Decimal::from_int(7));
  EXPECT_EQ(book.erase_better(Side::kBid, Decimal::from_int(7), true), 1u);
  EXPECT_EQ(book.best(Side::kBid)->price, Decimal::from_int(6));
  // Asks at or better than 12.5: 11, 12.
  EXPECT_EQ(book.erase_better(Side::kAsk, d("12.5"), true), 2u);
  EXPECT_EQ(book.best(Side::kAsk)->price, Decimal::from_int(13));
  book.clear_side(Side::kAsk);
  EXPECT_EQ(book.depth(Side::kAsk), 0u);
  EXPECT_EQ(book.depth(Side::kBid), 6u);
}

// Random updates at every depth (exercising both the linear scan and the binary search) against
// std::map.
TEST(OrderBook, MatchesMapReference) {
  std::mt19937_64 rng(42);
  OrderBook book;
  std::map<__int128, __int128> bids;
  std::map<__int128, __int128> asks;
  for (int i = 0; i < 200000; ++i) {
    const bool bid = rng() & 1;
    // Mostly near the top, sometimes deep.
    const int64_t offset =
        (rng() % 8 == 0) ? static_cast<int64_t>(rng() % 3000) : static_cast<int64_t>(rng() % 40);
    const int64_t ticks = bid ? 100000 - offset : 100001 + offset;
    const Decimal price = Decimal::from_raw(static_cast<__int128>(ticks) * Decimal::kOne / 100);
    const Decimal size = (rng() % 3 == 0) ? Decimal() : Decimal::from_int(1 + rng() % 5);
    auto& ref = bid ? bids : asks;
    const bool existed = ref.count(price.raw()) > 0;
    if (size.is_zero()) {
      ref.erase(price.raw());
    } else {
      ref[price.raw()] = size.raw();
    }
    const bool changed = book.set(bid ? Side::kBid : Side::kAsk, price, size);
    ASSERT_EQ(changed, existed || !size.is_zero());
  }
  ASSERT_EQ(book.depth(Side::kBid), bids.size());
  ASSERT_EQ(book.depth(Side::kAsk), asks.size());
  size_t i = 0;
  for (auto it = bids.rbegin(); it != bids.rend(); ++it, ++i) {
    ASSERT_EQ(book.level(Side::kBid, i).price.raw(), it->first);
    ASSERT_EQ(book.level(Side::kBid, i).size.raw(), it->second);
    ASSERT_NE(book.find(Side::kBid, book.level(Side::kBid, i).price), nullptr);
  }
  i = 0;
  for (auto it = asks.begin(); it != asks.end(); ++it, ++i) {
    ASSERT_EQ(book.level(Side::kAsk, i).price.raw(), it->first);
    ASSERT_EQ(book.level(Side::kAsk, i).size.raw(), it->second);
  }
  // erase_better across deleted (tombstoned) deep slots counts live levels only.
  const Decimal cut = Decimal::from_raw(static_cast<__int128>(100000 - 500) * Decimal::kOne / 100);
  size_t expected = 0;
  for (auto it = bids.lower_bound(cut.raw()); it != bids.end();) {
    ++expected;
    it = bids.erase(it);
  }
  EXPECT_EQ(book.erase_better(Side::kBid, cut, true), expected);
  ASSERT_EQ(book.depth(Side::kBid), bids.size());
  i = 0;
  for (auto it = bids.rbegin(); it != bids.rend(); ++it, ++i) {
    ASSERT_EQ(book.level(Side::kBid, i).price.raw(), it->first);
  }
}

}  // namespace
}  // namespace rlx::book
