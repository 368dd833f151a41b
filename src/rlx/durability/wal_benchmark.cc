// WalWriter::append throughput with sync() (the commit point) every 1000 records, and scan_wal
// read-back speed, on the file system of the temp directory ($TMPDIR or /tmp).
// Run: rlx_wal_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (docs quote the medians).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "rlx/durability/wal.h"

namespace rlx::durability {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kBatch = 1000;

// A fresh WAL directory, removed afterwards.
class BenchDir {
 public:
  explicit BenchDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("rlx_wal_bench_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path_);
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Appends records of range(0) bytes, sync() after every 1000; closing is timed too.
void BM_WalAppend(benchmark::State& state, FsyncPolicy policy) {
  const auto size = static_cast<size_t>(state.range(0));
  const std::string payload(size, 'p');
  BenchDir dir("append_" + std::to_string(size));
  int64_t records = 0;
  {
    WalOptions options;
    options.dir = dir.path();
    options.fsync = policy;
    WalWriter wal(options);
    for (auto _ : state) {
      benchmark::DoNotOptimize(wal.append(payload));
      if (++records % kBatch == 0) wal.sync();
      // Keep the disk footprint bounded on long runs, as a checkpointing caller would.
      if (records % (kBatch * 1000) == 0) wal.truncate_before(wal.next_lsn());
    }
    wal.close();
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(size));
  const int64_t syncs = records / kBatch;  // each an fsync under kPerBatch
  state.counters["syncs"] = static_cast<double>(syncs);
}
BENCHMARK_CAPTURE(BM_WalAppend, per_batch, FsyncPolicy::kPerBatch)
    ->Arg(100)
    ->Arg(4096)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_WalAppend, never, FsyncPolicy::kNever)->Arg(100)->Arg(4096)->UseRealTime();

// Reads back a WAL of 200 MB of range(0)-byte records, checksums included.
void BM_WalScan(benchmark::State& state) {
  const auto size = static_cast<size_t>(state.range(0));
  const int64_t count = (200 << 20) / static_cast<int64_t>(size + kWalRecordOverhead);
  BenchDir dir("scan_" + std::to_string(size));
  {
    WalOptions options;
    options.dir = dir.path();
    options.fsync = FsyncPolicy::kNever;
    WalWriter wal(options);
    const std::string payload(size, 's');
    for (int64_t i = 0; i < count; ++i) wal.append(payload);
  }
  uint64_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    const WalScan scan = scan_wal(
        dir.path(), false, [&](uint64_t, std::string_view payload) { bytes += payload.size(); });
    if (static_cast<int64_t>(scan.records) != count) state.SkipWithError("wrong record count");
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WalScan)->Arg(100)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rlx::durability

BENCHMARK_MAIN();
