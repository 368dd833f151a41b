// What a resume costs, and that it no longer grows with how far the run had got: a Replayer
// restored from a checkpoint taken at P % of the real USD-M day (usdm_btcusdt_20240808.gz, 27.8 MB
// of gzip text), by seeking (the default for Binance raw files) or by skipping the messages
// (what every resume did before, still the way for readers that cannot seek).
//   build/src/rlx/replay/rlx_replay_benchmark --benchmark_filter=Resume --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rlx/io/binance_raw_reader.h"
#include "rlx/replay/replayer.h"
#include "rlx/testing/shared_data.h"

namespace {

std::vector<std::unique_ptr<rlx::io::MessageReader>> open_day(const std::string& path) {
  std::vector<std::unique_ptr<rlx::io::MessageReader>> sources;
  sources.push_back(std::make_unique<rlx::io::BinanceRawReader>(path));
  return sources;
}

// state.range(0): the checkpoint's place in percent; range(1): 1 seek, 0 skip.
void BM_ResumeAt(benchmark::State& state) {
  const std::string path =
      (rlx::testing::shared_data_dir() / "binance/hftbacktest/usdm_btcusdt_20240808.gz").string();
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  const rlx::replay::ReplayOptions options{1000};
  uint64_t total = 0;
  {
    rlx::replay::Replayer full(open_day(path), options);
    std::vector<rlx::Message> batch;
    while (full.next_batch(&batch)) ++total;
  }
  rlx::replay::ReplayState checkpoint;
  {
    rlx::replay::Replayer run(open_day(path), options);
    std::vector<rlx::Message> batch;
    for (uint64_t b = 0; b < total * static_cast<uint64_t>(state.range(0)) / 100; ++b) {
      run.next_batch(&batch);
    }
    std::string bytes;
    rlx::BinaryWriter w(&bytes);
    run.state().save(w);
    rlx::BinaryReader r(bytes);
    checkpoint = rlx::replay::ReplayState::load(r);
  }
  if (state.range(1) == 0) {  // as a reader that cannot seek: skip the messages
    for (auto& s : checkpoint.sources) s = {s.messages, s.key};
  }
  for (auto _ : state) {
    rlx::replay::Replayer resumed(open_day(path), options, checkpoint);
    benchmark::DoNotOptimize(resumed.batches());
  }
}
BENCHMARK(BM_ResumeAt)
    ->ArgsProduct({{10, 50, 90}, {1, 0}})
    ->ArgNames({"percent", "seek"})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
