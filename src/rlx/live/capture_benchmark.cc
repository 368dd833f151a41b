// What one capture core costs per frame, on the real USD-M stream (usdm_btcusdt_20240808.gz:
// 93,954 frames, of which 50,000 depth diffs, and its REST snapshot).
//   BM_FrameProcessor   parse, de-duplicate, record (zstd segments, fdatasync each flush) and
//                       apply to the live book, in memory: depth messages/s and frames/s.
//   BM_FrameLatency     the same, timing each frame from receive to recorded (appended to the
//                       record's queue; durable follows within --flush-interval-ms): p50, p99.
//   BM_OverTls          the whole capture against the local exchange over TLS on loopback, the
//                       exchange serving as fast as the capture reads (both on this machine).
//   BM_Memory200Symbols 200 symbols' synced books (the stream renamed per symbol): RSS growth.
//   build/src/rlx/live/rlx_capture_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "rlx/binance/capture_line.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/io/line_reader.h"
#include "rlx/live/capture.h"
#include "rlx/live/frame_processor.h"
#include "rlx/live/recorder.h"
#include "rlx/testing/shared_data.h"

namespace {
namespace fs = std::filesystem;
using rlx::live::FrameProcessor;

const char* const kFile = "binance/hftbacktest/usdm_btcusdt_20240808.gz";

struct Stream {
  std::vector<std::string> frames;  // combined-stream envelopes, in order
  std::string snapshot;             // the REST body
  uint64_t depth = 0;               // depth diffs among the frames
};

// The capture's frames and its first REST snapshot, in memory (loaded once).
const Stream& usdm_stream() {
  static const Stream stream = [] {
    Stream s;
    rlx::io::LineReader reader((rlx::testing::shared_data_dir() / kFile).string());
    std::string_view line;
    while (reader.next(&line)) {
      const std::string_view json = line.substr(line.find(' ') + 1);
      if (json.find("\"lastUpdateId\"") != std::string_view::npos) {
        if (s.snapshot.empty()) s.snapshot = json;
        continue;
      }
      s.frames.emplace_back(json);
      if (json.find("@depth") != std::string_view::npos) ++s.depth;
    }
    return s;
  }();
  return stream;
}

bool have_data(benchmark::State& state) {
  if (fs::exists(rlx::testing::shared_data_dir() / kFile)) return true;
  state.SkipWithError("missing the shared USD-M capture");
  return false;
}

fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("rlx_capture_bench_" + std::string(name));
  fs::remove_all(dir);
  return dir;
}

// One pass: a fresh record and book, the snapshot after the first diff (as live), every frame.
template <typename PerFrame>
void one_pass(const Stream& s, const std::vector<std::string>& symbols, const fs::path& dir,
              PerFrame&& per_frame) {
  rlx::live::RecorderOptions ro;
  ro.dir = dir;
  rlx::live::Recorder recorder(ro, rlx::Log());
  FrameProcessor frames(rlx::Market::kUsdM, symbols, recorder, nullptr);
  rlx::live::StreamIds seen;
  rlx::live::SymbolState* symbol = nullptr;
  int64_t ns = 1'723'161'255'000'000'000;
  bool snapped = false;
  for (const std::string& f : s.frames) {
    per_frame([&] { frames.on_frame(f, ns += 1000, seen, &symbol); });
    if (!snapped) {
      snapped = true;
      frames.on_snapshot(symbols.front(), "/fapi/v1/depth", s.snapshot, ns);
    }
  }
  recorder.close();
  if (!frames.find(symbols.front())->engine.synced()) std::abort();  // measured the wrong thing
}

void BM_FrameProcessor(benchmark::State& state) {
  if (!have_data(state)) return;
  const Stream& s = usdm_stream();
  const fs::path dir = scratch("throughput");
  for (auto _ : state) {
    one_pass(s, {"BTCUSDT"}, dir, [](auto&& f) { f(); });
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.frames.size()));
  state.counters["depth_msgs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * s.depth), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FrameProcessor)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FrameLatency(benchmark::State& state) {
  if (!have_data(state)) return;
  const Stream& s = usdm_stream();
  const fs::path dir = scratch("latency");
  std::vector<int64_t> ns;
  ns.reserve(s.frames.size() * 4);
  for (auto _ : state) {
    one_pass(s, {"BTCUSDT"}, dir, [&](auto&& f) {
      const auto t0 = std::chrono::steady_clock::now();
      f();
      ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    });
    fs::remove_all(dir);
  }
  std::sort(ns.begin(), ns.end());
  state.counters["p50_ns"] = static_cast<double>(ns[ns.size() / 2]);
  state.counters["p99_ns"] = static_cast<double>(ns[ns.size() * 99 / 100]);
  state.counters["max_ns"] = static_cast<double>(ns.back());
}
BENCHMARK(BM_FrameLatency)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_OverTls(benchmark::State& state) {
  if (!have_data(state)) return;
  const fs::path dir = scratch("tls");
  fs::create_directories(dir);
  rlx::exchange::ExchangeOptions eo;
  eo.captures = {rlx::testing::shared_data_dir() / kFile};
  eo.pki = rlx::exchange::generate_test_pki(dir / "pki", {"127.0.0.1"});
  eo.speed = 0;  // as fast as the reader takes it
  eo.start_wait = std::chrono::milliseconds(0);
  uint64_t frames = 0, depth = 0;
  for (auto _ : state) {
    rlx::exchange::LocalExchange ex(eo);
    rlx::live::CaptureOptions co;
    co.market = rlx::Market::kUsdM;
    co.symbols = {"BTCUSDT"};
    co.streams = {"depth@0ms", "trade", "bookTicker"};
    co.out_dir = dir / "record";
    fs::remove_all(co.out_dir);
    co.ws_base = ex.ws_base();
    co.rest_base = ex.rest_base();
    co.ca_file = eo.pki.ca_cert.string();
    rlx::live::Capture cap(co);
    const auto t0 = std::chrono::steady_clock::now();
    std::thread run([&] { cap.run(); });
    ex.wait_finished(std::chrono::seconds(600));
    // Everything served (from the exchange's own sync point on) is in the record.
    uint64_t served = ex.served_snapshots().size();
    for (const auto& c : ex.served()) served += c.frames.size();
    while (cap.stats().record_lines < served) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const rlx::live::CaptureStats st = cap.stats();
    cap.stop();
    run.join();
    frames += st.frames;
    depth += st.symbols.front().book.messages[static_cast<int>(rlx::MessageKind::kDelta)];
  }
  state.SetItemsProcessed(static_cast<int64_t>(frames));
  state.counters["depth_msgs/s"] =
      benchmark::Counter(static_cast<double>(depth), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OverTls)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);

uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// The stream renamed to `symbol` (its stream names and its "s" field).
std::string renamed(std::string frame, const std::string& upper, const std::string& lower) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"btcusdt@", lower + "@"},
                          {"\"BTCUSDT\"", "\"" + upper + "\""}}) {
    for (size_t at = frame.find(from); at != std::string::npos; at = frame.find(from, at)) {
      frame.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return frame;
}

void BM_Memory200Symbols(benchmark::State& state) {
  if (!have_data(state)) return;
  const Stream& s = usdm_stream();
  constexpr int kSymbols = 200;
  constexpr size_t kFramesEach = 2000;  // past the snapshot's bridge: a synced, moving book
  std::vector<std::string> symbols;
  for (int i = 0; i < kSymbols; ++i) symbols.push_back("S" + std::to_string(1000 + i) + "USDT");
  const fs::path dir = scratch("memory");
  for (auto _ : state) {
    const uint64_t before = rss_bytes();
    rlx::live::RecorderOptions ro;
    ro.dir = dir;
    rlx::live::Recorder recorder(ro, rlx::Log());
    FrameProcessor frames(rlx::Market::kUsdM, symbols, recorder, nullptr);
    rlx::live::StreamIds seen;
    rlx::live::SymbolState* symbol = nullptr;
    int64_t ns = 1'723'161'255'000'000'000;
    for (const std::string& upper : symbols) {
      std::string lower = upper;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      for (size_t i = 0; i < kFramesEach; ++i) {
        frames.on_frame(renamed(s.frames[i], upper, lower), ns += 1000, seen, &symbol);
        if (i == 0) frames.on_snapshot(upper, "/fapi/v1/depth", s.snapshot, ns);
      }
      if (!frames.find(upper)->engine.synced()) std::abort();
    }
    recorder.flush();
    const uint64_t after = rss_bytes();
    state.counters["rss_MiB"] = static_cast<double>(after - before) / (1 << 20);
    state.counters["per_symbol_KiB"] = static_cast<double>(after - before) / 1024 / kSymbols;
    recorder.close();
    fs::remove_all(dir);
  }
}
BENCHMARK(BM_Memory200Symbols)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
