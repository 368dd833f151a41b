// Files in tests: a file's bytes, and an output's Parquet parts (and manifest) by path, for
// byte-for-byte comparisons of two runs.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace rlx::testing {

// The whole file (empty when it cannot be opened).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every .parquet file under `out` (and manifest.json when asked), by path relative to it.
inline std::map<std::string, std::string> output_files(const std::filesystem::path& out,
                                                       bool with_manifest = true) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(out)) {
    const std::string rel = std::filesystem::relative(e.path(), out).string();
    if (e.is_regular_file() &&
        (e.path().extension() == ".parquet" || (with_manifest && rel == "manifest.json"))) {
      files[rel] = slurp(e.path());
    }
  }
  return files;
}

}  // namespace rlx::testing
