// Tests: drives any EventConsumer with hand-made book messages and trades over a book it keeps
// itself, as the BookEngine would (a snapshot clears the book; each row is applied, then
// handed over).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/book/order_book.h"
#include "rlx/core/event.h"

namespace rlx::testing {

inline Decimal dec(const std::string& text) {
  Decimal d;
  EXPECT_TRUE(Decimal::parse(text, &d)) << text;
  return d;
}

class EventFeed {
 public:
  using Row = std::tuple<Side, std::string, std::string>;  // side, price, size

  explicit EventFeed(book::EventConsumer* consumer) : consumer_(consumer) {}

  // One book message at time t; a snapshot clears the book first.
  EventFeed& book(EventType type, int64_t t, const std::vector<Row>& rows, uint32_t flags = 0) {
    if (type == EventType::kBookSnapshot) book_.clear();
    for (size_t i = 0; i < rows.size(); ++i) {
      Event e;
      e.type = type;
      e.origin_time = t;
      e.side = std::get<0>(rows[i]);
      e.price = dec(std::get<1>(rows[i]));
      e.size = dec(std::get<2>(rows[i]));
      e.flags = flags;
      e.last_in_message = i + 1 == rows.size();
      book_.set(e.side, e.price, e.size);
      consumer_->on_event(e, book_);
    }
    return *this;
  }
  EventFeed& trade(int64_t t, Side side, const std::string& price, const std::string& size,
                   const std::string& id) {
    Event e;
    e.type = EventType::kTrade;
    e.origin_time = t;
    e.side = side;
    e.price = dec(price);
    e.size = dec(size);
    e.trade_id = id;
    consumer_->on_event(e, book_);
    return *this;
  }
  const book::OrderBook& order_book() const { return book_; }
  // Hands the next events to another consumer, the book unchanged (a consumer restored from a
  // checkpoint goes on where the saved one stopped).
  void set_consumer(book::EventConsumer* consumer) { consumer_ = consumer; }

 private:
  book::EventConsumer* consumer_;
  book::OrderBook book_;
};

}  // namespace rlx::testing
