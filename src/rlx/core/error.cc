#include "rlx/core/error.h"

namespace rlx {

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

}  // namespace rlx
