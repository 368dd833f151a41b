// What a resume costs, and that it no longer grows with how far the run had got: a Replayer
// restored from a checkpoint taken at P % of its input, by seeking (the default for Binance raw
// and Lake Parquet inputs) or by skipping the messages (what every resume did before, still the
// way for readers that cannot seek). Timed: opening the inputs, repositioning them and replaying
// the first batch after the checkpoint, i.e. until the run is back where it was.
//
//   build/src/rlx/replay/rlx_resume_benchmark --benchmark_repetitions=3
//
// BM_ResumeAt: the real USD-M day (usdm_btcusdt_20240808.gz, 27.8 MB of gzip text).
// BM_ResumeBusyDay: a busy synthetic day (sim::busy_day_options(), 24.5 M messages, 98 M level
// updates) as Binance raw text in gzip (one member, as hftbacktest writes) and in zstd (a frame
// per 4 MiB of text), and as Lake Parquet (`rlx demo --busy-day`). The inputs are made once, under
// $RLX_BENCH_DIR (default /tmp/rlx-bench): busyday-raw/day.{gz,zst} by this benchmark (a few
// minutes), busyday/lake by `rlx demo --busy-day --out /tmp/rlx-bench/busyday` (that case is
// skipped, saying so, when it is missing).
#include <benchmark/benchmark.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/lake_reader.h"
#include "rlx/replay/replayer.h"
#include "rlx/sim/market_generator.h"
#include "rlx/testing/shared_data.h"

namespace {

namespace fs = std::filesystem;
using Sources = std::vector<std::unique_ptr<rlx::io::MessageReader>>;

fs::path bench_dir() {
  const char* d = std::getenv("RLX_BENCH_DIR");
  return d != nullptr && *d != '\0' ? fs::path(d) : fs::path("/tmp/rlx-bench");
}

// ---- the busy day as Binance raw text (hftbacktest's line format) ----------------------------

void append_levels(std::string* line, const rlx::Message& m, rlx::Side side) {
  bool first = true;
  for (const rlx::LevelUpdate& l : m.levels) {
    if (l.side != side) continue;
    *line += first ? "[\"" : ",[\"";
    first = false;
    *line += l.price.to_string();
    *line += "\",\"";
    *line += l.size.to_string();
    *line += "\"]";
  }
}

// One line per delta (a USD-M depthUpdate: U, u and pu chained) and per trade; the periodic
// snapshots are Lake's, not the stream's, and are left out.
bool format_line(const rlx::Message& m, int64_t* prev_u, std::string* line) {
  const std::string ms = std::to_string(m.origin_time / 1'000'000);
  *line = std::to_string(m.received_time);
  if (m.kind == rlx::MessageKind::kDelta) {
    *line += R"( {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":)" + ms +
             ",\"T\":" + ms + R"(,"s":"BTCUSDT","U":)" + std::to_string(*prev_u + 1) +
             ",\"u\":" + std::to_string(m.update_id) + ",\"pu\":" + std::to_string(*prev_u) +
             ",\"b\":[";
    append_levels(line, m, rlx::Side::kBid);
    *line += "],\"a\":[";
    append_levels(line, m, rlx::Side::kAsk);
    *line += "]}}\n";
    *prev_u = m.update_id;
    return true;
  }
  if (m.kind == rlx::MessageKind::kTrade) {
    *line += R"( {"stream":"btcusdt@trade","data":{"e":"trade","E":)" + ms + ",\"T\":" + ms +
             R"(,"s":"BTCUSDT","t":)" + m.trade_id + ",\"p\":\"" + m.price.to_string() +
             "\",\"q\":\"" + m.size.to_string() + R"(","X":"MARKET","m":)" +
             (m.side == rlx::Side::kSell ? "true" : "false") + "}}\n";
    return true;
  }
  return false;
}

// Writes busyday-raw/day.gz and day.zst once (to temporary names, renamed when complete).
fs::path raw_day(const char* extension) {
  const fs::path dir = bench_dir() / "busyday-raw";
  const fs::path gz = dir / "day.gz";
  const fs::path zst = dir / "day.zst";
  if (!fs::exists(gz) || !fs::exists(zst)) {
    fs::create_directories(dir);
    std::fprintf(stderr, "writing the busy day as Binance raw text into %s (once)\n", dir.c_str());
    gzFile g = gzopen((dir / "day.gz.tmp").c_str(), "wb1");
    std::ofstream z(dir / "day.zst.tmp", std::ios::binary);
    std::string text;
    std::string frame;
    auto flush_frame = [&] {
      frame.resize(ZSTD_compressBound(text.size()));
      const size_t n = ZSTD_compress(frame.data(), frame.size(), text.data(), text.size(), 1);
      z.write(frame.data(), static_cast<std::streamsize>(n));
      gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
      text.clear();
    };
    rlx::sim::MarketGenerator market(rlx::sim::busy_day_options());
    rlx::Message m;
    std::string line;
    int64_t prev_u = 0;
    while (market.next(&m)) {
      if (!format_line(m, &prev_u, &line)) continue;
      text += line;
      if (text.size() >= (4u << 20)) flush_frame();
    }
    if (!text.empty()) flush_frame();
    gzclose(g);
    z.close();
    fs::rename(dir / "day.gz.tmp", gz);
    fs::rename(dir / "day.zst.tmp", zst);
  }
  return std::string(extension) == "gz" ? gz : zst;
}

// ---- the inputs ---------------------------------------------------------------------------

enum Input : int64_t { kRealDay = 0, kGzip = 1, kZstd = 2, kLake = 3 };

// The sources of an input, opened as a run opens them; empty with *why set when missing.
Sources open_input(Input input, std::string* why) {
  Sources sources;
  if (input == kLake) {
    const fs::path root = bench_dir() / "busyday/lake";
    if (!fs::exists(root)) {
      *why = "missing " + root.string() + ": rlx demo --busy-day --out " +
             (bench_dir() / "busyday").string();
      return sources;
    }
    for (rlx::io::LakeTable t :
         {rlx::io::LakeTable::kTrades, rlx::io::LakeTable::kBookDelta, rlx::io::LakeTable::kBook}) {
      rlx::io::LakeReaderOptions o;
      o.table = t;
      o.root = root;
      o.exchange = "binance-futures";
      o.symbol = "BTCUSDT";
      sources.push_back(std::make_unique<rlx::io::LakeReader>(o));
    }
    return sources;
  }
  fs::path path;
  if (input == kRealDay) {
    path = rlx::testing::shared_data_dir() / "binance/hftbacktest/usdm_btcusdt_20240808.gz";
    if (!fs::exists(path)) {
      *why = "missing " + path.string();
      return sources;
    }
  } else {
    path = raw_day(input == kGzip ? "gz" : "zst");
  }
  sources.push_back(std::make_unique<rlx::io::BinanceRawReader>(path.string()));
  return sources;
}

// Checkpoints at 10, 50 and 90 % of an input's batches, taken in one pass after a counting pass
// and kept for every case of the run.
const std::map<int64_t, std::string>* checkpoints(Input input, std::string* why) {
  static std::map<Input, std::map<int64_t, std::string>> cache;
  auto it = cache.find(input);
  if (it != cache.end()) return &it->second;
  const rlx::replay::ReplayOptions options{1000};
  uint64_t total = 0;
  {
    Sources sources = open_input(input, why);
    if (sources.empty()) return nullptr;
    rlx::replay::Replayer full(std::move(sources), options);
    std::vector<rlx::Message> batch;
    while (full.next_batch(&batch)) ++total;
  }
  std::map<int64_t, std::string>& taken = cache[input];
  rlx::replay::Replayer run(open_input(input, why), options);
  std::vector<rlx::Message> batch;
  for (int64_t percent : {10, 50, 90}) {
    while (run.batches() < total * static_cast<uint64_t>(percent) / 100) run.next_batch(&batch);
    rlx::BinaryWriter w(&taken[percent]);
    run.state().save(w);
  }
  return &taken;
}

// state.range(0): the input; range(1): the checkpoint's place in percent; range(2): 1 seek,
// 0 skip.
void BM_Resume(benchmark::State& state) {
  const Input input = static_cast<Input>(state.range(0));
  std::string why;
  const std::map<int64_t, std::string>* taken = checkpoints(input, &why);
  if (taken == nullptr) {
    state.SkipWithError(why.c_str());
    return;
  }
  rlx::BinaryReader r(taken->at(state.range(1)));
  rlx::replay::ReplayState checkpoint = rlx::replay::ReplayState::load(r);
  if (state.range(2) == 0) {  // as readers that cannot seek: skip the messages
    for (auto& s : checkpoint.sources) s = {s.messages, s.key};
  }
  const rlx::replay::ReplayOptions options{1000};
  std::vector<rlx::Message> batch;
  for (auto _ : state) {
    rlx::replay::Replayer resumed(open_input(input, &why), options, checkpoint);
    benchmark::DoNotOptimize(resumed.next_batch(&batch));
  }
}

void real_day(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({{kRealDay}, {10, 50, 90}, {1, 0}});
}
void busy_day(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({{kGzip, kZstd, kLake}, {10, 50, 90}, {1}});
  b->ArgsProduct({{kGzip, kZstd, kLake}, {50}, {0}});  // skipping: one point shows the slope
}
BENCHMARK(BM_Resume)
    ->Name("BM_ResumeAt")
    ->Apply(real_day)
    ->ArgNames({"input", "percent", "seek"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Resume)
    ->Name("BM_ResumeBusyDay")
    ->Apply(busy_day)
    ->ArgNames({"input", "percent", "seek"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
