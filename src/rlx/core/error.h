// Errors that carry where they happened (file, row, field) and which exit code they map to.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace rlx {

// Process exit codes, documented in docs/CLI.md.
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

struct Location {
  std::string file;
  uint64_t row = 0;  // 1-based line or row number; 0 when not row-specific
  std::string field;
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Error(ExitCode code, const Location& where, const std::string& what)
      : std::runtime_error(format(where, what)), code_(code), where_(where) {}

  ExitCode code() const { return code_; }
  const Location& where() const { return where_; }

  // "FILE:ROW: field 'F': WHAT", leaving out the parts that are unknown.
  static std::string format(const Location& where, const std::string& what);

 private:
  ExitCode code_;
  Location where_;
};

// Input data that cannot be trusted.
inline Error bad_input(const Location& where, const std::string& what) {
  return Error(ExitCode::kBadInput, where, what);
}

}  // namespace rlx
