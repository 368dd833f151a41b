// Process exit codes, documented in docs/CLI.md. Only the command line knows them: the libraries
// report a StatusCode, mapped here.
#pragma once

#include <cstdint>

#include "rlx/core/status.h"

namespace rlx::cli {

enum class ExitCode : int32_t {
  kOk = 0,
  kFailure = 1,        // internal error or a bug
  kUsage = 2,          // bad command line
  kBadInput = 3,       // input data that cannot be read or trusted (names file, row, field)
  kIo = 4,             // output cannot be written (disk full, permissions)
  kSymbolsFailed = 5,  // supervised run: some symbols failed (named in report.json); the rest
                       // finished
  kVerdictFail = 6,    // rlx validate: the verdict is FAIL (report.json says why)
  kInterrupted = 130,
};

constexpr ExitCode exit_code(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return ExitCode::kOk;
    case StatusCode::kInternal:
      return ExitCode::kFailure;
    case StatusCode::kInvalidArgument:
      return ExitCode::kUsage;
    case StatusCode::kBadInput:
      return ExitCode::kBadInput;
    case StatusCode::kIo:
      return ExitCode::kIo;
    case StatusCode::kInterrupted:
      return ExitCode::kInterrupted;
  }
  return ExitCode::kFailure;
}

// `rlx run-shard`'s exit codes: the shard contract of docs/SHARDS.md, from sysexits.h, which a
// cluster's scheduler acts on (Slurm's RequeueExit=75 retries a shard).
enum class ShardExit : int32_t {
  kDone = 0,
  kUsage = 64,     // EX_USAGE: bad command line, no such plan or shard
  kBadData = 65,   // EX_DATAERR: input that cannot be read or trusted, a damaged plan: no retry
  kSoftware = 70,  // EX_SOFTWARE: internal error
  kIo = 74,        // EX_IOERR: the output cannot be written
  kRetry = 75,     // EX_TEMPFAIL: the shard it continues is not done, or SIGTERM: retry later
};

constexpr ShardExit shard_exit_code(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return ShardExit::kDone;
    case StatusCode::kInternal:
      return ShardExit::kSoftware;
    case StatusCode::kInvalidArgument:
      return ShardExit::kUsage;
    case StatusCode::kBadInput:
      return ShardExit::kBadData;
    case StatusCode::kIo:
      return ShardExit::kIo;
    case StatusCode::kInterrupted:
      return ShardExit::kRetry;
  }
  return ShardExit::kSoftware;
}

}  // namespace rlx::cli
