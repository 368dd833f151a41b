// The command line on bad input: every case ends in a clear error naming file, row and field
// with a documented exit code, or in a counted, reported quarantine / flag. Inputs are the real
// captures with one thing broken.
#include "rlx/cli/app.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/io/duckdb.h"
#include "rlx/testing/compress.h"
#include "rlx/testing/files.h"
#include "rlx/testing/test_data.h"

namespace rlx::cli {
namespace {
namespace fs = std::filesystem;

struct RunResult {
  int code;
  std::string err;
  std::string out;
};

RunResult run_rlx(std::vector<std::string> args) {
  args.insert(args.begin(), "rlx");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  const int code = run(static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  return {code, ::testing::internal::GetCapturedStderr(), std::move(out)};
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << '\n';
}

using ::rlx::testing::slurp;

// The small USD-M capture: line numbers of its depth diffs and of its REST snapshot.
class BinanceBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path file =
        ::rlx::testing::shared_data_dir() / "binance/hftbacktest/usdm_btcusdt_20240718.gz";
    if (!fs::exists(file)) {
      if (::rlx::testing::in_ci()) FAIL() << "CI is set but test data is missing: " << file;
      GTEST_SKIP() << "test data not found: " << file;
    }
    source_ = file;
    lines_ = ::rlx::testing::gz_lines(file);
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].find("lastUpdateId") != std::string::npos) snapshot_line_ = i;
      if (lines_[i].find("depthUpdate") != std::string::npos) depth_lines_.push_back(i);
    }
    ASSERT_GT(snapshot_line_, 0u);
  }
  // The index (into lines_) of the n-th depth diff after the snapshot.
  size_t depth_after_snapshot(size_t n) const {
    size_t seen = 0;
    for (size_t i : depth_lines_) {
      if (i > snapshot_line_ && seen++ == n) return i;
    }
    return 0;
  }
  RunResult reconstruct(const std::vector<std::string>& lines,
                        std::vector<std::string> extra = {}) {
    const fs::path input = tmp_.path() / "capture.txt";
    write_lines(input, lines);
    std::vector<std::string> args = {
        "reconstruct", "--input", input.string(), "--out",       (tmp_.path() / "out").string(),
        "--progress",  "never",   "--overwrite",  "--in-process"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_rlx(args);
  }
  std::string report() const { return slurp(tmp_.path() / "out" / "report.json"); }

  ::rlx::testing::TempDir tmp_;
  fs::path source_;
  std::vector<std::string> lines_;
  size_t snapshot_line_ = 0;
  std::vector<size_t> depth_lines_;
};

TEST_F(BinanceBadInput, MalformedJsonLineIsAnErrorNamingFileAndLine) {
  auto lines = lines_;
  const size_t i = depth_after_snapshot(10);
  lines[i] = lines[i].substr(0, lines[i].size() / 2);
  const RunResult r = reconstruct(lines);
  EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput));
  EXPECT_NE(r.err.find("capture.txt:" + std::to_string(i + 1)), std::string::npos) << r.err;
}

TEST_F(BinanceBadInput, MalformedJsonLineUnderQuarantineIsCountedAndTheGapFlagged) {
  auto lines = lines_;
  lines[depth_after_snapshot(10)] =
      "1721347021080842761 {\"stream\":\"btcusdt@depth@0ms\",\"data\":{";
  const RunResult r = reconstruct(lines, {"--on-bad-row", "quarantine"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string rep = report();
  EXPECT_NE(rep.find("\"quarantined_rows\": 1,"), std::string::npos) << rep;
  EXPECT_NE(rep.find("\"gaps\":1,"), std::string::npos) << rep;  // the lost diff breaks pu
}

TEST_F(BinanceBadInput, NegativeEmptyAndNanSizesAndPricesNameTheField) {
  const size_t i = depth_after_snapshot(3);
  const size_t quote = lines_[i].find("\"b\":[[\"") + 7;  // first bid price
  for (const std::string bad : {"-1.5", "", "NaN"}) {
    auto lines = lines_;
    const size_t end = lines[i].find('"', quote);
    lines[i] = lines[i].substr(0, quote) + bad + lines[i].substr(end);
    const RunResult r = reconstruct(lines);
    EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput)) << bad;
    EXPECT_NE(r.err.find("capture.txt:" + std::to_string(i + 1)), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("field '"), std::string::npos) << r.err;
  }
}

TEST_F(BinanceBadInput, MissingDiffIsAGapFlaggedUntilTheNextSnapshot) {
  auto lines = lines_;
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(depth_after_snapshot(20)));
  const RunResult r = reconstruct(lines);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(report().find("\"gaps\":1,"), std::string::npos) << report();
  io::DuckDb db;
  const std::string glob = (tmp_.path() / "out" / "**" / "*.parquet").string();
  io::DuckResult q = db.query(
      "SELECT count(*) FILTER (flags & 1 <> 0), count(*) FILTER (flags & 16 "
      "<> 0 AND event_type = 'BOOK_DELTA') FROM read_parquet('" +
      glob + "')");
  EXPECT_GT(duckdb_value_int64(q.get(), 0, 0), 0);     // the gap message's rows
  EXPECT_GT(duckdb_value_int64(q.get(), 1, 0), 1000);  // everything after it, unsynced
}

TEST_F(BinanceBadInput, DuplicateDiffIsCountedAsStaleAndNotAppliedTwice) {
  auto lines = lines_;
  const size_t i = depth_after_snapshot(20);
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i) + 1, lines[i]);
  const RunResult r = reconstruct(lines);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(report().find("\"stale\":1,"), std::string::npos) << report();
  EXPECT_NE(report().find("\"gaps\":0,"), std::string::npos) << report();
}

TEST_F(BinanceBadInput, SnapshotThatDoesNotBridgeTheBufferedDiffsIsCounted) {
  // Remove every diff between the snapshot's id and the first later one: the first diff kept
  // after the snapshot starts beyond lastUpdateId.
  const auto& lines = lines_;
  std::vector<std::string> kept;
  // Drop the diffs received before the snapshot and the first 30 after it.
  size_t after = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool depth = lines[i].find("depthUpdate") != std::string::npos;
    if (depth && i < snapshot_line_) continue;
    if (depth && i > snapshot_line_ && after++ < 30) continue;
    kept.push_back(lines[i]);
  }
  const RunResult r = reconstruct(kept);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(report().find("\"snapshot_not_bridging\":1,"), std::string::npos) << report();
}

TEST_F(BinanceBadInput, TruncatedGzipIsAnErrorNamingTheFile) {
  std::ifstream in(source_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path cut = tmp_.path() / "cut.gz";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const RunResult r =
      run_rlx({"reconstruct", "--input", cut.string(), "--out", (tmp_.path() / "o").string(),
               "--progress", "never", "--in-process"});
  EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput));
  EXPECT_NE(r.err.find("cut.gz"), std::string::npos) << r.err;
}

// Lake tables written by the test with DuckDB, each broken in one way.
class LakeBadInput : public ::testing::Test {
 protected:
  fs::path table_dir(const std::string& table, const std::string& symbol = "BTCUSDT") {
    const fs::path dir =
        tmp_.path() / "lake" / table / "exchange=binance" / ("symbol=" + symbol) / "dt=2024-08-08";
    fs::create_directories(dir);
    return dir;
  }
  void write_deltas(const std::string& rows_sql, const std::string& symbol = "BTCUSDT") {
    db_.execute("COPY (SELECT * FROM (VALUES " + rows_sql +
                ") t(origin_time, received_time, sequence_number, side_is_bid, price, size)) TO '" +
                (table_dir("book_delta_v2", symbol) / "part-0.parquet").string() +
                "' (FORMAT parquet)");
  }
  RunResult reconstruct() {
    return run_rlx({"reconstruct", "--source", "lake", "--input", (tmp_.path() / "lake").string(),
                    "--out", (tmp_.path() / "out").string(), "--progress", "never",
                    "--in-process"});
  }
  ::rlx::testing::TempDir tmp_;
  io::DuckDb db_;
};

constexpr const char* kGoodRows =
    "(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 100.5::DOUBLE, 1.25::DOUBLE), "
    "(1000, 1001, 5, false, 100.6, 2.0), (2000, 2001, 6, true, 100.5, 0.0)";

TEST_F(LakeBadInput, GoodTableReconstructs) {
  write_deltas(kGoodRows);
  const RunResult r = reconstruct();
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(LakeBadInput, CorruptParquetNamesTheFile) {
  std::ofstream(table_dir("book_delta_v2") / "part-0.parquet") << "PAR1 this is not parquet";
  const RunResult r = reconstruct();
  EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput));
  EXPECT_NE(r.err.find("part-0.parquet"), std::string::npos) << r.err;
}

TEST_F(LakeBadInput, MissingColumnNamesFileAndColumn) {
  db_.execute(
      "COPY (SELECT 1000::BIGINT AS origin_time, 1001::BIGINT AS received_time, "
      "5::BIGINT AS sequence_number, true AS side_is_bid, 1.0::DOUBLE AS size) TO '" +
      (table_dir("book_delta_v2") / "part-0.parquet").string() + "' (FORMAT parquet)");
  const RunResult r = reconstruct();
  EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput));
  EXPECT_NE(r.err.find("part-0.parquet"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("price"), std::string::npos) << r.err;
}

// The real binary, supervised: one symbol's bad data fails that symbol only. Exit code 5, and
// stderr names the symbol, the file, the row and the field; the other symbol is written.
TEST_F(LakeBadInput, SupervisedRunWithABadSymbolExitsFiveAndNamesIt) {
  write_deltas(kGoodRows, "BTCUSDT");
  write_deltas("(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 'NaN'::DOUBLE, 1.0::DOUBLE)",
               "ETHUSDT");
  const fs::path err = tmp_.path() / "stderr.txt";
  const std::string cmd =
      std::string(RLX_BINARY) + " reconstruct --source lake --input " +
      (tmp_.path() / "lake").string() + " --out " + (tmp_.path() / "out").string() +
      " --workers 2 --max-failures 2 --progress never >/dev/null 2>" + err.string();
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), static_cast<int>(cli::ExitCode::kSymbolsFailed));
  const std::string text = slurp(err);
  EXPECT_NE(text.find("binance ETHUSDT failed"), std::string::npos) << text;
  EXPECT_NE(text.find("part-0.parquet:1"), std::string::npos) << text;
  EXPECT_NE(text.find("price"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(tmp_.path() / "out" / "exchange=binance" / "symbol=BTCUSDT"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "out" / "exchange=binance" / "symbol=ETHUSDT"));
  EXPECT_NE(slurp(tmp_.path() / "out" / "report.json").find("\"outcome\": \"failed\""),
            std::string::npos);
}

TEST_F(LakeBadInput, NanNegativeAndUnsortedRowsNameRowAndField) {
  struct Case {
    const char* rows;
    const char* field;
    const char* row;
  };
  const Case cases[] = {
      {"(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 'NaN'::DOUBLE, 1.0::DOUBLE)", "price", ":1"},
      {"(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 100.0::DOUBLE, -1.0::DOUBLE)", "size", ":1"},
      {"(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 1.0::DOUBLE, 1.0::DOUBLE), "
       "(1000, 1002, 4, true, 1.0, 1.0)",
       "sequence_number", ":2"},
      {"(1000::BIGINT, 1001::BIGINT, 5::BIGINT, true, 1.0::DOUBLE, 1.0::DOUBLE), "
       "(1000, 1002, 5, true, 1.0, 1.0)",
       "sequence_number", ":2"},
  };
  for (const Case& c : cases) {
    write_deltas(c.rows);
    const RunResult r = reconstruct();
    EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput)) << c.rows;
    EXPECT_NE(r.err.find(std::string("part-0.parquet") + c.row), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.field), std::string::npos) << r.err;
    fs::remove_all(tmp_.path() / "out");
  }
}

// --progress always draws on stderr what the library hands the command's sink: the bar of a
// reconstruction and validate's stages, each ended by a newline. (Supervised runs cannot be
// driven from here, in-process, as their workers would be this test binary: run_test checks
// that the supervisor's progress reaches the sink.)
TEST(Cli, ProgressAlwaysDrawsTheLibrarysUpdatesOnStderr) {
  RLX_REQUIRE_DATA(capture, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  ::rlx::testing::TempDir tmp;
  const fs::path out = tmp.path() / "out";
  const RunResult r = run_rlx({"reconstruct", "--input", capture.string(), "--out", out.string(),
                               "--progress", "always", "--in-process"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("\rreconstruct ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" rows/s "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.back(), '\n') << r.err;
  const RunResult quiet =
      run_rlx({"reconstruct", "--input", capture.string(), "--out", out.string(), "--overwrite",
               "--progress", "never", "--in-process"});
  ASSERT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  const RunResult v = run_rlx({"validate", "--golden", capture.string(), "--candidate",
                               out.string(), "--out", (tmp.path() / "v").string(), "--no-pdf",
                               "--level", "light", "--progress", "always"});
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_NE(v.err.find("\rvalidate loading golden and candidate"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("\rvalidate PASS, score "), std::string::npos) << v.err;
  EXPECT_EQ(v.err.back(), '\n') << v.err;
}

// `rlx demo --lake-only` generates lake/ and stops: no events/, no run summary.
TEST(Cli, DemoLakeOnlyGeneratesTheLakeAndNoRun) {
  ::rlx::testing::TempDir tmp;
  const fs::path out = tmp.path() / "demo";
  const RunResult r = run_rlx(
      {"demo", "--lake-only", "--minutes", "0.5", "--out", out.string(), "--progress", "never"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("rlx demo: generated "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" rows from "), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "lake" / "book_delta_v2"));
  EXPECT_FALSE(fs::exists(out / "events"));
}

TEST(Cli, UsageErrorsAndMissingInputsHaveTheirExitCodes) {
  ::rlx::testing::TempDir tmp;
  EXPECT_EQ(run_rlx({"reconstruct", "--out", (tmp.path() / "o").string()}).code,
            static_cast<int>(cli::ExitCode::kUsage));
  EXPECT_EQ(run_rlx({"reconstruct", "--source", "csv", "--input", "x", "--out", "y"}).code,
            static_cast<int>(cli::ExitCode::kUsage));
  const RunResult r = run_rlx({"reconstruct", "--input", (tmp.path() / "nope.gz").string(), "--out",
                               (tmp.path() / "o").string(), "--progress", "never"});
  EXPECT_EQ(r.code, static_cast<int>(cli::ExitCode::kBadInput));
  EXPECT_NE(r.err.find("nope.gz"), std::string::npos);
  EXPECT_EQ(run_rlx({"--version"}).code, 0);
}

}  // namespace
}  // namespace rlx::cli

namespace rlx::cli {
namespace {

// `rlx validate` and `rlx calibrate` from the command line: the files they write, exit 0 on a
// passing verdict and 6 on a failing one, exit 2 for a calibration of another configuration.
TEST(ValidateCommand, WritesTheReportsAndExitsByVerdict) {
  RLX_REQUIRE_DATA(capture, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  const fs::path lake = tmp.path() / "lake";
  ASSERT_EQ(run_rlx({"convert", "--input", capture.string(), "--out", lake.string(), "--progress",
                     "never"})
                .code,
            0);
  const fs::path cal = tmp.path() / "calibration.json";
  ASSERT_EQ(run_rlx({"calibrate", "--golden", capture.string(), "--out", cal.string()}).code, 0);
  EXPECT_NE(slurp(cal).find("\"rlx_calibration\": 1"), std::string::npos);

  const fs::path pass = tmp.path() / "pass";
  const RunResult ok =
      run_rlx({"validate", "--golden", capture.string(), "--candidate", lake.string(), "--out",
               pass.string(), "--calibration", cal.string(), "--no-pdf"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  for (const char* f : {"report.json", "metrics.prom", "report.html", "summary.html"}) {
    EXPECT_TRUE(fs::exists(pass / f)) << f;
  }
  EXPECT_FALSE(fs::exists(pass / "summary.pdf"));  // --no-pdf
  EXPECT_NE(slurp(pass / "report.json").find("\"verdict\": \"PASS\""), std::string::npos);
  EXPECT_NE(slurp(pass / "report.json").find("\"source\": \"file\""), std::string::npos);

  // Trades removed from the candidate: the trade gate fails, and so does the run.
  fs::remove_all(lake / "trades");
  const fs::path fail = tmp.path() / "fail";
  const RunResult bad = run_rlx({"validate", "--golden", capture.string(), "--candidate",
                                 lake.string(), "--out", fail.string(), "--no-pdf"});
  EXPECT_EQ(bad.code, static_cast<int>(cli::ExitCode::kVerdictFail)) << bad.err;
  EXPECT_NE(slurp(fail / "report.json").find("\"verdict\": \"FAIL\""), std::string::npos);

  // A calibration made under another configuration is refused.
  const fs::path config = tmp.path() / "config.json";
  std::ofstream(config) << "{\"window_seconds\": 30}";
  const RunResult refused = run_rlx({"validate", "--golden", capture.string(), "--candidate",
                                     lake.string(), "--out", fail.string(), "--config",
                                     config.string(), "--calibration", cal.string(), "--no-pdf"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("window"), std::string::npos) << refused.err;
  // An unknown configuration key is named.
  std::ofstream(config) << "{\"window_secs\": 30}";
  const RunResult unknown =
      run_rlx({"validate", "--golden", capture.string(), "--candidate", lake.string(), "--out",
               fail.string(), "--config", config.string(), "--no-pdf"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("window_secs"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace rlx::cli
