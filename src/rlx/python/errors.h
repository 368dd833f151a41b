// rlx.Error: how a Status reaches Python (code, file, row, field as attributes).
#pragma once

#include <pybind11/pybind11.h>

#include "rlx/core/error.h"
#include "rlx/core/status.h"

namespace rlx::python {

// Creates rlx.Error once, when the module is imported, and adds it to `module`.
void add_error_type(pybind11::module_& module);
// Raises rlx.Error for `status` (not ok).
[[noreturn]] void raise(const Status& status);
inline void check(const Status& status) {
  if (!status.ok()) raise(status);
}
// Runs `fn`, turning an rlx::Error (or any exception) into rlx.Error.
template <class Fn>
auto guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const pybind11::error_already_set&) {
    throw;
  } catch (...) {
    raise(status_from_exception());
  }
}

}  // namespace rlx::python
