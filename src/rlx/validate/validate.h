// The verdict engine of `rlx validate` and `rlx calibrate` (../shared/FIDELITY.md §3):
// noise floors measured between disjoint golden windows, every metric's effect size judged by
// its rule, hard gates, scores by category, and the ranked failures with their causes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/validate/config.h"
#include "rlx/validate/metric.h"
#include "rlx/validate/side.h"

namespace rlx::validate {

// The noise floor of each noise-floor metric, for one symbol, window length and configuration,
// frozen in a versioned file with its inputs' hashes.
struct Calibration {
  static constexpr int32_t kVersion = 1;
  std::string exchange;
  std::string symbol;
  int64_t window_ns = 0;
  std::string config_hash;
  std::vector<InputHash> inputs;
  uint32_t windows = 0;  // clean golden windows
  uint32_t pairs = 0;    // window pairs measured
  struct Floor {
    std::string id;
    double tau = 0;  // NaN: no pair gave a value
    uint32_t samples = 0;
  };
  std::vector<Floor> floors;  // registry order

  std::string to_json() const;
  // Error(kInvalidArgument) naming the file for a file that is not a calibration of this version.
  static Calibration load(const std::filesystem::path& path);
  std::string hash() const;  // of to_json()
  const Floor* floor(std::string_view id) const;
};

// Measures the floors on `golden`: S between pairs of its clean windows (all pairs up to 12
// windows, else consecutive ones), tau = the configured quantile. Error(kBadInput) with fewer
// than three clean windows.
Calibration calibrate(const LoadedSide& golden, const ValidateConfig& config);

enum class Status : uint8_t { kPass, kWarn, kFail, kSkip };
const char* status_name(Status s);  // "PASS", "WARN", "FAIL", "SKIP"

struct MetricResult {
  const Metric* metric = nullptr;
  Measurement measurement;  // S over the whole overlap, or the median over windows
  double threshold = 0;     // tau, or the absolute tolerance (NaN: none)
  double weight = 0;
  Status status = Status::kSkip;
  uint32_t windows = 0;                                          // windows behind a noise-floor S
  double p_adjusted = std::numeric_limits<double>::quiet_NaN();  // Benjamini-Hochberg
  std::string why_skipped;
};

struct CategoryScore {
  Category category;
  double score = 0;  // weighted share: PASS 1, WARN 1/2, FAIL 0; NaN when nothing was measured
  uint32_t pass = 0, warn = 0, fail = 0, skip = 0;
};

struct Report {
  Status verdict = Status::kSkip;    // PASS, WARN or FAIL
  std::vector<std::string> reasons;  // why the verdict is what it is
  double score = 0;
  std::vector<CategoryScore> categories;
  bool paired = false;
  Level level = Level::kStandard;
  int64_t window_ns = 0;
  uint32_t windows_compared = 0;
  uint32_t golden_clean_windows = 0;
  std::vector<MetricResult> metrics;    // registry order
  std::vector<size_t> ranked_failures;  // indices into metrics: gates, FAIL, WARN; worst first
  std::string config_json;
  std::string config_hash;
  std::string calibration_source;  // "file" or "golden" (measured in this run)
  std::string calibration_hash;
  std::vector<std::string> notes;  // regime, what was not measured
};

// Judges `candidate` against `golden`. `calibration` null: floors are measured on the golden
// side now (its clean windows). Error(kInvalidArgument) for a calibration of another symbol, window
// or configuration.
Report judge(const LoadedSide& golden, const LoadedSide& candidate, const ValidateConfig& config,
             Level level, const Calibration* calibration);

// The feature options both sides are loaded with under `config` (grid set, stream window,
// units). The golden side also probes its snapshots; pass its probe times to the candidate's.
features::FeatureOptions feature_options(const ValidateConfig& config);
// How a side is loaded under `config`: its feature options, the symbol, bad rows, and whether
// an rlx output's parts are read even where thin copies exist.
LoadOptions load_options(const ValidateConfig& config, const std::string& symbol,
                         io::BadRowPolicy on_bad_row, bool read_parts);

// report.json (docs/VALIDATE.md: schema rlx.validate.report, version 1). Deterministic.
std::string report_json(const Report& report, const LoadedSide& golden,
                        const LoadedSide& candidate);
// metrics.prom: Prometheus text of the verdict, scores and every metric.
std::string report_prometheus(const Report& report, const LoadedSide& golden);

}  // namespace rlx::validate
