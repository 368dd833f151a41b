#include "rlx/core/binary_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "rlx/core/error.h"
#include "rlx/core/message.h"

namespace rlx {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInternal);
    return e.what();
  }
  return "";
}

TEST(BinaryIo, RoundTripsEveryType) {
  std::string buf;
  BinaryWriter w(&buf);
  const Decimal max = Decimal::from_raw(Decimal::kMaxRaw);
  const Decimal min = Decimal::from_raw(-Decimal::kMaxRaw);
  Decimal price;
  ASSERT_TRUE(Decimal::parse("-61737.630000000000000001", &price));
  w.u8(0xAB);
  w.boolean(true);
  w.boolean(false);
  w.u32(0xDEADBEEF);
  w.u64(std::numeric_limits<uint64_t>::max());
  w.i64(kNull);
  w.i64(-1);
  w.f64(0.1);
  w.f64(-0.0);
  w.decimal(max);
  w.decimal(min);
  w.decimal(price);
  w.str("");
  w.str(std::string("a\0b", 3));
  w.u32(make_tag("ABC", 7));
  EXPECT_EQ(buf.substr(buf.size() - 4), std::string("ABC\x07"));  // readable in a hex dump
  EXPECT_EQ(w.size(), buf.size());

  BinaryReader r(buf);
  EXPECT_EQ(r.u8("u8"), 0xAB);
  EXPECT_TRUE(r.boolean("t"));
  EXPECT_FALSE(r.boolean("f"));
  EXPECT_EQ(r.u32("u32"), 0xDEADBEEF);
  EXPECT_EQ(r.u64("u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(r.i64("null"), kNull);
  EXPECT_EQ(r.i64("-1"), -1);
  EXPECT_EQ(r.f64("0.1"), 0.1);
  const double neg_zero = r.f64("-0");
  EXPECT_TRUE(std::signbit(neg_zero));
  EXPECT_EQ(r.decimal("max"), max);
  EXPECT_EQ(r.decimal("min"), min);
  EXPECT_EQ(r.decimal("price"), price);
  EXPECT_EQ(r.str("empty"), "");
  EXPECT_EQ(r.str("nul"), std::string("a\0b", 3));
  r.expect_tag(make_tag("ABC", 7), "tag");
  r.expect_end("all");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(BinaryIo, IsLittleEndian) {
  std::string buf;
  BinaryWriter w(&buf);
  w.u32(0x01020304);
  EXPECT_EQ(buf, std::string("\x04\x03\x02\x01"));
}

TEST(BinaryIo, ShortReadsAndBadValuesNameWhatWasRead) {
  std::string buf;
  BinaryWriter w(&buf);
  w.u32(7);
  EXPECT_NE(error_of([&] {
              BinaryReader r(buf);
              r.u64("the answer");
            }).find("checkpoint: reading the answer at byte 0: truncated"),
            std::string::npos);
  std::string two("\x02", 1);
  EXPECT_NE(error_of([&] {
              BinaryReader r(two);
              r.boolean("a flag");
            }).find("a flag"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              BinaryReader r(two);
              r.enumeration("a side", Side::kAsk);  // 2 is kAsk: fine
              r.u8("past the end");
            }).find("past the end"),
            std::string::npos);
  std::string five("\x05", 1);
  EXPECT_NE(error_of([&] {
              BinaryReader r(five);
              r.enumeration("a side", Side::kSell);
            }).find("bad value 5"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              BinaryReader r(buf);
              r.expect_tag(make_tag("OBK", 1), "OrderBook");
            }).find("another format version"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              BinaryReader r(buf);
              r.expect_end("the object");
            }).find("4 trailing bytes"),
            std::string::npos);
  // A huge count never allocates: the remaining bytes cannot hold it.
  std::string huge;
  BinaryWriter hw(&huge);
  hw.u64(uint64_t{1} << 60);
  EXPECT_NE(error_of([&] {
              BinaryReader r(huge);
              r.str("a name");
            }).find("a name"),
            std::string::npos);
  // A decimal outside DECIMAL(38,18).
  std::string big;
  BinaryWriter bw(&big);
  bw.u64(std::numeric_limits<uint64_t>::max());
  bw.u64(std::numeric_limits<uint64_t>::max() >> 1);
  EXPECT_NE(error_of([&] {
              BinaryReader r(big);
              r.decimal("a price");
            }).find("out of DECIMAL(38,18)"),
            std::string::npos);
}

Message full_message() {
  Message m;
  m.kind = MessageKind::kDelta;
  m.market = Market::kCoinM;
  m.exchange = "binance-delivery";
  m.symbol = "BTCUSD_PERP";
  m.origin_time = 1723161255208000000;
  m.received_time = 1723161253937085768;
  m.update_id = 50093239202;
  m.first_update_id = 50093239189;
  m.prev_update_id = 50093239188;
  m.trade_id = "12345";
  m.side = Side::kSell;
  EXPECT_TRUE(Decimal::parse("61737.63", &m.price));
  EXPECT_TRUE(Decimal::parse("0.001", &m.size));
  m.levels.push_back({Side::kBid, Decimal::from_int(61730), Decimal()});
  m.levels.push_back({Side::kAsk, Decimal::from_int(61740), Decimal::from_int(3)});
  m.source = 3;
  m.source_row = 987654321;
  return m;
}

void expect_same(const Message& a, const Message& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.market, b.market);
  EXPECT_EQ(a.exchange, b.exchange);
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.origin_time, b.origin_time);
  EXPECT_EQ(a.received_time, b.received_time);
  EXPECT_EQ(a.update_id, b.update_id);
  EXPECT_EQ(a.first_update_id, b.first_update_id);
  EXPECT_EQ(a.prev_update_id, b.prev_update_id);
  EXPECT_EQ(a.trade_id, b.trade_id);
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.price, b.price);
  EXPECT_EQ(a.size, b.size);
  ASSERT_EQ(a.levels.size(), b.levels.size());
  for (size_t i = 0; i < a.levels.size(); ++i) {
    EXPECT_EQ(a.levels[i].side, b.levels[i].side);
    EXPECT_EQ(a.levels[i].price, b.levels[i].price);
    EXPECT_EQ(a.levels[i].size, b.levels[i].size);
  }
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.source_row, b.source_row);
}

TEST(BinaryIo, MessageRoundTripsEveryField) {
  const Message m = full_message();
  std::string buf;
  BinaryWriter w(&buf);
  save_message(w, m);
  save_message(w, Message());
  BinaryReader r(buf);
  Message out = full_message();  // overwritten, buffers reused
  out.levels.push_back({});
  load_message(r, &out);
  expect_same(out, m);
  load_message(r, &out);
  expect_same(out, Message());
  r.expect_end("messages");
}

TEST(BinaryIo, EveryTruncatedMessageThrows) {
  std::string buf;
  BinaryWriter w(&buf);
  save_message(w, full_message());
  for (size_t n = 0; n < buf.size(); ++n) {
    BinaryReader r(std::string_view(buf).substr(0, n));
    Message out;
    EXPECT_THROW(load_message(r, &out), Error) << n;
  }
}

}  // namespace
}  // namespace rlx
