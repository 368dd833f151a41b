// Where the real captures are: $RLX_DATA_DIR, or ../shared/data beside the source tree. For
// tests (test_data.h adds the skip-or-fail rule) and benchmarks.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace rlx::testing {

inline std::filesystem::path shared_data_dir() {
  if (const char* env = std::getenv("RLX_DATA_DIR")) return env;
  return std::filesystem::path(RLX_SOURCE_DIR).parent_path() / "shared" / "data";
}

}  // namespace rlx::testing
