#include "rlx/python/errors.h"

namespace py = pybind11;

namespace rlx::python {
namespace {

// The type object lives as long as the interpreter; Python's C API has no other place for an
// extension's exception type that C++ code raises.
PyObject* error_type = nullptr;

}  // namespace

void add_error_type(py::module_& module) {
  if (error_type == nullptr) {
    error_type = PyErr_NewExceptionWithDoc(
        "rlx.Error",
        "An rlx failure: code ('bad_input', 'invalid_argument', 'io', 'interrupted', "
        "'internal'), and where it happened: file, row (1-based) and field, each None when "
        "unknown.",
        PyExc_RuntimeError, nullptr);
  }
  module.attr("Error") = py::reinterpret_borrow<py::object>(error_type);
}

void raise(const Status& status) {
  py::object error = py::reinterpret_borrow<py::object>(error_type)(status.message());
  const Location& at = status.where();
  error.attr("code") = status_code_name(status.code());
  error.attr("file") = at.file.empty() ? py::object(py::none()) : py::object(py::str(at.file));
  error.attr("row") = at.row == 0 ? py::object(py::none()) : py::object(py::int_(at.row));
  error.attr("field") = at.field.empty() ? py::object(py::none()) : py::object(py::str(at.field));
  PyErr_SetObject(error_type, error.ptr());
  throw py::error_already_set();
}

}  // namespace rlx::python
