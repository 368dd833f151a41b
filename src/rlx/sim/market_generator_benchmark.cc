// Generation speed in level updates per second (items/s), for the demo market and for the
// busy-day load (about 100 million level updates per day) that pipeline benchmarks drive.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "rlx/core/message.h"
#include "rlx/sim/market_generator.h"

namespace {

void run(benchmark::State& state, const rlx::sim::MarketOptions& options) {
  int64_t level_updates = 0;
  int64_t messages = 0;
  int64_t deltas = 0;
  for (auto _ : state) {
    rlx::sim::MarketGenerator gen(options);
    rlx::Message m;
    while (gen.next(&m)) benchmark::DoNotOptimize(m.levels.data());
    level_updates += gen.stats().level_updates;
    messages += gen.stats().deltas + gen.stats().trades + gen.stats().snapshots;
    deltas += gen.stats().deltas;
  }
  state.SetItemsProcessed(level_updates);
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
  state.counters["updates/delta"] = benchmark::Counter(static_cast<double>(level_updates) /
                                                       static_cast<double>(deltas ? deltas : 1));
}

// The default market: 10 minutes, what `rlx demo` writes.
void BM_DefaultMarket(benchmark::State& state) { run(state, rlx::sim::MarketOptions{}); }
BENCHMARK(BM_DefaultMarket)->Unit(benchmark::kMillisecond);

// One hour of the busy-day options; level updates per simulated day = items x 24.
void BM_BusyDayHour(benchmark::State& state) {
  rlx::sim::MarketOptions o = rlx::sim::busy_day_options();
  o.duration_ns = 3'600'000'000'000;
  run(state, o);
  state.counters["updates/sim_day"] =
      benchmark::Counter(static_cast<double>(state.items_processed()) * 24.0 /
                         static_cast<double>(state.iterations()));
}
BENCHMARK(BM_BusyDayHour)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
