// Checkpoint cost of 10 BookEngines with 5000 levels a side and a full ticker history: the copy
// taken on the replay thread (snapshot()), then save() (on a background thread in rlx), load().
//   build-state/src/rlx/book/rlx_book_state_benchmark --benchmark_repetitions=10 \
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/binary_io.h"

namespace rlx::book {
namespace {

constexpr int kEngines = 10;
constexpr int64_t kLevels = 5000;

struct Null : EventConsumer {
  void on_event(const Event&, const OrderBook&) override {}
};

Decimal px(int64_t ticks) {
  return Decimal::from_raw(static_cast<__int128>(ticks) * 10'000'000'000'000'000);
}

// A futures-style engine: a 5000-level snapshot per side, then bridged diffs that churn the deep
// book (tombstones) and fill the ticker history.
BookEngine make_engine(int64_t seed) {
  BookEngine engine;
  Null null;
  Message m;
  m.kind = MessageKind::kSnapshot;
  m.update_id = 1000;
  for (int64_t i = 0; i < kLevels; ++i) {
    m.levels.push_back({Side::kBid, px(1'000'000 - i), Decimal::from_int(1 + (i + seed) % 9)});
    m.levels.push_back({Side::kAsk, px(1'000'001 + i), Decimal::from_int(1 + (i + seed) % 7)});
  }
  engine.on_message(m, null);
  int64_t u = 1000;
  for (int64_t k = 0; k < 6000; ++k) {
    Message d;
    d.kind = MessageKind::kDelta;
    d.prev_update_id = u;
    d.first_update_id = k == 0 ? u - 1 : u + 1;  // the first diff bridges the snapshot
    d.update_id = u + 2;
    u += 2;
    const int64_t depth = 100 + (k * 7919 + seed) % (kLevels - 200);
    // Delete a deep level and add one back nearby: the live count stays at 5000.
    d.levels.push_back({Side::kBid, px(1'000'000 - depth), Decimal()});
    d.levels.push_back({Side::kBid, px(1'000'000 - depth), Decimal::from_int(k % 5 + 1)});
    d.levels.push_back({Side::kAsk, px(1'000'001 + depth), Decimal()});
    engine.on_message(d, null);
    d.levels.clear();
    d.levels.push_back({Side::kAsk, px(1'000'001 + depth), Decimal::from_int(k % 3 + 1)});
    d.prev_update_id = u;
    d.first_update_id = u + 1;
    d.update_id = u + 1;
    u += 1;
    engine.on_message(d, null);
  }
  if (!engine.synced()) std::abort();
  return engine;
}

const std::vector<BookEngine>& engines() {
  static const std::vector<BookEngine> all = [] {
    std::vector<BookEngine> v;
    v.reserve(kEngines);
    for (int i = 0; i < kEngines; ++i) v.push_back(make_engine(i));
    return v;
  }();
  return all;
}

void BM_Snapshot10(benchmark::State& state) {
  const auto& all = engines();
  for (auto _ : state) {
    std::vector<BookEngine> copies;
    copies.reserve(all.size());
    for (const BookEngine& e : all) copies.push_back(e.snapshot());
    benchmark::DoNotOptimize(copies.data());
    state.PauseTiming();
    copies.clear();  // freeing the copies is the background thread's business
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Snapshot10)->Unit(benchmark::kMicrosecond);
// The replay thread's pause per checkpoint, one snapshot per repetition: its p99.
BENCHMARK(BM_Snapshot10)
    ->Name("BM_Snapshot10_pause")
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(1)
    ->Repetitions(500)
    ->ReportAggregatesOnly(true)
    ->ComputeStatistics("p99", [](const std::vector<double>& v) -> double {
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      return sorted[static_cast<size_t>(0.99 * static_cast<double>(sorted.size() - 1))];
    });

void BM_Save10(benchmark::State& state) {
  const auto& all = engines();
  std::string out;
  for (auto _ : state) {
    out.clear();
    BinaryWriter w(&out);
    for (const BookEngine& e : all) e.save(w);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Save10)->Unit(benchmark::kMicrosecond);

void BM_Load10(benchmark::State& state) {
  std::string bytes;
  BinaryWriter w(&bytes);
  for (const BookEngine& e : engines()) e.save(w);
  for (auto _ : state) {
    BinaryReader r(bytes);
    for (int i = 0; i < kEngines; ++i) benchmark::DoNotOptimize(BookEngine::load(r));
  }
}
BENCHMARK(BM_Load10)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rlx::book

BENCHMARK_MAIN();
