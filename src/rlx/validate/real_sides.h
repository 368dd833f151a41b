// Tests: real sides for rlx validate. A fixture that converts a real capture to Lake tables
// once per suite, degrades copies of them with SQL, and loads golden and candidate sides as
// `rlx validate` does.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "rlx/core/progress.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/validate/validate.h"

namespace rlx::validate {

namespace fs = std::filesystem;
inline constexpr const char* kCapture = "binance/hftbacktest/usdm_btcusdt_20240808.gz";

// The capture's Lake tables (100 ms `book` rows, as Lake keeps them), converted once.
class ValidateReal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() /
                         ("rlx_validate_test_" + std::to_string(::getpid())));
    fs::remove_all(*root_);
    fs::create_directories(*root_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }

  // The capture converted to Lake tables with `book` rows every `interval_ms`.
  static fs::path lake(const fs::path& capture, int64_t interval_ms) {
    const fs::path out = *root_ / ("lake_" + std::to_string(interval_ms));
    if (fs::exists(out)) return out;
    pipeline::ConvertOptions o;
    o.inputs = {capture};
    o.out_dir = out;
    o.snapshot_interval_ns = interval_ms * 1'000'000;
    o.progress = ProgressMode::kNever;
    pipeline::convert_to_lake(o);
    return out;
  }

  // A copy of a Lake root whose `table` files are rewritten by `select` (@ is the file).
  static fs::path degrade(const fs::path& src, const std::string& name, const std::string& table,
                          const std::string& select) {
    const fs::path dst = *root_ / name;
    fs::remove_all(dst);
    fs::copy(src, dst, fs::copy_options::recursive);
    io::DuckDb db;
    for (const auto& e : fs::recursive_directory_iterator(src / table)) {
      if (e.path().extension() != ".parquet") continue;
      std::string q = select;
      const std::string file =
          "read_parquet(" + io::sql_quote(e.path().string()) + ", hive_partitioning=false)";
      q.replace(q.find('@'), 1, file);
      db.execute("COPY (" + q + ") TO " +
                 io::sql_quote((dst / fs::relative(e.path(), src)).string()) + " (FORMAT parquet)");
    }
    return dst;
  }

  static LoadedSide golden(const fs::path& capture, const ValidateConfig& config = {}) {
    LoadOptions o;
    o.features = feature_options(config);
    o.features.probe_snapshots = true;
    return load_side(SideInput{InputKind::kAuto, {capture}}, o);
  }
  static LoadedSide candidate(const fs::path& path, const LoadedSide& g,
                              const ValidateConfig& config = {}) {
    LoadOptions o;
    o.symbol = g.symbol;
    o.features = feature_options(config);
    o.features.probe_at = std::make_shared<features::ProbeFeed>(g.features.probes.time_ns);
    return load_side(SideInput{InputKind::kAuto, {path}}, o);
  }

  // Metric ids by status, return_60s left out (not measurable in 60 s windows by design).
  static std::set<std::string> with_status(const Report& r, std::set<Status> statuses) {
    std::set<std::string> out;
    for (const MetricResult& m : r.metrics) {
      if (statuses.count(m.status) > 0 && m.metric->id.find("return_60s") == std::string::npos) {
        out.insert(m.metric->id);
      }
    }
    return out;
  }
  static std::set<std::string> failing(const Report& r) {
    return with_status(r, {Status::kFail, Status::kWarn});
  }

  static inline fs::path* root_ = nullptr;
};

}  // namespace rlx::validate
