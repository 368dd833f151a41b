#pragma once

namespace rlx {

// The project version from CMakeLists.txt (project(rlx VERSION ...)), the one source of truth.
inline constexpr const char* kVersion = RLX_VERSION;

}  // namespace rlx
