// The supervisor with real worker processes (the rlx binary) on real captures: faults in one
// symbol (repeated kills, a hang, corrupt data, a broken routed input) never change another
// symbol's output, and the report names each failure.
#include "rlx/pipeline/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/sink/manifest.h"
#include "rlx/testing/files.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx::pipeline {
namespace {
namespace fs = std::filesystem;

using ::rlx::testing::slurp;

// Every Parquet part under exchange=E/symbol=S, by path relative to the output.
std::map<std::string, std::string> parts_of(const fs::path& out, const SymbolKey& key) {
  std::map<std::string, std::string> parts;
  const fs::path dir = out / ("exchange=" + key.first) / ("symbol=" + key.second);
  if (!fs::exists(dir)) return parts;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) parts[fs::relative(e.path(), out).string()] = slurp(e.path());
  }
  return parts;
}

const SymbolSummary* find(const ReconstructSummary& s, const std::string& exchange,
                          const std::string& symbol) {
  for (const SymbolSummary& sym : s.symbols) {
    if (sym.exchange == exchange && sym.symbol == symbol) return &sym;
  }
  return nullptr;
}

// The pids of this output's workers for `symbol` (from /proc: they are our grandchildren only
// in spirit; the supervisor runs on a thread of this process).
std::vector<pid_t> worker_pids(const fs::path& out, const std::string& symbol) {
  std::vector<pid_t> pids;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = slurp(e.path() / "cmdline");
    for (char& c : cmd) c = c == '\0' ? ' ' : c;
    if (cmd.find(" worker ") != std::string::npos && cmd.find(out.string()) != std::string::npos &&
        cmd.find(" --symbol " + symbol + " ") != std::string::npos) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

// Stops (SIGSTOP) the first worker process of `symbol` writing to `out` as soon as it exists:
// a worker that makes no progress, which the watchdog must kill (SIGKILL ends a stopped process).
// Gives up after `patience` when none appears.
class StopFirstWorker {
 public:
  StopFirstWorker(fs::path out, std::string symbol)
      : thread_([this, out = std::move(out), symbol = std::move(symbol)] {
          const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
          while (!done_ && std::chrono::steady_clock::now() < end) {
            const std::vector<pid_t> pids = worker_pids(out, symbol);
            if (!pids.empty()) {
              ::kill(pids.front(), SIGSTOP);
              stopped_ = pids.front();
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
        }) {}
  ~StopFirstWorker() {
    done_ = true;
    thread_.join();
  }
  StopFirstWorker(const StopFirstWorker&) = delete;
  StopFirstWorker& operator=(const StopFirstWorker&) = delete;
  pid_t stopped() const { return stopped_; }

 private:
  std::atomic<bool> done_{false};
  std::atomic<pid_t> stopped_{0};
  std::thread thread_;
};

// Under ASan+UBSan every rlx process is several times slower.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

class Supervisor : public ::testing::Test {
 protected:
  // A Lake tree of four symbols of three markets, converted from the hftbacktest captures when
  // a test first asks for it: ctest runs each test in its own process, and most tests here read
  // other inputs.
  static const fs::path& lake() {
    if (lake_ != nullptr) return *lake_;
    lake_ = new fs::path(fs::temp_directory_path() /
                         ("rlx_supervisor_lake_" + std::to_string(::getpid())));
    fs::remove_all(*lake_);
    for (const char* f : {"usdm_btcusdt_20240808.gz", "usdm_ethusdt_20240808.gz",
                          "cm_btcusd_perp_20240808.gz", "spot_btcusdt_20240808.gz"}) {
      const fs::path in = testing::shared_data_dir() / "binance" / "hftbacktest" / f;
      if (!fs::exists(in)) break;  // each test reports the missing data
      ConvertOptions co;
      co.inputs = {in};
      co.out_dir = *lake_;
      co.progress = ProgressMode::kNever;
      convert_to_lake(co);
    }
    return *lake_;
  }
  static void TearDownTestSuite() {
    if (lake_ == nullptr) return;
    std::error_code ec;
    fs::remove_all(*lake_, ec);
    delete lake_;
    lake_ = nullptr;
  }
  void SetUp() override { RLX_REQUIRE_DATA(probe, "binance/hftbacktest/usdm_btcusdt_20240808.gz"); }

  static SupervisorOptions options(const fs::path& input, const fs::path& out, SourceKind kind) {
    SupervisorOptions so;
    so.run.source = kind;
    so.run.inputs = {input};
    so.run.out_dir = out;
    so.run.rows_per_file = 40000;
    so.run.progress = ProgressMode::kNever;
    so.worker_binary = RLX_BINARY;
    so.workers = 2;
    so.backoff_seconds = 0.05;
    return so;
  }

  static fs::path* lake_;
  testing::TempDir tmp_;
};
fs::path* Supervisor::lake_ = nullptr;

TEST_F(Supervisor, KillsAHangAndCorruptDataInSomeSymbolsLeaveTheOthersIdentical) {
  const fs::path ref = tmp_.path() / "ref";
  const ReconstructSummary clean = supervise(options(lake(), ref, SourceKind::kLake));
  ASSERT_EQ(clean.symbols.size(), 4u);
  ASSERT_EQ(clean.failed_symbols, 0u);

  // The same Lake with spot BTCUSDT's book_delta_v2 file cut in half.
  const fs::path bad_lake = tmp_.path() / "lake";
  fs::copy(lake(), bad_lake, fs::copy_options::recursive);
  fs::path corrupt;
  for (const auto& e :
       fs::recursive_directory_iterator(bad_lake / "book_delta_v2" / "exchange=binance")) {
    if (e.path().extension() == ".parquet") corrupt = e.path();
  }
  ASSERT_FALSE(corrupt.empty());
  fs::resize_file(corrupt, fs::file_size(corrupt) / 2);

  // ETHUSDT's workers are killed twice from outside; BTCUSD_PERP's first one is stopped
  // (SIGSTOP), so the watchdog (3 s: slack for slow sanitizer builds) must kill it.
  const fs::path out = tmp_.path() / "faulty";
  SupervisorOptions so = options(bad_lake, out, SourceKind::kLake);
  so.watchdog_seconds = 3;
  const StopFirstWorker hang(out, "BTCUSD_PERP");
  std::atomic<bool> done{false};
  ReconstructSummary faulty;
  std::thread supervisor([&] {
    faulty = supervise(so);
    done = true;
  });
  std::set<pid_t> killed;
  std::map<pid_t, int> seen;  // polls a worker has been alive for
  while (!done && killed.size() < 2) {
    for (const pid_t pid : worker_pids(out, "ETHUSDT")) {
      if (killed.count(pid) == 0 && ++seen[pid] == 40) {  // ~200 ms in: mid-run
        ::kill(pid, SIGKILL);
        killed.insert(pid);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  supervisor.join();
  EXPECT_EQ(killed.size(), 2u);
  EXPECT_NE(hang.stopped(), 0);

  ASSERT_EQ(faulty.symbols.size(), 4u);
  EXPECT_EQ(faulty.failed_symbols, 1u);
  const SymbolSummary* spot = find(faulty, "binance", "BTCUSDT");
  const SymbolSummary* eth = find(faulty, "binance-futures", "ETHUSDT");
  const SymbolSummary* perp = find(faulty, "binance-delivery", "BTCUSD_PERP");
  const SymbolSummary* btc = find(faulty, "binance-futures", "BTCUSDT");
  ASSERT_TRUE(spot && eth && perp && btc);
  EXPECT_TRUE(spot->failed);
  EXPECT_EQ(spot->attempts, 3u);
  ASSERT_EQ(spot->failures.size(), 3u);
  EXPECT_NE(spot->failures.back().find(corrupt.filename().string()), std::string::npos)
      << spot->failures.back();
  EXPECT_FALSE(eth->failed);
  ASSERT_EQ(eth->failures.size(), 2u);
  EXPECT_NE(eth->failures[0].find("signal 9"), std::string::npos) << eth->failures[0];
  EXPECT_FALSE(perp->failed);
  ASSERT_EQ(perp->failures.size(), 1u);
  EXPECT_NE(perp->failures[0].find("watchdog"), std::string::npos) << perp->failures[0];
  EXPECT_FALSE(btc->failed);
  EXPECT_TRUE(btc->failures.empty());

  // Every symbol that finished equals the fault-free run, file for file, byte for byte.
  for (const SymbolSummary* s : {eth, perp, btc}) {
    const SymbolKey key{s->exchange, s->symbol};
    const auto want = parts_of(ref, key);
    const auto got = parts_of(out, key);
    ASSERT_FALSE(want.empty());
    ASSERT_EQ(got.size(), want.size()) << s->symbol;
    for (const auto& [path, bytes] : want) {
      ASSERT_TRUE(got.count(path) == 1 && got.at(path) == bytes) << path;
    }
    EXPECT_EQ(s->rows, find(clean, s->exchange, s->symbol)->rows);
  }
  // The failed symbol left nothing that passes for data; the manifest lists the rest, whole.
  EXPECT_TRUE(parts_of(out, {"binance", "BTCUSDT"}).empty());
  const auto manifest = sink::read_manifest(out);
  EXPECT_TRUE(sink::verify_manifest(out, manifest).empty());
  for (const auto& f : manifest) EXPECT_NE(f.exchange, "binance") << f.path;
  EXPECT_EQ(manifest.size(),
            sink::read_manifest(ref).size() - parts_of(ref, {"binance", "BTCUSDT"}).size());
  // The report names both kinds of failure.
  const std::string report = slurp(out / "report.json");
  EXPECT_NE(report.find("\"outcome\": \"failed\""), std::string::npos) << report;
  EXPECT_NE(report.find("signal 9"), std::string::npos);
  EXPECT_NE(report.find(corrupt.filename().string()), std::string::npos);
  // A run with a failed symbol is not marked done: --resume would retry it.
  EXPECT_EQ(run_status(out / kStateDir), RunStatus::kUnfinished);
}

// Mixed inputs go through the router. With a queue of 8 messages, the hung worker stops the
// router (backpressure) until the watchdog kills it; its restart reads the capture itself, and
// every symbol still equals the fault-free run.
TEST_F(Supervisor, ARoutedWorkerThatHangsIsRestartedFromTheInputsWithTheSameOutput) {
  RLX_REQUIRE_DATA(capture, "binance/cryptofeed/BINANCE_DELIVERY.ws.1.0");
  auto opts = [&](const fs::path& out) {
    SupervisorOptions so = options(capture, out, SourceKind::kBinanceRaw);
    so.workers = 10;
    so.queue_messages = 8;
    so.run.batch_size = 20;
    so.watchdog_seconds = 3;
    return so;
  };
  const fs::path ref = tmp_.path() / "ref";
  const ReconstructSummary clean = supervise(opts(ref));
  ASSERT_EQ(clean.symbols.size(), 10u);
  const fs::path out = tmp_.path() / "hang";
  ReconstructSummary s;
  {
    const StopFirstWorker hang(out, "XRPUSD_PERP");
    s = supervise(opts(out));
    EXPECT_NE(hang.stopped(), 0);
  }
  EXPECT_EQ(s.failed_symbols, 0u);
  const SymbolSummary* xrp = find(s, "binance-delivery", "XRPUSD_PERP");
  ASSERT_NE(xrp, nullptr);
  EXPECT_EQ(xrp->attempts, 2u);
  ASSERT_EQ(xrp->failures.size(), 1u);
  EXPECT_NE(xrp->failures[0].find("watchdog"), std::string::npos);
  for (const SymbolSummary& sym : clean.symbols) {
    const SymbolKey key{sym.exchange, sym.symbol};
    EXPECT_TRUE(parts_of(out, key) == parts_of(ref, key)) << sym.symbol;
  }
  EXPECT_EQ(slurp(out / "manifest.json"), slurp(ref / "manifest.json"));
}

// Routed inputs of every kind give what an in-process run gives, file for file: Tardis files
// (3 exchanges, 3 symbols), and two days of one spot capture merged into one replay order.
TEST_F(Supervisor, RoutedTardisAndMultiFileBinanceEqualTheInProcessRun) {
  RLX_REQUIRE_DATA(l2, "tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv");
  RLX_REQUIRE_DATA(snap, "tardis/binance-futures_book_snapshot_25_BTCUSDT.csv");
  RLX_REQUIRE_DATA(trades, "tardis/bitmex_trades_XBTUSD.csv");
  RLX_REQUIRE_DATA(day1, "binance/hftbacktest/spot_btcusdt_20240808.gz");
  RLX_REQUIRE_DATA(day2, "binance/hftbacktest/spot_btcusdt_20240809.gz");
  const std::pair<SourceKind, std::vector<fs::path>> cases[] = {
      {SourceKind::kTardis, {l2, snap, trades}}, {SourceKind::kBinanceRaw, {day1, day2}}};
  int n = 0;
  for (const auto& [kind, inputs] : cases) {
    const fs::path in_process = tmp_.path() / ("in" + std::to_string(n));
    const fs::path supervised = tmp_.path() / ("sv" + std::to_string(n++));
    SupervisorOptions so = options(inputs.front(), supervised, kind);
    so.run.inputs = inputs;
    ReconstructOptions o = so.run;
    o.out_dir = in_process;
    const ReconstructSummary a = reconstruct(o);
    const ReconstructSummary b = supervise(so);
    ASSERT_EQ(a.symbols.size(), b.symbols.size());
    EXPECT_EQ(b.failed_symbols, 0u);
    EXPECT_EQ(a.rows, b.rows);
    for (const SymbolSummary& sym : a.symbols) {
      const SymbolKey key{sym.exchange, sym.symbol};
      const auto want = parts_of(in_process, key);
      EXPECT_FALSE(want.empty()) << sym.symbol;
      EXPECT_TRUE(parts_of(supervised, key) == want) << sym.exchange << " " << sym.symbol;
    }
    EXPECT_EQ(slurp(supervised / "manifest.json"), slurp(in_process / "manifest.json"));
  }
}

// The supervisor of a routed run killed at random moments (the real binary, SIGKILL), then
// resumed until it finishes: the state folders, spools and channels of the killed runs must
// lead to the uninterrupted output, byte for byte.
TEST_F(Supervisor, AKilledRoutedRunResumesToTheUninterruptedOutput) {
  RLX_REQUIRE_DATA(capture, "binance/cryptofeed/BINANCE_DELIVERY.ws.1.0");
  const fs::path ref = tmp_.path() / "ref";
  supervise(options(capture, ref, SourceKind::kBinanceRaw));
  // -1: killed after `seconds`; else the exit code.
  auto run = [](const std::vector<std::string>& args, double seconds) {
    int code = 0;
    return testing::kill_after(testing::spawn_process(args, "/dev/null"), seconds, &code) ? -1
                                                                                          : code;
  };
  int kills = 0;
  // Six runs, each killed at moments growing from its own start; under the sanitizers, which
  // look for memory errors on these paths, every other one (the same spread of moments).
  for (int i = 0; i < 6; i += kSanitized ? 2 : 1) {
    const fs::path out = tmp_.path() / ("run" + std::to_string(i));
    for (int attempt = 0;; ++attempt) {
      ASSERT_LT(attempt, 50) << out;
      const bool recorded = fs::exists(out / ".rlx" / "run.json");
      const std::vector<std::string> args =
          recorded ? std::vector<std::string>{RLX_BINARY, "reconstruct", "--resume", out.string()}
                   : std::vector<std::string>{
                         RLX_BINARY,   "reconstruct",     "--input", capture.string(), "--out",
                         out.string(), "--rows-per-file", "40000",   "--workers",      "2"};
      const int code = run(args, 0.02 + 0.05 * attempt + 0.03 * i);
      if (code == -1) {
        ++kills;
        continue;
      }
      ASSERT_EQ(code, 0) << out;
      break;
    }
    EXPECT_EQ(slurp(out / "manifest.json"), slurp(ref / "manifest.json")) << out;
    for (const auto& e : fs::directory_iterator(ref)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("exchange=", 0) != 0) continue;
      for (const auto& f : fs::recursive_directory_iterator(e.path())) {
        if (!f.is_regular_file()) continue;
        const fs::path rel = fs::relative(f.path(), ref);
        EXPECT_TRUE(slurp(out / rel) == slurp(f.path())) << out / rel;
      }
    }
  }
  EXPECT_GE(kills, 6);
}

// A routed input that cannot be read fails the symbols it feeds and names file and line.
TEST_F(Supervisor, ABrokenRoutedInputFailsItsSymbolsAndIsNamed) {
  RLX_REQUIRE_DATA(capture, "binance/cryptofeed/BINANCE_DELIVERY.ws.1.0");
  const fs::path broken = tmp_.path() / "BINANCE_DELIVERY.ws.1.0";
  {
    std::ifstream in(capture);
    std::ofstream o(broken);
    std::string line;
    for (int i = 1; std::getline(in, line); ++i)
      o << (i == 4000 ? line.substr(0, 40) : line) << "\n";
  }
  fs::copy_file(capture.parent_path() / "BINANCE_DELIVERY.http.0.0",
                tmp_.path() / "BINANCE_DELIVERY.http.0.0");
  const ReconstructSummary s =
      supervise(options(broken, tmp_.path() / "out", SourceKind::kBinanceRaw));
  EXPECT_NE(s.input_error.find("BINANCE_DELIVERY.ws.1.0:4000"), std::string::npos) << s.input_error;
  EXPECT_GT(s.failed_symbols, 0u);
  EXPECT_EQ(s.failed_symbols, s.symbols.size());
  EXPECT_TRUE(sink::read_manifest(tmp_.path() / "out").empty());
}

}  // namespace
}  // namespace rlx::pipeline
