// What one capture core costs per frame, on the real USD-M stream (usdm_btcusdt_20240808.gz:
// 93,954 frames, of which 6,551 depth diffs carrying 445 K level rows, and its REST snapshot).
//   BM_FrameProcessor   parse, de-duplicate, record (zstd segments, fdatasync each flush) and
//                       apply to the live book, in memory: frames, depth diffs and level rows
//                       per second of wall time, and per second of the process's CPU time (all
//                       threads, the recorder's compression included): the "one core" figure.
//   BM_FrameLatency     the same, timing each frame from receive to recorded (appended to the
//                       record's queue; durable follows within --flush-interval-ms): p50, p99.
//   BM_OverTls          the whole capture against the local exchange over TLS on loopback, the
//                       exchange serving as fast as the capture reads (both on this machine):
//                       frames per second of wall time (the pair's pace) and per second of the
//                       capture's own CPU (its network thread and its record writer).
//   BM_Memory200Symbols 200 symbols' synced books (the stream renamed per symbol): heap growth.
//   build/src/rlx/live/rlx_capture_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
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
// `previous_record`: the record as it was before chunked writes (zstd 3, one frame per flush
// interval), the baseline of the same run.
template <typename PerFrame>
rlx::book::BookStats one_pass(const Stream& s, const std::vector<std::string>& symbols,
                              const fs::path& dir, PerFrame&& per_frame,
                              bool previous_record = false,
                              rlx::live::RecorderStats* record = nullptr) {
  rlx::live::RecorderOptions ro;
  ro.dir = dir;
  if (previous_record) {
    ro.zstd_level = 3;
    ro.chunk_bytes = UINT64_MAX;
  }
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
  if (record != nullptr) *record = recorder.stats();
  const rlx::book::BookEngine& engine = frames.find(symbols.front())->engine;
  if (!engine.synced()) std::abort();  // measured the wrong thing
  return engine.stats();
}

double process_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_FrameProcessor(benchmark::State& state) {
  if (!have_data(state)) return;
  const Stream& s = usdm_stream();
  const fs::path dir = scratch("throughput");
  double cpu_s = 0;
  uint64_t rows = 0;
  rlx::live::RecorderStats record;
  for (auto _ : state) {
    const double cpu0 = process_cpu_s();
    const rlx::book::BookStats st = one_pass(
        s, {"BTCUSDT"}, dir, [](auto&& f) { f(); }, state.range(0) == 0, &record);
    cpu_s += process_cpu_s() - cpu0;
    rows += st.events[static_cast<int>(rlx::EventType::kBookDelta)];
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.frames.size()));
  state.counters["depth_msgs/s"] =
      benchmark::Counter(n * static_cast<double>(s.depth), benchmark::Counter::kIsRate);
  state.counters["frames/cpu_s"] = n * static_cast<double>(s.frames.size()) / cpu_s;
  state.counters["depth_msgs/cpu_s"] = n * static_cast<double>(s.depth) / cpu_s;
  state.counters["level_rows/cpu_s"] = static_cast<double>(rows) / cpu_s;
  state.counters["zstd_ratio"] =
      static_cast<double>(record.text_bytes) / static_cast<double>(record.disk_bytes);
}
// Arg 1: the record as it is; 0: as it was (the baseline).
BENCHMARK(BM_FrameProcessor)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

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
  eo.max_queued_frames = 4096;
  eo.start_wait = std::chrono::milliseconds(0);
  uint64_t frames = 0, depth = 0, rows = 0;
  double capture_cpu_s = 0;
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
    // The capture's CPU: its network thread (TLS, WebSocket, parse, sync, book, record
    // formatting) and its record writer (zstd, writes, syncs); the exchange's is not counted.
    clockid_t clock{};
    timespec ts{};
    pthread_getcpuclockid(run.native_handle(), &clock);
    ::clock_gettime(clock, &ts);
    const rlx::live::CaptureStats st = cap.stats();
    capture_cpu_s += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9 +
                     st.record_cpu_seconds;
    cap.stop();
    run.join();
    frames += st.frames;
    depth += st.symbols.front().book.messages[static_cast<int>(rlx::MessageKind::kDelta)];
    rows += st.symbols.front().book.events[static_cast<int>(rlx::EventType::kBookDelta)];
  }
  state.SetItemsProcessed(static_cast<int64_t>(frames));
  state.counters["depth_msgs/s"] =
      benchmark::Counter(static_cast<double>(depth), benchmark::Counter::kIsRate);
  state.counters["frames/capture_cpu_s"] = static_cast<double>(frames) / capture_cpu_s;
  state.counters["depth_msgs/capture_cpu_s"] = static_cast<double>(depth) / capture_cpu_s;
  state.counters["level_rows/capture_cpu_s"] = static_cast<double>(rows) / capture_cpu_s;
}
BENCHMARK(BM_OverTls)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);

// Heap bytes in use (glibc): unlike RSS it does not hide memory a previous repetition freed
// and this one reuses.
uint64_t heap_bytes() {
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
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
    const uint64_t before = heap_bytes();
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
    const uint64_t after = heap_bytes();
    state.counters["heap_MiB"] = static_cast<double>(after - before) / (1 << 20);
    state.counters["per_symbol_KiB"] = static_cast<double>(after - before) / 1024 / kSymbols;
    recorder.close();
    fs::remove_all(dir);
  }
}
BENCHMARK(BM_Memory200Symbols)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
