// Thin copies: every field the reader promises comes back exactly (extreme decimals, NULL times,
// books that grow, shrink and shift, empty sides, top_n 0 and 50); the bytes depend only on the
// rows; and every damaged file is refused with its name, never misread.
#include "rlx/sink/thin_part.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/testing/test_data.h"

namespace rlx::sink {
namespace {

struct Row {
  Event event;
  std::vector<Level> bids, asks;
};

Decimal raw(__int128 v) { return Decimal::from_raw(v); }

// A stream with every kind of row: snapshots, multi-row diffs, trades with and without ids,
// NULL and repeated and decreasing times, flags, and books of changing depth.
std::vector<Row> sample_rows(int32_t top_n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Row> rows;
  const __int128 big = (static_cast<__int128>(1) << 126) - 1;  // past DECIMAL(38)'s range
  int64_t t = 1'723'075'200'000'000'000;
  for (int64_t seq = 1000; seq < 4000; ++seq) {
    Row r;
    Event& e = r.event;
    e.event_seq = seq;
    const uint64_t pick = rng() % 10;
    e.type = pick < 6   ? EventType::kBookDelta
             : pick < 8 ? EventType::kTrade
                        : EventType::kBookSnapshot;
    const uint64_t when = rng() % 6;
    if (when == 0) t += static_cast<int64_t>(rng() % 5'000'000);
    if (when == 1) t -= 3'000'000;  // out of order
    e.origin_time = when == 2 ? kNull : t;
    e.received_time = when == 3 ? kNull : t + 7;
    if (e.origin_time == kNull && rng() % 2 == 0) e.received_time = kNull;
    e.flags = rng() % 4 == 0 ? static_cast<uint32_t>(rng() % 32) : 0;
    e.last_in_message = rng() % 3 == 0;
    e.side = static_cast<Side>(rng() % 5);
    e.price = raw(rng() % 7 == 0 ? -big
                                 : static_cast<__int128>(rng() % 100000) * 100'000'000'000'000'000);
    e.size =
        raw(rng() % 11 == 0 ? big : static_cast<__int128>(rng() % 5000) * 1'000'000'000'000'000);
    if (e.type == EventType::kTrade && rng() % 4 != 0)
      e.trade_id = std::to_string(rng() % 1'000'000);
    e.update_id = static_cast<int64_t>(rng());
    if (e.last_in_message) {
      for (auto* side : {&r.bids, &r.asks}) {
        const size_t depth = rng() % static_cast<size_t>(top_n + 3);  // may exceed top_n
        for (size_t i = 0; i < depth; ++i) {
          side->push_back(
              {raw(static_cast<__int128>(60000 - i - rng() % 2) * 100'000'000'000'000'000),
               raw(rng() % 13 == 0
                       ? big
                       : static_cast<__int128>(1 + rng() % 9) * 1'000'000'000'000'000)});
        }
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string write_rows(const std::vector<Row>& rows, int32_t top_n,
                       const std::filesystem::path& path) {
  ThinPartWriter w(top_n);
  for (const Row& r : rows) w.add(r.event, r.bids, r.asks);
  EXPECT_EQ(w.rows(), rows.size());
  const durability::FileDigest d = w.write(path);
  const std::string bytes = durability::read_file(path);
  EXPECT_EQ(d.bytes, bytes.size());
  EXPECT_EQ(w.rows(), 0u);  // written: the next part starts empty
  return bytes;
}

void expect_same(const std::vector<Row>& rows, int32_t top_n, const std::filesystem::path& path) {
  ThinPartReader r(path);
  EXPECT_EQ(r.top_n(), top_n);
  ASSERT_EQ(r.rows(), rows.size());
  EXPECT_EQ(r.first_event_seq(), rows.front().event.event_seq);
  Event e;
  e.update_id = 5;
  const Row* previous = nullptr;  // the previous message's last row
  for (size_t i = 0; i < rows.size(); ++i) {
    const Event& x = rows[i].event;
    ASSERT_TRUE(r.next(&e)) << i;
    EXPECT_EQ(e.event_seq, x.event_seq);
    EXPECT_EQ(e.type, x.type) << i;
    EXPECT_EQ(e.origin_time, x.origin_time != kNull ? x.origin_time : x.received_time) << i;
    EXPECT_EQ(e.received_time, kNull);
    EXPECT_EQ(e.update_id, kNull);
    EXPECT_EQ(e.flags, x.flags) << i;
    EXPECT_EQ(e.last_in_message, x.last_in_message) << i;
    if (x.type == EventType::kBookDelta) {
      EXPECT_EQ(e.side, Side::kNone);
      EXPECT_TRUE(e.price.is_zero() && e.size.is_zero() && e.trade_id.empty());
    } else {
      EXPECT_EQ(e.side, x.side) << i;
      EXPECT_EQ(e.price, x.price) << i;
      EXPECT_EQ(e.size, x.size) << i;
      EXPECT_EQ(e.trade_id, x.trade_id) << i;
    }
    if (!x.last_in_message) continue;
    const auto same = [&](std::span<const Level> got, const std::vector<Level>& want) {
      ASSERT_EQ(got.size(), std::min(want.size(), static_cast<size_t>(top_n))) << i;
      for (size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k].price, want[k].price) << i << " level " << k;
        EXPECT_EQ(got[k].size, want[k].size) << i << " level " << k;
      }
    };
    same(r.bids(), rows[i].bids);
    same(r.asks(), rows[i].asks);
    // Changed: the first message, or levels or depths unlike the previous message's.
    const auto shown = [&](const std::vector<Level>& v) {
      return std::vector<Level>(v.begin(),
                                v.begin() + std::min(v.size(), static_cast<size_t>(top_n)));
    };
    const auto same_levels = [](const std::vector<Level>& a, const std::vector<Level>& b) {
      if (a.size() != b.size()) return false;
      for (size_t k = 0; k < a.size(); ++k) {
        if (a[k].price != b[k].price || a[k].size != b[k].size) return false;
      }
      return true;
    };
    const bool changed = previous == nullptr ||
                         !same_levels(shown(previous->bids), shown(rows[i].bids)) ||
                         !same_levels(shown(previous->asks), shown(rows[i].asks));
    EXPECT_EQ(r.book_changed(), changed) << i;
    previous = &rows[i];
  }
  EXPECT_FALSE(r.next(&e));
}

TEST(ThinPart, EveryPromisedFieldComesBackExactly) {
  testing::TempDir dir;
  for (const int32_t top_n : {0, 1, 5, 50}) {
    const std::vector<Row> rows = sample_rows(top_n, 17 + static_cast<uint64_t>(top_n));
    const auto path = dir.path() / ("part-" + std::to_string(top_n) + ".thin");
    write_rows(rows, top_n, path);
    expect_same(rows, top_n, path);
  }
}

TEST(ThinPart, ConsecutivePartsFromOneWriterStandAlone) {
  testing::TempDir dir;
  const std::vector<Row> rows = sample_rows(5, 3);
  const std::vector<Row> first(rows.begin(), rows.begin() + 1200);
  const std::vector<Row> second(rows.begin() + 1200, rows.end());
  ThinPartWriter w(5);
  for (const Row& r : first) w.add(r.event, r.bids, r.asks);
  w.write(dir.path() / "a.thin");
  for (const Row& r : second) w.add(r.event, r.bids, r.asks);
  w.write(dir.path() / "b.thin");
  expect_same(first, 5, dir.path() / "a.thin");
  expect_same(second, 5, dir.path() / "b.thin");
  // The second part's bytes do not depend on the first: a fresh writer gives the same file.
  EXPECT_EQ(write_rows(second, 5, dir.path() / "c.thin"),
            durability::read_file(dir.path() / "b.thin"));
}

// The reader numbers rows from the first, so the writer takes consecutive rows only.
TEST(ThinPart, RowsMustBeConsecutive) {
  ThinPartWriter w(5);
  Event e;
  e.event_seq = 7;
  w.add(e, {}, {});
  e.event_seq = 9;
  EXPECT_THROW(w.add(e, {}, {}), Error);
}

// Bodies damaged under a valid checksum (as a bug in the writer would make them) are refused or
// read as rows of the right shape: never past a buffer (the sanitizer build checks), never an
// exception other than Error(kBadInput).
TEST(ThinPart, DamagedBodiesUnderAValidChecksumAreSafe) {
  testing::TempDir dir;
  const std::vector<Row> rows = sample_rows(5, 21);
  const std::vector<Row> few(rows.begin(), rows.begin() + 30);
  const std::string good = write_rows(few, 5, dir.path() / "good.thin");
  constexpr size_t kHeader = 40;
  std::string body(ZSTD_getFrameContentSize(good.data() + kHeader, good.size() - kHeader), '\0');
  ASSERT_EQ(ZSTD_decompress(body.data(), body.size(), good.data() + kHeader, good.size() - kHeader),
            body.size());
  const auto path = dir.path() / "bad.thin";
  size_t refused = 0;
  for (size_t i = 40; i < body.size(); ++i) {  // past the five stream lengths
    for (const uint8_t x : {0x01, 0xff}) {
      std::string b = body;
      b[i] = static_cast<char>(b[i] ^ x);
      std::string frame(ZSTD_compressBound(b.size()), '\0');
      ZSTD_CCtx* cctx = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
      frame.resize(ZSTD_compress2(cctx, frame.data(), frame.size(), b.data(), b.size()));
      ZSTD_freeCCtx(cctx);
      std::ofstream(path, std::ios::binary | std::ios::trunc) << good.substr(0, kHeader) << frame;
      try {
        ThinPartReader r(path);
        Event e;
        while (r.next(&e)) {
        }
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), StatusCode::kBadInput);
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 0u);
}

TEST(ThinPart, PathSitsBesideThePart) {
  EXPECT_EQ(thin_path("exchange=x/symbol=Y/date=2024-08-08/part-00003.parquet"),
            "exchange=x/symbol=Y/date=2024-08-08/part-00003.thin");
}

// Every truncation and every flipped byte is refused with the file's name, never misread.
TEST(ThinPart, DamagedFilesAreRefusedWithTheirName) {
  testing::TempDir dir;
  const std::vector<Row> rows = sample_rows(5, 9);
  const std::vector<Row> few(rows.begin(), rows.begin() + 100);
  const std::string good = write_rows(few, 5, dir.path() / "good.thin");
  const auto path = dir.path() / "bad.thin";
  // Every row and book read, as text; throws what the reader throws.
  const auto read_all = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;  // no fsync: a test file
    ThinPartReader r(path);
    std::string out = std::to_string(r.first_event_seq()) + " " + std::to_string(r.top_n());
    Event e;
    while (r.next(&e)) {
      out += " " + std::to_string(static_cast<int>(e.type)) + "," + std::to_string(e.origin_time) +
             "," + std::to_string(e.flags) + "," + e.price.to_string() + "," + e.size.to_string() +
             "," + e.trade_id + (e.last_in_message ? "|" : "");
      for (const auto& side : {r.bids(), r.asks()}) {
        if (!e.last_in_message) break;
        for (const Level& l : side) out += l.price.to_string() + "@" + l.size.to_string() + ";";
      }
    }
    return out;
  };
  const std::string expected = read_all(good);
  for (size_t n = 0; n < good.size(); ++n) {
    try {
      read_all(good.substr(0, n));
      ADD_FAILURE() << "a copy cut to " << n << " bytes was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find("bad.thin"), std::string::npos) << e.what();
    }
  }
  // A flipped byte anywhere but in the first event_seq (bytes 16..23, checked by the reader's
  // caller against manifest.json) is refused (the header by its checks, the body by zstd's
  // checksum), or, where it only touches bits zstd does not use, reads the same rows.
  size_t refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    if (i >= 16 && i < 24) continue;
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    try {
      EXPECT_EQ(read_all(bad), expected) << "byte " << i << " flipped was misread";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find("bad.thin"), std::string::npos) << e.what();
      ++refused;
    }
  }
  EXPECT_GT(refused, (good.size() - 8) * 9 / 10);
  std::string version = good;
  version[8] = 2;
  try {
    read_all(version);
    ADD_FAILURE() << "version 2 was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rlx::sink
