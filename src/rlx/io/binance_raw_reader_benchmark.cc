// Reads the largest hftbacktest capture (usdm_btcusdt_20240808.gz: 93,954 lines, 27.8 MB of text,
// 445,521 level rows) end to end. Reports messages/s (items_per_second), level rows/s and the
// decompressed text rate; BM_LineReader/N isolates gzip + line splitting, with a restart point
// (for seeking: io/line_reader.h) every N MiB of text, or none (0).
//   build-*/src/rlx/io/rlx_binance_raw_reader_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/line_reader.h"
#include "rlx/testing/shared_data.h"

namespace {

std::string data_file(const char* relative) {
  return (rlx::testing::shared_data_dir() / relative).string();
}

const char* const kFile = "binance/hftbacktest/usdm_btcusdt_20240808.gz";

void BM_BinanceRawReader(benchmark::State& state) {
  const std::string path = data_file(kFile);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  uint64_t messages = 0, levels = 0, bytes = 0;
  for (auto _ : state) {
    rlx::io::BinanceRawReader reader(path);
    rlx::Message m;
    while (reader.next(&m)) {
      ++messages;
      if (m.kind == rlx::MessageKind::kDelta || m.kind == rlx::MessageKind::kSnapshot) {
        levels += m.levels.size();  // book level rows; ticker bid/ask pairs are not counted
      }
    }
    bytes += 27757550;  // `zcat usdm_btcusdt_20240808.gz | wc -c`
  }
  state.SetItemsProcessed(static_cast<int64_t>(messages));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["level_rows/s"] =
      benchmark::Counter(static_cast<double>(levels), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BinanceRawReader)->Unit(benchmark::kMillisecond);

void BM_LineReader(benchmark::State& state) {
  const std::string path = data_file(kFile);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  uint64_t bytes = 0, lines = 0;
  for (auto _ : state) {
    rlx::io::LineReaderOptions options;
    options.restart_interval = static_cast<uint64_t>(state.range(0)) << 20;
    rlx::io::LineReader reader(path, options);
    std::string_view line;
    while (reader.next(&line)) benchmark::DoNotOptimize(line.data());
    bytes += reader.text_bytes();
    lines += reader.line_number();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(lines));
}
BENCHMARK(BM_LineReader)->Arg(0)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
