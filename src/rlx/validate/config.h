// What a validation run is configured with (--config FILE, JSON; docs/VALIDATE.md lists every
// key). The configuration's hash goes into every calibration and report: a calibration made
// under another configuration is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "rlx/core/name_table.h"
#include "rlx/features/features.h"

namespace rlx::validate {

enum class Level : uint8_t {
  kLight,          // tier 1 and the paired and integrity metrics
  kStandard,       // and tier 2
  kComprehensive,  // and tier 3 (not computed yet: the report says so)
};
inline constexpr NameTable<Level, 3> kLevelNames = {{{"light", Level::kLight},
                                                     {"standard", Level::kStandard},
                                                     {"comprehensive", Level::kComprehensive}}};
inline const char* level_name(Level level) {  // the table's names end in a NUL
  return name_of(kLevelNames, level).data();
}

struct MetricOverride {
  std::optional<bool> enabled;
  std::optional<double> weight;
  std::optional<double> tolerance;  // kAbsolute metrics
};

struct ValidateConfig {
  int64_t window_ns = 60'000'000'000;  // noise-floor metrics are measured per window this long
  double floor_quantile = 0.95;        // tau = this quantile of golden-against-golden S
  double min_score = 0.9;              // an overall score below it fails the run
  uint64_t seed = 1;                   // for statistics that draw
  features::Units units;               // zero: inferred from each side's first snapshot
  std::map<std::string, MetricOverride> metrics;  // by metric id

  // Reads a JSON file; Error(kInvalidArgument) naming the key on an unknown key, a bad value or an
  // unknown metric id.
  static ValidateConfig load(const std::filesystem::path& path);
  // Every setting above, in a fixed order (what the hash covers).
  std::string canonical_json() const;
  std::string hash() const;  // XXH3-64 of canonical_json(), 16 hex digits
};

}  // namespace rlx::validate
