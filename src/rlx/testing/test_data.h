// Locating the real captures in ../shared/data for tests. Without them a test is skipped on a
// developer machine, but fails loudly when CI is set: CI must never go green without real data.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "rlx/testing/shared_data.h"

namespace rlx::testing {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "0" && std::string(ci) != "false";
}

// Path of a file under the shared data dir; skips (or fails under CI) the test when absent.
#define RLX_REQUIRE_DATA(var, relative)                                                   \
  const std::filesystem::path var = ::rlx::testing::shared_data_dir() / (relative);       \
  if (!std::filesystem::exists(var)) {                                                    \
    if (::rlx::testing::in_ci()) FAIL() << "CI is set but test data is missing: " << var; \
    GTEST_SKIP() << "test data not found: " << var;                                       \
  }

// The path of a Debian tool the bootstrap installs; skips the test (fails it under CI) when it
// is missing.
#define RLX_REQUIRE_TOOL(var, path)                                                     \
  const std::string var = (path);                                                       \
  if (!std::filesystem::exists(var)) {                                                  \
    if (::rlx::testing::in_ci()) FAIL() << var << " is missing: run scripts/bootstrap"; \
    GTEST_SKIP() << var << " not installed";                                            \
  }

// A fresh, empty directory under the build tree's temp area, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "rlx";
    path_ = std::filesystem::temp_directory_path() /
            ("rlx_test_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace rlx::testing
