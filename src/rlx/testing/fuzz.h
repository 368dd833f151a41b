// Helpers for the libFuzzer targets (*_fuzz.cc, built by RLX_BUILD_FUZZERS, run by scripts/fuzz).
// An invariant that fails aborts, so libFuzzer keeps the input as a crash like any sanitizer
// report.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define RLX_FUZZ_CHECK(cond)                                                            \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

namespace rlx::testing {

// Whether `part` is empty or lies inside `whole` (a view a splitter returned into its input).
inline bool within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  const auto p = reinterpret_cast<uintptr_t>(part.data());
  const auto w = reinterpret_cast<uintptr_t>(whole.data());
  return p >= w && p + part.size() <= w + whole.size();
}

}  // namespace rlx::testing
