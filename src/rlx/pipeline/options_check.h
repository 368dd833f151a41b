// The domain of every option, in one place: the command line parses each value against its
// domain here, and reconstruct() / supervise() check the whole set again before any work starts,
// so a library caller gets the same answer. Every refusal is Error(kInvalidArgument) worded in the
// user's terms (the command-line flag, its unit, the range, the value given).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/pipeline/reconstruct.h"

namespace rlx::pipeline {

struct SupervisorOptions;

// A whole-number option: [min, max] in `unit`s.
struct WholeDomain {
  std::string_view flag;
  std::string_view unit;
  int64_t min;
  int64_t max;
};

// A decimal option (finite only: NaN and infinity are refused).
struct DecimalDomain {
  std::string_view flag;
  std::string_view unit;
  double min;
  double max;
};

// reconstruct
inline constexpr WholeDomain kTopN{"--top-n", "levels", 0, 50};
inline constexpr WholeDomain kRowsPerFile{"--rows-per-file", "rows", 1, 1'000'000'000'000};
// A batch is held in memory, and read ahead by the replayer: bounded so a typo cannot ask for
// terabytes.
inline constexpr WholeDomain kBatchSize{"--batch-size", "messages", 1, 1'000'000};
inline constexpr WholeDomain kFsyncIntervalMs{"--fsync-interval-ms", "milliseconds", 1, 3'600'000};
inline constexpr WholeDomain kKeepCheckpoints{"--keep-checkpoints", "checkpoints", 1, 1000};
inline constexpr WholeDomain kCheckpointBatches{"--checkpoint-batches", "batches", 0,
                                                1'000'000'000'000};
inline constexpr WholeDomain kCheckpointSeconds{"--checkpoint-seconds", "seconds", 0, 366 * 86'400};
// Each running worker holds a few of the supervisor's file descriptors.
inline constexpr WholeDomain kWorkers{"--workers", "processes", 0, 256};
inline constexpr WholeDomain kQueueSize{"--queue-size", "messages", 1, 1'000'000};
inline constexpr WholeDomain kMaxFailures{"--max-failures", "failures", 1, 100};
// The upper bound is this machine's core count (checked in check_supervisor_options).
inline constexpr WholeDomain kCoresPerWorker{"--cores-per-worker", "cores", 0, 1024};
inline constexpr DecimalDomain kWorkerTimeout{"--worker-timeout", "seconds", 1, 7 * 86'400};
// convert
inline constexpr WholeDomain kSnapshotIntervalMs{"--snapshot-interval-ms", "milliseconds", 1,
                                                 86'400'000};
// demo
inline constexpr WholeDomain kSeed{"--seed", "", 0, INT64_MAX};
inline constexpr DecimalDomain kDemoMinutes{"--minutes", "minutes", 0.1, 1440};
// sql
inline constexpr WholeDomain kMaxRows{"--max-rows", "rows", 0, 10'000'000};
// capture
inline constexpr DecimalDomain kCaptureDuration{"--duration", "seconds", 0.001, 366 * 86'400};
inline constexpr WholeDomain kFlushIntervalMs{"--flush-interval-ms", "milliseconds", 1, 3'600'000};
inline constexpr WholeDomain kRotateMb{"--rotate-mb", "MiB", 1, 1'000'000};
inline constexpr WholeDomain kRotateMinutes{"--rotate-minutes", "minutes", 1, 7 * 1440};
inline constexpr WholeDomain kSnapshotLimit{"--snapshot-limit", "levels", 0, 5000};
inline constexpr WholeDomain kMaxStreams{"--max-streams-per-connection", "streams", 0, 1024};
inline constexpr DecimalDomain kRolloverHours{"--rollover-hours", "hours", 0.0001, 24};
// exchange
inline constexpr DecimalDomain kSpeed{"--speed", "times the recorded pace", 0, 1'000'000};
inline constexpr WholeDomain kPort{"--port", "", 0, 65535};
inline constexpr WholeDomain kMetricsPort{"--metrics-port", "", 0, 65535};
inline constexpr WholeDomain kMaxFrames{"--max-frames", "frames", 0, 1'000'000'000'000};
inline constexpr DecimalDomain kServeSeconds{"--duration", "seconds", 0.001, 366 * 86'400};

// Parses `text` as a value of the domain; false with *error set ("--batch-size must be a whole
// number of messages from 1 to 1000000, not '0'") when it is not one.
bool parse_in(const WholeDomain& d, std::string_view text, int64_t* out, std::string* error);
bool parse_in(const DecimalDomain& d, std::string_view text, double* out, std::string* error);

// Whether `text` is a calendar date YYYY-MM-DD.
bool valid_date(std::string_view text);

// Throws Error(kInvalidArgument) when an option is outside its domain, when --date-from/--date-to
// or
// --symbols cannot mean anything, when an input is given twice (the same file, or a file inside a
// folder also given), or when --out lies inside an input or an input inside --out (the output
// would be read back, or --overwrite would delete an input). A missing input stays bad input
// (kBadInput), as when a reader opens it.
void check_reconstruct_options(const ReconstructOptions& options);
// The input and output part of the above (also `rlx convert`'s).
void check_paths(const std::vector<std::filesystem::path>& inputs,
                 const std::filesystem::path& out_dir);
void check_supervisor_options(const SupervisorOptions& options);

}  // namespace rlx::pipeline
