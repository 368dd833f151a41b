// The exception the libraries throw for what ends an operation: a Status (code, message, where).
// Public entry points (rlx/api) turn it back into a Status with status_from_exception().
#pragma once

#include <stdexcept>
#include <string>

#include "rlx/core/status.h"

namespace rlx {

class Error : public std::runtime_error {
 public:
  Error(StatusCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Error(StatusCode code, const Location& where, const std::string& what)
      : std::runtime_error(format(where, what)), code_(code), where_(where) {}

  StatusCode code() const { return code_; }
  const Location& where() const { return where_; }
  Status status() const { return Status(code_, what(), where_); }

  // "FILE:ROW: field 'F': WHAT", leaving out the parts that are unknown.
  static std::string format(const Location& where, const std::string& what);

 private:
  StatusCode code_;
  Location where_;
};

// Input data that cannot be trusted.
inline Error bad_input(const Location& where, const std::string& what) {
  return Error(StatusCode::kBadInput, where, what);
}

// Inside a catch block: the Status of the exception being handled. rlx::Error keeps its code;
// a filesystem error is kIo; anything else is kInternal.
Status status_from_exception();

}  // namespace rlx
