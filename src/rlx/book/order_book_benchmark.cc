// OrderBook::set and BookEngine::on_message on the real USD-M diff streams, loaded once into
// memory. Run: rlx_order_book_benchmark --benchmark_repetitions=5 (docs quote the medians).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/book/order_book.h"
#include "rlx/io/binance_raw_reader.h"

namespace rlx::book {
namespace {

std::vector<Message> load(const std::string& path) {
  io::BinanceRawReader reader(path);
  return io::read_all(reader);
}

std::string data_path(const std::string& name) {
  const char* env = std::getenv("RLX_DATA_DIR");
  const std::string dir =
      env != nullptr ? std::string(env) : std::string(RLX_SOURCE_DIR) + "/../shared/data";
  return dir + "/binance/hftbacktest/" + name;
}

struct Capture {
  std::vector<Message> messages;
  OrderBook snapshot_book;           // the book right after the REST snapshot
  std::vector<LevelUpdate> updates;  // every level of every diff applied after it, in order
};

// Loads a file once per process; the diffs kept are the ones the Binance procedure applies.
const Capture& capture(const std::string& name) {
  static std::map<std::string, Capture> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Capture& c = cache[name];
  c.messages = load(data_path(name));
  int64_t last_update_id = kNull;
  for (const Message& m : c.messages) {
    if (m.kind == MessageKind::kSnapshot) {
      last_update_id = m.update_id;
      for (const LevelUpdate& l : m.levels) c.snapshot_book.set(l.side, l.price, l.size);
    }
  }
  for (const Message& m : c.messages) {
    if (m.kind == MessageKind::kDelta && m.update_id >= last_update_id) {
      c.updates.insert(c.updates.end(), m.levels.begin(), m.levels.end());
    }
  }
  return c;
}

void BM_OrderBookSet(benchmark::State& state, const std::string& name) {
  const Capture& c = capture(name);
  if (c.updates.empty()) {
    state.SkipWithError(("no data: " + data_path(name)).c_str());
    return;
  }
  OrderBook book;
  for (auto _ : state) {
    state.PauseTiming();
    book = c.snapshot_book;
    state.ResumeTiming();
    for (const LevelUpdate& l : c.updates) book.set(l.side, l.price, l.size);
    benchmark::DoNotOptimize(book.best(Side::kBid));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.updates.size()));
  state.counters["depth_bid"] = static_cast<double>(book.depth(Side::kBid));
  state.counters["depth_ask"] = static_cast<double>(book.depth(Side::kAsk));
}

struct NoOpConsumer : EventConsumer {
  void on_event(const Event& event, const OrderBook&) override {
    benchmark::DoNotOptimize(event.event_seq);
  }
};

void BM_BookEngine(benchmark::State& state, const std::string& name) {
  const Capture& c = capture(name);
  if (c.messages.empty()) {
    state.SkipWithError(("no data: " + data_path(name)).c_str());
    return;
  }
  uint64_t events = 0;
  for (auto _ : state) {
    BookEngine engine;
    NoOpConsumer consumer;
    for (const Message& m : c.messages) engine.on_message(m, consumer);
    engine.finish(consumer);
    events = 0;
    for (uint64_t n : engine.stats().events) events += n;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.messages.size()));
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_OrderBookSet, usdm_btcusdt_20240808, std::string("usdm_btcusdt_20240808.gz"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OrderBookSet, usdm_ethusdt_20240808, std::string("usdm_ethusdt_20240808.gz"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BookEngine, usdm_btcusdt_20240808, std::string("usdm_btcusdt_20240808.gz"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BookEngine, usdm_ethusdt_20240808, std::string("usdm_ethusdt_20240808.gz"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rlx::book

BENCHMARK_MAIN();
