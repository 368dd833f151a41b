// The run directory's own state, under <out>/.rlx/: run.json (the options and the identity of
// every input, so a resumed run does exactly what the first one started), the WAL, the
// checkpoints, and a `done` marker once manifest.json and report.json are final.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/pipeline/reconstruct.h"

namespace rlx::pipeline {

inline constexpr const char* kStateDir = ".rlx";
inline constexpr const char* kRunFile = "run.json";  // the run's options (write_run_file)
// A supervised run's worker writes its ReconstructSummary here (report.h serialize_summary).
inline constexpr const char* kResultFile = "result.bin";

// What identifies an input file cheaply but firmly: size, modification time, and XXH3-64 of its
// first and last MiB. A resumed run refuses inputs that changed since the run started.
struct InputIdentity {
  std::string path;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t head_tail_xxh3 = 0;
  bool is_directory = false;  // Lake roots: identified by the sorted list of their files
};

InputIdentity identify_input(const std::filesystem::path& path);

enum class RunStatus : uint8_t { kNone = 0, kUnfinished = 1, kDone = 2 };
// The state folder of a run: options.state_dir, or <out_dir>/.rlx.
std::filesystem::path state_dir_of(const ReconstructOptions& options);

RunStatus run_status(const std::filesystem::path& state_dir);

// Writes run.json into state_dir_of(options) atomically.
void write_run_file(const ReconstructOptions& options);
// Reads the options back (out_dir set to `out_dir`) and checks every input against its
// recorded identity: a change is Error(kBadInput) naming the input.
ReconstructOptions read_run_file(const std::filesystem::path& state_dir,
                                 const std::filesystem::path& out_dir);
// Marks the run finished (after manifest.json and report.json).
void mark_done(const std::filesystem::path& state_dir);

}  // namespace rlx::pipeline
