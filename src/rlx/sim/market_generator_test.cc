#include "rlx/sim/market_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rlx/core/error.h"

namespace rlx::sim {
namespace {

std::vector<Message> generate(const MarketOptions& options) {
  MarketGenerator gen(options);
  std::vector<Message> out;
  Message m;
  while (gen.next(&m)) out.push_back(m);
  return out;
}

MarketOptions short_market(int64_t seconds = 120) {
  MarketOptions o;
  o.duration_ns = seconds * 1'000'000'000;
  return o;
}

// FNV-1a over every field that reaches the output, in a fixed byte order.
class Digest {
 public:
  void add_u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      hash_ = (hash_ ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    }
  }
  void add_i128(__int128 v) {
    add_u64(static_cast<uint64_t>(v));
    add_u64(static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64));
  }
  void add_string(const std::string& s) {
    add_u64(s.size());
    for (unsigned char c : s) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
  }
  void add(const Message& m) {
    add_u64(static_cast<uint64_t>(m.kind));
    add_u64(static_cast<uint64_t>(m.market));
    add_string(m.exchange);
    add_string(m.symbol);
    add_u64(static_cast<uint64_t>(m.origin_time));
    add_u64(static_cast<uint64_t>(m.received_time));
    add_u64(static_cast<uint64_t>(m.update_id));
    add_string(m.trade_id);
    add_u64(static_cast<uint64_t>(m.side));
    add_i128(m.price.raw());
    add_i128(m.size.raw());
    add_u64(m.levels.size());
    for (const LevelUpdate& l : m.levels) {
      add_u64(static_cast<uint64_t>(l.side));
      add_i128(l.price.raw());
      add_i128(l.size.raw());
    }
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

uint64_t digest_of(const std::vector<Message>& messages) {
  Digest d;
  for (const Message& m : messages) d.add(m);
  return d.value();
}

long double to_ld(Decimal d) {
  return static_cast<long double>(d.raw()) / static_cast<long double>(Decimal::kOne);
}

// The book a consumer rebuilds from the deltas alone: bids best-first via std::greater.
struct ReferenceBook {
  std::map<Decimal, Decimal, std::greater<>> bids;
  std::map<Decimal, Decimal> asks;

  void apply(const LevelUpdate& l) {
    if (l.side == Side::kBid) {
      set(bids, l.price, l.size);
    } else {
      set(asks, l.price, l.size);
    }
  }
  template <typename Map>
  static void set(Map& side, Decimal price, Decimal size) {
    if (size.is_zero()) {
      side.erase(price);
    } else {
      side[price] = size;
    }
  }
  bool crossed() const {
    return !bids.empty() && !asks.empty() && bids.begin()->first >= asks.begin()->first;
  }
  template <typename Map>
  static std::vector<std::pair<Decimal, Decimal>> top(const Map& side, size_t n) {
    std::vector<std::pair<Decimal, Decimal>> out;
    for (auto it = side.begin(); it != side.end() && out.size() < n; ++it) out.push_back(*it);
    return out;
  }
};

std::vector<std::pair<Decimal, Decimal>> snapshot_side(const Message& m, Side side) {
  std::vector<std::pair<Decimal, Decimal>> out;
  for (const LevelUpdate& l : m.levels) {
    if (l.side == side) out.emplace_back(l.price, l.size);
  }
  return out;
}

TEST(MarketGenerator, SameSeedGivesIdenticalStream) {
  const auto a = generate(short_market());
  const auto b = generate(short_market());
  ASSERT_GT(a.size(), 1000u);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(digest_of(a), digest_of(b));
}

TEST(MarketGenerator, DifferentSeedGivesDifferentStream) {
  MarketOptions other = short_market();
  other.seed = 43;
  const auto a = generate(short_market());
  const auto b = generate(other);
  EXPECT_NE(digest_of(a), digest_of(b));
  // Not just a shifted clock: the first mid-moving delta differs too.
  ASSERT_GT(a.size(), 10u);
  ASSERT_GT(b.size(), 10u);
  EXPECT_NE(digest_of({a.begin() + 2, a.begin() + 10}), digest_of({b.begin() + 2, b.begin() + 10}));
}

// Pins the exact stream for the default options. It must not change between machines, compilers
// or standard libraries; it changes only when the model changes on purpose (then update it).
TEST(MarketGenerator, DefaultStreamIsPinned) {
  MarketGenerator gen{MarketOptions{}};
  Digest d;
  Message m;
  for (int i = 0; i < 20000 && gen.next(&m); ++i) d.add(m);
  EXPECT_EQ(d.value(), 0x04da4ab4027282c9ULL) << std::hex << d.value();
}

TEST(MarketGenerator, DefaultMarketIsSmallAndRealistic) {
  MarketGenerator gen{MarketOptions{}};
  Message m;
  int64_t messages = 0;
  while (gen.next(&m)) ++messages;
  const MarketStats& s = gen.stats();
  // 10 minutes at 50 messages per second.
  EXPECT_NEAR(static_cast<double>(s.deltas), 30000.0, 6000.0);
  EXPECT_GT(s.level_updates, 3 * s.deltas);  // several levels per message
  EXPECT_LT(s.level_updates, 500'000);       // "a few hundred thousand at most"
  EXPECT_GT(s.trades, 600 * 5);
  EXPECT_EQ(s.snapshots, 600);
  EXPECT_GT(s.jumps, 0);
  EXPECT_EQ(messages, s.deltas + s.trades + s.snapshots);
}

TEST(MarketGenerator, TimesAreOrderedAndLatencyIsPositive) {
  const MarketOptions o = short_market();
  const auto msgs = generate(o);
  int64_t last_origin = o.start_ns;
  std::map<MessageKind, int64_t> last_received;
  for (const Message& m : msgs) {
    ASSERT_GE(m.origin_time, last_origin);
    ASSERT_LT(m.origin_time, o.start_ns + o.duration_ns);
    ASSERT_EQ(m.origin_time % o.time_resolution_ns, 0);
    ASSERT_GE(m.received_time - m.origin_time, o.latency_min_ns);
    ASSERT_LT(m.received_time - m.origin_time, 1'000'000'000);
    auto [it, inserted] = last_received.emplace(m.kind, m.received_time);
    if (!inserted) {
      ASSERT_GE(m.received_time, it->second);
      it->second = m.received_time;
    }
    EXPECT_EQ(m.exchange, "binance-futures");
    EXPECT_EQ(m.symbol, "BTCUSDT");
    EXPECT_EQ(m.market, Market::kUsdM);
    last_origin = m.origin_time;
  }
}

TEST(MarketGenerator, SequenceNumbersIncreaseWithGapsAtTheConfiguredRate) {
  MarketOptions o = short_market(600);
  o.gap_probability = 0.01;
  MarketGenerator gen(o);
  Message m;
  int64_t last = kNull;
  int64_t deltas = 0;
  int64_t gaps = 0;
  int64_t skipped = 0;
  while (gen.next(&m)) {
    if (m.kind != MessageKind::kDelta) continue;
    ++deltas;
    if (last == kNull) {
      EXPECT_EQ(m.update_id, o.first_sequence_number);
    } else {
      ASSERT_GT(m.update_id, last);
      if (m.update_id != last + 1) {
        ++gaps;
        skipped += m.update_id - last - 1;
      }
    }
    last = m.update_id;
  }
  const double expected = o.gap_probability * static_cast<double>(deltas);
  EXPECT_GT(static_cast<double>(gaps), 0.75 * expected);
  EXPECT_LT(static_cast<double>(gaps), 1.25 * expected);
  EXPECT_EQ(gaps, gen.stats().gaps);
  EXPECT_EQ(skipped, gen.stats().skipped_sequence_numbers);

  o.gap_probability = 0.0;
  MarketGenerator none(o);
  last = kNull;
  while (none.next(&m)) {
    if (m.kind != MessageKind::kDelta) continue;
    if (last != kNull) ASSERT_EQ(m.update_id, last + 1);
    last = m.update_id;
  }
}

// Replays the stream into an independent std::map book and checks it against everything the
// generator claims: snapshots, trades at the touch, an uncrossed book, positive sizes.
struct ReplayResult {
  int64_t snapshots = 0;
  int64_t mismatched_snapshots = 0;
  int64_t trades = 0;
  int64_t min_levels = INT64_MAX;
  int64_t max_levels = 0;
  Decimal min_best_bid = Decimal::from_int(1'000'000'000);
  Decimal max_best_bid;
  std::vector<long double> top_depth;  // top-20 bid + ask size at each snapshot
};

ReplayResult replay(const MarketOptions& o, bool require_exact) {
  ReplayResult r;
  ReferenceBook book;
  MarketGenerator gen(o);
  Message m;
  int64_t last_seq = o.first_sequence_number - 1;
  int64_t last_trade_id = o.first_trade_id - 1;
  while (gen.next(&m)) {
    switch (m.kind) {
      case MessageKind::kDelta: {
        std::set<std::pair<Side, Decimal>> seen;
        EXPECT_FALSE(m.levels.empty());
        for (const LevelUpdate& l : m.levels) {
          EXPECT_TRUE(l.side == Side::kBid || l.side == Side::kAsk);
          EXPECT_FALSE(l.size.is_negative());
          EXPECT_GT(l.price, Decimal());
          EXPECT_TRUE(seen.emplace(l.side, l.price).second) << "level repeated in one message";
          book.apply(l);
        }
        if (!o.gaps_lose_updates) EXPECT_FALSE(book.crossed()) << "at seq " << m.update_id;
        last_seq = m.update_id;
        if (!book.bids.empty()) {
          r.min_best_bid = std::min(r.min_best_bid, book.bids.begin()->first);
          r.max_best_bid = std::max(r.max_best_bid, book.bids.begin()->first);
        }
        break;
      }
      case MessageKind::kTrade: {
        ++r.trades;
        EXPECT_EQ(std::stoll(m.trade_id), last_trade_id + 1);
        last_trade_id = std::stoll(m.trade_id);
        EXPECT_GT(m.size, Decimal());
        if (o.gaps_lose_updates) break;
        // A buy lifts the best ask, a sell hits the best bid, never more than is there.
        if (m.side == Side::kBuy) {
          EXPECT_FALSE(book.asks.empty());
          if (book.asks.empty()) break;
          auto best = book.asks.begin();
          EXPECT_EQ(best->first, m.price) << "trade " << m.trade_id << " not at the best ask";
          EXPECT_LE(m.size, best->second);
          ReferenceBook::set(book.asks, best->first, best->second - m.size);
        } else {
          EXPECT_EQ(m.side, Side::kSell);
          EXPECT_FALSE(book.bids.empty());
          if (book.bids.empty()) break;
          auto best = book.bids.begin();
          EXPECT_EQ(best->first, m.price) << "trade " << m.trade_id << " not at the best bid";
          EXPECT_LE(m.size, best->second);
          ReferenceBook::set(book.bids, best->first, best->second - m.size);
        }
        break;
      }
      case MessageKind::kSnapshot: {
        ++r.snapshots;
        EXPECT_EQ(m.update_id, last_seq);
        const auto bids = snapshot_side(m, Side::kBid);
        const auto asks = snapshot_side(m, Side::kAsk);
        EXPECT_EQ(bids.size(), static_cast<size_t>(o.snapshot_depth));
        EXPECT_EQ(asks.size(), static_cast<size_t>(o.snapshot_depth));
        EXPECT_LT(bids.front().first, asks.front().first) << "crossed truth";
        const bool same = bids == ReferenceBook::top(book.bids, o.snapshot_depth) &&
                          asks == ReferenceBook::top(book.asks, o.snapshot_depth);
        if (!same) ++r.mismatched_snapshots;
        if (require_exact)
          EXPECT_TRUE(same) << "snapshot " << r.snapshots << " at " << m.origin_time;
        r.min_levels =
            std::min<int64_t>(r.min_levels, std::min(book.bids.size(), book.asks.size()));
        r.max_levels =
            std::max<int64_t>(r.max_levels, std::max(book.bids.size(), book.asks.size()));
        long double depth = 0;
        for (const auto& [p, s] : bids) depth += to_ld(s);
        for (const auto& [p, s] : asks) depth += to_ld(s);
        r.top_depth.push_back(depth);
        break;
      }
      case MessageKind::kTicker:
        ADD_FAILURE() << "no tickers expected";
        break;
    }
  }
  EXPECT_EQ(r.trades, gen.stats().trades);
  return r;
}

TEST(MarketGenerator, SnapshotsEqualTheBookRebuiltFromDeltas) {
  MarketOptions o = short_market(600);
  o.gap_probability = 0.01;  // number-only gaps do not change the book
  const ReplayResult r = replay(o, true);
  EXPECT_EQ(r.snapshots, 600);
  EXPECT_EQ(r.mismatched_snapshots, 0);
  EXPECT_GT(r.trades, 1000);
  // The book keeps its full depth and the mid wanders.
  EXPECT_EQ(r.min_levels, o.levels);
  EXPECT_EQ(r.max_levels, o.levels);
  EXPECT_GT(r.max_best_bid - r.min_best_bid, Decimal::from_int(5));
}

TEST(MarketGenerator, DepthStaysRoughlyConstant) {
  const ReplayResult r = replay(short_market(600), true);
  ASSERT_EQ(r.top_depth.size(), 600u);
  auto mean = [](auto begin, auto end) {
    long double s = 0;
    for (auto it = begin; it != end; ++it) s += *it;
    return s / static_cast<long double>(end - begin);
  };
  const long double first = mean(r.top_depth.begin(), r.top_depth.begin() + 300);
  const long double second = mean(r.top_depth.begin() + 300, r.top_depth.end());
  EXPECT_GT(second / first, 0.5L);
  EXPECT_LT(second / first, 2.0L);
  // Top-20 depth is a few BTC to a few tens of BTC, not vanishing or exploding.
  EXPECT_GT(first, 1.0L);
  EXPECT_LT(first, 500.0L);
}

TEST(MarketGenerator, LostUpdatesMakeTheRebuiltBookDrift) {
  MarketOptions o = short_market(600);
  o.gap_probability = 0.02;
  o.gaps_lose_updates = true;
  const ReplayResult r = replay(o, false);
  EXPECT_GT(r.mismatched_snapshots, 0);
  EXPECT_LT(r.mismatched_snapshots, r.snapshots);
}

TEST(MarketGenerator, WithoutInitialDeltaTheStreamStartsWithASnapshot) {
  MarketOptions o = short_market(10);
  o.initial_book_as_delta = false;
  MarketGenerator gen(o);
  Message m;
  ASSERT_TRUE(gen.next(&m));
  EXPECT_EQ(m.kind, MessageKind::kSnapshot);
  EXPECT_EQ(m.origin_time, o.start_ns);
  EXPECT_EQ(m.update_id, o.first_sequence_number - 1);
  EXPECT_EQ(m.levels.size(), 2u * o.snapshot_depth);
  // With it, the first message is the whole book.
  MarketGenerator full(short_market(10));
  ASSERT_TRUE(full.next(&m));
  EXPECT_EQ(m.kind, MessageKind::kDelta);
  EXPECT_EQ(m.levels.size(), 2u * static_cast<size_t>(o.levels));
  EXPECT_EQ(m.levels.front().price.to_string(), "60000");      // best bid = initial mid
  EXPECT_EQ(m.levels[o.levels].price.to_string(), "60000.1");  // best ask one tick up
}

double ratio_max_to_median(std::vector<long double> v) {
  std::sort(v.begin(), v.end());
  return static_cast<double>(v.back() / v[v.size() / 2]);
}

double excess_kurtosis(const std::vector<long double>& v) {
  long double mean = 0;
  for (long double x : v) mean += x;
  mean /= v.size();
  long double m2 = 0;
  long double m4 = 0;
  for (long double x : v) {
    const long double d = x - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= v.size();
  m4 /= v.size();
  return static_cast<double>(m4 / (m2 * m2) - 3.0L);
}

TEST(MarketGenerator, SizesAreHeavyTailed) {
  const auto msgs = generate(short_market(600));
  std::vector<long double> trade_sizes;
  std::vector<long double> level_sizes;
  for (size_t i = 1; i < msgs.size(); ++i) {  // [0] is the initial book
    const Message& m = msgs[i];
    if (m.kind == MessageKind::kTrade) trade_sizes.push_back(to_ld(m.size));
    if (m.kind == MessageKind::kDelta) {
      for (const LevelUpdate& l : m.levels) {
        if (!l.size.is_zero()) level_sizes.push_back(to_ld(l.size));
      }
    }
  }
  ASSERT_GT(trade_sizes.size(), 1000u);
  ASSERT_GT(level_sizes.size(), 10000u);
  // A normal distribution has excess kurtosis 0 and max/median of a few; these are far above.
  EXPECT_GT(ratio_max_to_median(trade_sizes), 50.0);
  EXPECT_GT(excess_kurtosis(trade_sizes), 10.0);
  EXPECT_GT(ratio_max_to_median(level_sizes), 50.0);
  EXPECT_GT(excess_kurtosis(level_sizes), 10.0);
  // Whole lots only: sizes are exact multiples of 0.001.
  for (long double s : trade_sizes) ASSERT_EQ(std::fmod(std::round(s * 1000.0L), 1.0L), 0.0L);
}

struct Dispersion {
  double interarrival_cv2 = 0;  // variance / mean^2 of the gaps between delta messages
  double count_fano = 0;        // variance / mean of delta counts per 1 s window
};

Dispersion dispersion(double branching) {
  MarketOptions o = short_market(1200);
  o.hawkes_branching = branching;
  o.time_resolution_ns = 1;  // exact event times
  MarketGenerator gen(o);
  Message m;
  std::vector<double> gaps;
  std::vector<double> counts(1200, 0.0);
  int64_t last = kNull;
  bool first = true;
  while (gen.next(&m)) {
    if (m.kind != MessageKind::kDelta) continue;
    if (first) {  // the initial book, not an order-flow event
      first = false;
      continue;
    }
    if (last != kNull) gaps.push_back(static_cast<double>(m.origin_time - last));
    last = m.origin_time;
    counts[static_cast<size_t>((m.origin_time - o.start_ns) / 1'000'000'000)] += 1.0;
  }
  auto mean_var = [](const std::vector<double>& v) {
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double var = 0;
    for (double x : v) var += (x - mean) * (x - mean);
    return std::pair{mean, var / static_cast<double>(v.size() - 1)};
  };
  const auto [gm, gv] = mean_var(gaps);
  const auto [cm, cv] = mean_var(counts);
  return {gv / (gm * gm), cv / cm};
}

TEST(MarketGenerator, ArrivalsAreClustered) {
  const Dispersion hawkes = dispersion(0.7);
  EXPECT_GT(hawkes.interarrival_cv2, 1.5);
  EXPECT_GT(hawkes.count_fano, 3.0);
  // The same statistics on a Poisson stream (no self-excitation) stay near 1: the checks above
  // measure clustering, not an artefact.
  const Dispersion poisson = dispersion(0.0);
  EXPECT_NEAR(poisson.interarrival_cv2, 1.0, 0.1);
  EXPECT_NEAR(poisson.count_fano, 1.0, 0.25);
}

TEST(MarketGenerator, RejectsBadOptions) {
  auto rejects = [](const std::function<void(MarketOptions&)>& change) {
    MarketOptions o;
    change(o);
    try {
      MarketGenerator gen(o);
    } catch (const Error& e) {
      return e.code() == StatusCode::kInvalidArgument;
    }
    return false;
  };
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.message_rate = 0; }));
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.hawkes_branching = 1.0; }));
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.trade_rate = 100.0; }));
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.levels = 0; }));
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.tick = Decimal(); }));
  EXPECT_TRUE(
      rejects([](MarketOptions& o) { o.initial_mid = Decimal::from_raw(Decimal::kOne / 20); }));
  EXPECT_TRUE(rejects([](MarketOptions& o) { o.gap_probability = 1.0; }));
  EXPECT_FALSE(rejects([](MarketOptions&) {}));
}

TEST(MarketGenerator, SmallPricesStayPositive) {
  MarketOptions o = short_market(60);
  o.initial_mid = Decimal::from_int(5);  // 50 ticks: the bid side cannot hold 500 levels
  o.jump_probability = 0.2;
  const auto msgs = generate(o);
  for (const Message& m : msgs) {
    for (const LevelUpdate& l : m.levels) ASSERT_GT(l.price, Decimal());
    if (m.kind == MessageKind::kTrade) ASSERT_GT(m.price, Decimal());
  }
}

}  // namespace
}  // namespace rlx::sim
