// Rows/s of ParquetSink writing zstd Parquet with top-N enrichment (N = 5, 50) from a synthetic
// market: a 20-level book around 60000.00 (tick 0.01), 90% single-level deltas near the top, 9%
// trades, and a 20-level snapshot every 10,000 rows. Each iteration writes `rows` rows into a fresh
// directory with default options (1M rows per part), finish() included (fsync, rename, hash).
//   build-sink/src/rlx/sink/rlx_parquet_sink_benchmark --benchmark_filter='Zstd/2000000/5' \
//     --benchmark_repetitions=5
// RLX_BENCH_DIR picks the output directory (default: the system temp directory),
// RLX_BENCH_ZSTD the zstd level; RLX_BENCH_KEEP=1 keeps the last output for inspection.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "rlx/book/order_book.h"
#include "rlx/sink/parquet_sink.h"

namespace rlx::sink {
namespace {

namespace fs = std::filesystem;

fs::path bench_dir() {
  const char* env = std::getenv("RLX_BENCH_DIR");
  return fs::path(env ? env : fs::temp_directory_path().string()) / "rlx_sink_bench";
}

// Yields events and keeps `book` in step with them.
class Market {
 public:
  explicit Market(book::OrderBook* book) : book_(book) {
    for (int i = 0; i < 20; ++i) {
      book_->set(Side::kBid, tick(kMid - 1 - i), size(i));
      book_->set(Side::kAsk, tick(kMid + i), size(i));
    }
  }

  const Event& next() {
    const int64_t seq = seq_++;
    event_ = Event{};
    event_.event_seq = seq;
    event_.origin_time = kT0 + seq * 1'000'000;  // 1000 events/s
    event_.received_time = event_.origin_time + 3'000'000;
    const uint32_t r = rng_() % 100;
    if (seq % 10'000 == 0) {
      event_.type = EventType::kBookSnapshot;
      event_.update_id = seq;
      event_.side = Side::kBid;
      event_.price = book_->level(Side::kBid, 0).price;
      event_.size = book_->level(Side::kBid, 0).size;
      event_.flags = 0;
    } else if (r < 9) {
      event_.type = EventType::kTrade;
      event_.trade_id = std::to_string(1'000'000'000 + seq);
      event_.side = (r & 1) ? Side::kBuy : Side::kSell;
      const Side passive = (r & 1) ? Side::kAsk : Side::kBid;
      event_.price = book_->level(passive, 0).price;
      event_.size = Decimal::from_raw(Decimal::kOne / 1000 * (1 + rng_() % 500));
    } else {
      event_.type = EventType::kBookDelta;
      event_.update_id = seq;
      event_.first_update_id = seq;
      event_.side = (r & 1) ? Side::kBid : Side::kAsk;
      const int64_t depth = rng_() % 8;  // mostly near the top
      const int64_t t = event_.side == Side::kBid ? kMid - 1 - depth : kMid + depth;
      event_.price = tick(t);
      event_.size = (rng_() % 10 == 0) ? Decimal{} : size(static_cast<int>(rng_() % 1000));
      event_.last_in_message = rng_() % 3 != 0;
      if (event_.size.is_zero() && book_->depth(event_.side) <= 10) event_.size = size(1);
      book_->set(event_.side, event_.price, event_.size);
    }
    return event_;
  }

 private:
  static constexpr int64_t kT0 = 1'700'006'400'000'000'000;
  static constexpr int64_t kMid = 6'000'000;  // in ticks of 0.01
  static Decimal tick(int64_t t) { return Decimal::from_raw(Decimal::kOne / 100 * t); }
  static Decimal size(int i) {
    return Decimal::from_raw(Decimal::kOne / 100'000 * (137 + 911 * i));
  }

  book::OrderBook* book_;
  std::mt19937_64 rng_{42};
  int64_t seq_ = 0;
  Event event_;
};

void BM_ParquetSinkZstd(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const fs::path dir = bench_dir();
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    book::OrderBook book;
    Market market(&book);
    ParquetSinkOptions options;
    options.root = dir;
    options.exchange = "binance";
    options.symbol = "BTCUSDT";
    options.top_n = static_cast<int32_t>(state.range(1));
    if (const char* l = std::getenv("RLX_BENCH_ZSTD")) options.zstd_level = std::atoi(l);
    state.ResumeTiming();
    ParquetSink sink(options);
    for (int64_t i = 0; i < rows; ++i) sink.on_event(market.next(), book);
    sink.finish();
    uint64_t bytes = 0;
    for (const FileInfo& f : sink.files()) bytes += f.bytes;
    state.counters["MB"] = static_cast<double>(bytes) / 1e6;
  }
  state.SetItemsProcessed(state.iterations() * rows);
  if (!std::getenv("RLX_BENCH_KEEP")) fs::remove_all(dir);
}
// Args: rows, top_n. The 10M-row case shows that memory does not grow with the input.
BENCHMARK(BM_ParquetSinkZstd)
    ->Args({2'000'000, 5})
    ->Args({10'000'000, 5})
    ->Args({1'000'000, 50})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// The event generator and book alone, to subtract from the figure above.
void BM_MarketOnly(benchmark::State& state) {
  const int64_t rows = state.range(0);
  for (auto _ : state) {
    book::OrderBook book;
    Market market(&book);
    for (int64_t i = 0; i < rows; ++i) benchmark::DoNotOptimize(market.next());
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_MarketOnly)
    ->Arg(2'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace rlx::sink

BENCHMARK_MAIN();
