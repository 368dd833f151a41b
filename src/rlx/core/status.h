// What went wrong, as the library reports it: a category, a message, and where (file, row,
// field). The command line maps a category to its exit code (cli/exit_code.h); nothing below
// the command line knows about exit codes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace rlx {

// The numbers equal the command line's exit codes for the same outcome, so a worker process can
// pass its code to the supervisor as one integer; code that needs the exit code maps it anyway.
enum class StatusCode : int32_t {
  kOk = 0,
  kInternal = 1,         // a bug or an unexpected failure
  kInvalidArgument = 2,  // options that cannot work together, a missing or existing path
  kBadInput = 3,         // input data that cannot be read or trusted (names file, row, field)
  kIo = 4,               // output cannot be written (disk full, permissions)
  kInterrupted = 130,    // stopped on request; the work done so far is kept and resumable
};

// "ok", "internal", "invalid_argument", "bad_input", "io", "interrupted".
const char* status_code_name(StatusCode code);

struct Location {
  std::string file;
  uint64_t row = 0;  // 1-based line or row number; 0 when not row-specific
  std::string field;
};

// The result of a library call that returns no value: ok, or a code, a message and where.
class Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message, Location where = {})
      : code_(code), message_(std::move(message)), where_(std::move(where)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The whole message, "FILE:ROW: field 'F': WHAT" with the known parts of where().
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Location where_;
};

}  // namespace rlx
