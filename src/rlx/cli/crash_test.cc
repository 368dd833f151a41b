// kill -9 at random moments of a real-data run, then `rlx reconstruct --resume`, until it
// finishes: the output must equal an uninterrupted run's byte for byte, with every event_seq
// once. Also torn and damaged state left behind by a crash (DESIGN.md §5, docs/DURABILITY.md).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/durability/checkpoint_store.h"
#include "rlx/durability/durable_file.h"
#include "rlx/durability/wal.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/sink/manifest.h"
#include "rlx/testing/compress.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {
namespace fs = std::filesystem;

constexpr const char* kRowsPerFile = "40000";
// A run is killed at most this many times, then left to finish: a chain of kills costs about one
// run, since each resume goes on from what the killed one committed.
constexpr int kKillsPerRun = 6;
// The two ways to run: every symbol in one process, or a supervisor with a worker process per
// symbol (two at a time here). Their outputs are the same bytes.
const std::vector<std::string> kInProcess = {"--in-process"};
const std::vector<std::string> kSupervised = {"--workers", "2"};

fs::path last_stderr_path() {
  return fs::temp_directory_path() / ("rlx_crash_stderr_" + std::to_string(::getpid()));
}

std::string last_stderr() {
  std::ifstream in(last_stderr_path());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last child's stderr is kept for failure messages.
pid_t spawn(const std::vector<std::string>& args) {
  return testing::spawn_process(args, last_stderr_path());
}
using testing::wait_exit;

std::vector<std::string> reconstruct_args(const fs::path& lake, const fs::path& out,
                                          const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {RLX_BINARY,        "reconstruct", "--source",   "lake",
                                   "--input",         lake.string(), "--out",      out.string(),
                                   "--rows-per-file", kRowsPerFile,  "--progress", "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
std::vector<std::string> resume_args(const fs::path& out) {
  return {RLX_BINARY,   "reconstruct", "--resume",    out.string(),
          "--progress", "never",       "--log-level", "info"};
}

// The part files a run has written so far, listed in its manifest or not yet: how far it got.
size_t parts_written(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    n += name.rfind("part-", 0) == 0 && it->path().extension() == ".parquet";
  }
  return n;
}

// Every output file (report.json and the .rlx state left aside) by relative path.
std::map<std::string, std::string> output_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    if (!e.is_regular_file() || rel == "report.json" || rel.rfind(".rlx", 0) == 0) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out[rel] = s.str();
  }
  return out;
}

void expect_same_output(const fs::path& run, const fs::path& ref) {
  const auto a = output_files(run);
  const auto b = output_files(ref);
  ASSERT_EQ(a.size(), b.size()) << run;
  for (const auto& [path, bytes] : b) {
    const auto it = a.find(path);
    ASSERT_NE(it, a.end()) << run << ": missing " << path;
    ASSERT_TRUE(it->second == bytes) << run << ": " << path << " differs";
  }
  EXPECT_TRUE(fs::exists(run / ".rlx" / "done"));
  EXPECT_TRUE(sink::verify_manifest(run, sink::read_manifest(run)).empty());
  // Every event_seq exactly once per symbol, dense from 0.
  io::DuckDb db;
  const io::TextTable t =
      io::query_text(db,
                     "SELECT exchange || '/' || symbol, count(*) = count(DISTINCT event_seq) AND "
                     "min(event_seq) = 0 AND max(event_seq) + 1 = count(*) FROM read_parquet('" +
                         (run / "**" / "*.parquet").string() + "') GROUP BY ALL");
  EXPECT_GE(t.rows.size(), 4u);
  for (const auto& row : t.rows) EXPECT_EQ(row.at(1), "true") << run << " " << row.at(0);
}

// Under ASan+UBSan every run is several times slower; the sanitizers look for memory errors on
// the kill and resume paths, which a few kills reach. Release keeps the full count.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Identifies the binaries a cached fixture came from: size and modification time of each.
std::string build_key() {
  std::string key;
  for (const fs::path& p : {fs::path("/proc/self/exe"), fs::path(RLX_BINARY)}) {
    const fs::path real = fs::canonical(p);
    key += std::to_string(fs::file_size(real)) + "-" +
           std::to_string(fs::last_write_time(real).time_since_epoch().count()) + "-";
  }
  return std::to_string(std::hash<std::string>{}(key));
}

class CrashRecovery : public ::testing::Test {
 protected:
  // The Lake converted from the real captures and the uninterrupted reference run are made once
  // per build and shared by every test here: ctest runs each test in its own process, and
  // remaking them took most of each test's time. A lock makes concurrent tests wait for the
  // first; a new build's key replaces the old cache.
  static void SetUpTestSuite() {
    const fs::path root = fs::path(RLX_BINARY).parent_path() / "test-cache" / "crash";
    fs::create_directories(root);
    const fs::path dir = root / build_key();
    lake_ = new fs::path(dir / "lake");
    ref_ = new fs::path(dir / "ref");
    durability::FileLock lock(root / "lock");
    if (!fs::exists(dir / "ready")) {
      for (const auto& e : fs::directory_iterator(root)) {
        if (e.is_directory()) fs::remove_all(e.path());
      }
      if (!build_fixture(*lake_, *ref_, dir / "ready")) return;  // each test reports the data
    }
    std::ifstream ready(dir / "ready");
    ready >> ref_exit_ >> ref_seconds_;
  }
  // The first half of each capture's messages is enough for the kills: several parts and
  // checkpoints per symbol, two dates for one. False when the real data is missing.
  static bool build_fixture(const fs::path& lake, const fs::path& ref, const fs::path& ready) {
    for (const char* f :
         {"usdm_btcusdt_20240808.gz", "usdm_ethusdt_20240808.gz", "cm_btcusd_perp_20240808.gz",
          "spot_btcusdt_20240808.gz", "usdm_btcusdt_20240718.gz"}) {
      const fs::path in = testing::shared_data_dir() / "binance" / "hftbacktest" / f;
      if (!fs::exists(in)) return false;
      const std::vector<std::string> lines = testing::gz_lines(in);
      std::string text;
      for (size_t i = 0; i < lines.size() / 2; ++i) text += lines[i] + "\n";
      const fs::path half = lake.parent_path() / "captures" / f;  // the name tells the market
      fs::create_directories(half.parent_path());
      std::ofstream(half, std::ios::binary) << testing::gzip_bytes(text);
      pipeline::ConvertOptions co;
      co.inputs = {half};
      co.out_dir = lake;
      co.progress = ProgressMode::kNever;
      pipeline::convert_to_lake(co);
    }
    double seconds = 0;
    const int code = timed_run(reconstruct_args(lake, ref, kInProcess), &seconds);
    std::ofstream(ready) << code << " " << seconds << "\n";
    return true;
  }
  static void TearDownTestSuite() {
    delete lake_;
    delete ref_;
  }
  void SetUp() override {
    RLX_REQUIRE_DATA(probe, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
    ASSERT_EQ(ref_exit_, 0);
  }
  // Starts a run and kills it after `seconds`; true if it was killed (not already finished).
  static bool run_and_kill(const std::vector<std::string>& args, double seconds, int* exit_code) {
    return testing::kill_after(spawn(args), seconds, exit_code);
  }
  // Runs to the end: the exit code, and in *seconds how long it took.
  static int timed_run(const std::vector<std::string>& args, double* seconds) {
    const auto start = std::chrono::steady_clock::now();
    const int code = wait_exit(spawn(args));
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return code;
  }

  struct Kills {
    int kills = 0;
    int runs = 0;
    int from_checkpoint = 0;  // resumes that restored a checkpoint (not a restart from scratch)
  };
  // Kills runs (reconstruct with `extra`) at random moments and resumes them until `target`
  // kills happened; every run must end byte-identical to `ref`. A run is killed up to
  // kKillsPerRun times, then left to finish. Each kill moment is drawn uniformly over what the
  // run has left: a whole run's time times the share of `ref`'s parts not yet written, plus a
  // tenth so that recovery and the run's last steps are reached too (a draw past the end lets the
  // run finish early). A whole run's time starts as `run_seconds` and is then taken from the pace
  // of the fresh runs here, under the load the kills see.
  void kill_and_resume(const std::vector<std::string>& extra, const fs::path& ref,
                       double run_seconds, int target, uint64_t seed, Kills* k) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double ref_parts = static_cast<double>(parts_written(ref));
    const auto share_written = [&](const fs::path& out) {
      return static_cast<double>(parts_written(out)) / ref_parts;
    };
    while (k->kills < target) {
      const fs::path out = tmp_.path() / ("run" + std::to_string(k->runs++));
      for (int kills_here = 0;;) {
        int code = -1;
        // Killed before it recorded run.json, a run cannot be resumed: it is started again.
        const bool recorded = fs::exists(out / ".rlx" / "run.json");
        const auto args = recorded ? resume_args(out) : reconstruct_args(*lake_, out, extra);
        bool killed = false;
        if (kills_here < kKillsPerRun && k->kills < target) {
          const double left = std::max(1.0 - share_written(out), 0.0);
          const auto start = std::chrono::steady_clock::now();
          killed = run_and_kill(args, unit(rng) * run_seconds * (left + 0.1), &code);
          const double elapsed =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const double share = share_written(out);
          if (!recorded && !killed) run_seconds = elapsed;
          if (!recorded && killed && share >= 0.25) run_seconds = elapsed / share;
        } else {
          code = wait_exit(spawn(args));
        }
        if (recorded && last_stderr().find("from_scratch=no") != std::string::npos) {
          ++k->from_checkpoint;
        }
        if (killed) {
          ++k->kills;
          ++kills_here;
          continue;
        }
        ASSERT_EQ(code, 0) << "run " << out << " failed after " << kills_here
                           << " kills: " << last_stderr();
        break;
      }
      expect_same_output(out, ref);
      if (HasFatalFailure()) return;
    }
  }

  // Runs in `mode` killed and resumed; they end as the uninterrupted in-process reference.
  void kill_and_resume(const std::vector<std::string>& mode, int target, uint64_t seed) {
    Kills k;
    kill_and_resume(mode, *ref_, ref_seconds_, target, seed, &k);
    if (HasFatalFailure()) return;
    EXPECT_GE(k.kills, target);
    // Most resumes restore a checkpoint rather than starting over (both are exact).
    EXPECT_GE(k.from_checkpoint, target / 6);
    std::printf(
        "crash harness (%s): %d kills over %d runs, %d resumes from a checkpoint, every run "
        "byte-identical\n",
        mode.front().c_str(), k.kills, k.runs, k.from_checkpoint);
  }

  static int kills_wanted() {
    // bench/crash_soak.sh sets RLX_CRASH_KILLS for hundreds.
    const char* env = std::getenv("RLX_CRASH_KILLS");
    if (env != nullptr) return std::atoi(env);
    return kSanitized ? 6 : 20;
  }

  static fs::path* lake_;
  static fs::path* ref_;
  static int ref_exit_;
  static double ref_seconds_;  // how long the reference run took (under the load of then)
  testing::TempDir tmp_;
};
fs::path* CrashRecovery::lake_ = nullptr;
fs::path* CrashRecovery::ref_ = nullptr;
int CrashRecovery::ref_exit_ = -1;
double CrashRecovery::ref_seconds_ = 0;

TEST_F(CrashRecovery, SigkillsAtRandomMomentsThenResumeGiveTheUninterruptedOutput) {
  kill_and_resume(kInProcess, kills_wanted(), 20261126);
}

// The supervisor is killed (its workers die with it: PR_SET_PDEATHSIG), and `--resume`
// finishes every symbol from its own worker's checkpoints: the same bytes again.
TEST_F(CrashRecovery, KilledSupervisorResumesToTheUninterruptedOutput) {
  kill_and_resume(kSupervised, kills_wanted(), 4);
}

// Scheduled checkpoints (--checkpoint-batches, --checkpoint-seconds in market time) end parts
// where they fall, deterministically: killed and resumed runs equal an uninterrupted run with
// the same options, and most resumes start from a scheduled checkpoint.
TEST_F(CrashRecovery, ScheduledCheckpointsGiveTheSameOutputAsAnUninterruptedRunWithThem) {
  const std::vector<std::string> extra = {"--in-process", "--checkpoint-batches", "25",
                                          "--checkpoint-seconds", "20"};
  const fs::path ref = tmp_.path() / "ref";
  double seconds = 0;
  ASSERT_EQ(timed_run(reconstruct_args(*lake_, ref, extra), &seconds), 0) << last_stderr();
  // More parts than without the schedule: parts end at the checkpoints.
  EXPECT_GT(sink::read_manifest(ref).size(), sink::read_manifest(*ref_).size());
  const int target = kSanitized ? 4 : 8;
  Kills k;
  kill_and_resume(extra, ref, seconds, target, 7, &k);
  if (HasFatalFailure()) return;
  EXPECT_GE(k.kills, target);
  EXPECT_GE(k.from_checkpoint, target / 3);
}

// One killed run, then damage to what it left, then resume.
class DamagedState : public CrashRecovery {
 protected:
  fs::path killed_run() {
    const fs::path out = tmp_.path() / "run";
    int code = -1;
    // Killed once a third of the parts are written: parts and checkpoints exist, and the run is
    // unfinished (a moment by progress, which the machine's load does not move).
    const size_t third = parts_written(*ref_) / 3;
    const bool killed = testing::kill_when(
        spawn(reconstruct_args(*lake_, out, kInProcess)),
        [&] { return parts_written(out) >= third; }, &code);
    if (!killed || sink::read_manifest(out).empty()) {
      ADD_FAILURE() << "could not interrupt a run after its first commit (exit " << code
                    << "): " << last_stderr();
    }
    return out;
  }
  void resume_and_check(const fs::path& out) {
    ASSERT_EQ(wait_exit(spawn(resume_args(out))), 0) << last_stderr();
    expect_same_output(out, *ref_);
  }
};

TEST_F(DamagedState, TruncatedLastWalRecordIsCut) {
  const fs::path out = killed_run();
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(out / ".rlx" / "wal")) segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());
  ASSERT_FALSE(segments.empty());
  fs::resize_file(segments.back(), fs::file_size(segments.back()) - 7);
  resume_and_check(out);
  EXPECT_NE(last_stderr().find("wal_torn_tail"), std::string::npos) << last_stderr();
}

TEST_F(DamagedState, FlippedBytesInACheckpointAndAMissingOneFallBackToAnOlderState) {
  const fs::path out = killed_run();
  const fs::path dir = out / ".rlx" / "checkpoints";
  // The checkpoints index.json lists, newest first: a kill between writing a checkpoint file
  // and listing it leaves an unlisted newest file, which recovery rightly never reads.
  std::vector<fs::path> ckpts;
  for (const auto& e : durability::CheckpointStore::read_index(dir)) ckpts.push_back(dir / e.file);
  ASSERT_FALSE(ckpts.empty());
  {
    std::fstream f(ckpts[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(ckpts[0]) / 2));
    f.put('\x5a');
    f.put('\xa5');
  }
  if (ckpts.size() > 1) fs::remove(ckpts[1]);  // listed in index.json, now missing
  resume_and_check(out);
  const std::string log = last_stderr();
  EXPECT_NE(log.find("checksum mismatch"), std::string::npos) << log;
  if (ckpts.size() > 1) EXPECT_NE(log.find("but missing"), std::string::npos) << log;
}

TEST_F(DamagedState, PartialAndUnlistedPartsAreRemovedAndRegenerated) {
  const fs::path out = killed_run();
  const auto committed = sink::read_manifest(out);
  ASSERT_FALSE(committed.empty());
  const fs::path dir = (out / committed.front().path).parent_path();
  std::ofstream(dir / ".part-00999.parquet.tmp") << "half a file";
  std::ofstream(dir / "part-00999.parquet") << "PAR1 renamed but never committed";
  resume_and_check(out);
  EXPECT_FALSE(fs::exists(dir / "part-00999.parquet"));
}

TEST_F(DamagedState, ACommittedPartThatChangedStopsTheResumeWithAClearError) {
  const fs::path out = killed_run();
  const auto committed = sink::read_manifest(out);
  ASSERT_FALSE(committed.empty());
  std::ofstream(out / committed.front().path, std::ios::app) << "x";
  EXPECT_EQ(wait_exit(spawn(resume_args(out))), static_cast<int>(cli::ExitCode::kBadInput));
}

TEST_F(DamagedState, OutPointingAtAnUnfinishedRunIsRefusedWithAHint) {
  const fs::path out = killed_run();
  EXPECT_EQ(wait_exit(spawn(reconstruct_args(*lake_, out, kInProcess))),
            static_cast<int>(cli::ExitCode::kUsage));
  resume_and_check(out);
}

// The disk fills up under the journal: the run stops with an I/O error, and a resume (with
// space again) finishes exactly.
class FailingWrites : public durability::WalIo {
 public:
  explicit FailingWrites(int fail_at) : fail_at_(fail_at) {}
  ssize_t write(int fd, const void* data, size_t n) override {
    if (++writes_ >= fail_at_) {
      errno = ENOSPC;
      return -1;
    }
    return WalIo::write(fd, data, n);
  }

 private:
  int fail_at_;
  int writes_ = 0;
};

TEST_F(CrashRecovery, DiskFullInTheJournalStopsCleanlyAndResumes) {
  const fs::path out = tmp_.path() / "enospc";
  FailingWrites io(20);
  pipeline::ReconstructOptions o;
  o.source = pipeline::SourceKind::kLake;
  o.inputs = {*lake_};
  o.out_dir = out;
  o.rows_per_file = std::stoull(kRowsPerFile);
  o.progress = ProgressMode::kNever;
  o.wal_io = &io;
  try {
    pipeline::reconstruct(o);
    FAIL() << "expected the injected ENOSPC";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kIo);
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
  }
  ASSERT_EQ(wait_exit(spawn(resume_args(out))), 0) << last_stderr();
  expect_same_output(out, *ref_);
}

}  // namespace
}  // namespace rlx
