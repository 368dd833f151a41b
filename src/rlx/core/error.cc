#include "rlx/core/error.h"

#include <exception>
#include <filesystem>

namespace rlx {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kBadInput:
      return "bad_input";
    case StatusCode::kIo:
      return "io";
    case StatusCode::kInterrupted:
      return "interrupted";
  }
  return "internal";
}

std::string Error::format(const Location& where, const std::string& what) {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.row != 0) out.append(":").append(std::to_string(where.row));
    out.append(": ");
  } else if (where.row != 0) {
    out.append("row ").append(std::to_string(where.row)).append(": ");
  }
  if (!where.field.empty()) out.append("field '").append(where.field).append("': ");
  out += what;
  return out;
}

Status status_from_exception() {
  try {
    throw;
  } catch (const Error& e) {
    return e.status();
  } catch (const std::filesystem::filesystem_error& e) {
    Location where;
    where.file = e.path1().string();
    return Status(StatusCode::kIo, e.what(), std::move(where));
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    return Status(StatusCode::kInternal, "internal error: unknown exception");
  }
}

}  // namespace rlx
