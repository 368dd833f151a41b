// The _rlx extension module: the C++ API (rlx/api) for rlx/__init__.py. Statuses become
// rlx.Error exceptions carrying code, file, row and field.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rlx/api/reader.h"
#include "rlx/core/error.h"
#include "rlx/python/errors.h"
#include "rlx/python/numpy_columns.h"

namespace py = pybind11;

namespace rlx::python {

void bind_env(py::module_& m);  // env_bindings.cc
void bind_run(py::module_& m);  // run_bindings.cc

namespace {

const char* type_name(ColumnType t) {
  switch (t) {
    case ColumnType::kString:
      return "string";
    case ColumnType::kInt64:
      return "int64";
    case ColumnType::kUInt32:
      return "uint32";
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kDecimal:
      return "decimal";
    case ColumnType::kDate:
      return "date";
  }
  return "?";
}

class PyReader {
 public:
  PyReader(const std::string& out_dir, std::vector<std::string> symbols,
           std::optional<int64_t> start_ns, std::optional<int64_t> end_ns,
           std::vector<std::string> columns, uint32_t batch_rows, int32_t threads) {
    ReadOptions o;
    o.symbols = std::move(symbols);
    o.start_ns = start_ns;
    o.end_ns = end_ns;
    o.columns = std::move(columns);
    o.batch_rows = batch_rows;
    o.threads = threads;
    Status s;
    {
      py::gil_scoped_release release;
      s = OutputReader::open(out_dir, o, &reader_);
    }
    check(s);
  }

  py::list schema() const {
    py::list out;
    for (const Column& c : reader_->schema()) out.append(py::make_tuple(c.name, type_name(c.type)));
    return out;
  }

  // The next batch as {name: (values, mask)} and its scales {name: scale}, or None at the end.
  py::object next(const std::string& decimals, const py::dict& scales) {
    ColumnBatch batch;
    Status s;
    {
      py::gil_scoped_release release;
      s = reader_->next(&batch);
    }
    check(s);
    if (batch.rows == 0) return py::none();
    return convert(batch, decimals, scales);
  }

  // Every remaining row in one batch; scales may be "auto".
  py::object read_all(const std::string& decimals, const py::object& scales) {
    ColumnBatch all;
    Status s;
    {
      py::gil_scoped_release release;
      try {
        while (true) {
          ColumnBatch b;
          s = reader_->next(&b);
          if (!s.ok() || b.rows == 0) break;
          s = all.append(std::move(b));
          if (!s.ok()) break;
        }
      } catch (...) {
        s = status_from_exception();
      }
    }
    check(s);
    if (all.columns.empty()) all.columns = reader_->schema();
    py::dict resolved;
    if (py::isinstance<py::str>(scales)) {
      std::vector<int32_t> a;
      {
        py::gil_scoped_release release;
        a = auto_scales(all.columns);
      }
      for (size_t c = 0; c < all.columns.size(); ++c) {
        if (all.columns[c].type == ColumnType::kDecimal)
          resolved[py::str(all.columns[c].name)] = a[c];
      }
    } else {
      resolved = scales;
    }
    return convert(all, decimals, resolved);
  }

 private:
  static py::object convert(ColumnBatch& batch, const std::string& decimals,
                            const py::dict& scales) {
    try {
      const DecimalMode mode = parse_name_or_throw(kDecimalModeNames, decimals, "decimals");
      py::dict columns;
      py::dict used;
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        const std::string name = batch.columns[c].name;
        int32_t scale = 0;
        if (batch.columns[c].type == ColumnType::kDecimal && mode == DecimalMode::kTicks) {
          if (!scales.contains(name)) {
            throw Error(StatusCode::kInvalidArgument, "no scale given for column '" + name + "'");
          }
          scale = scales[py::str(name)].cast<int32_t>();
          if (scale < 0 || scale > 18) {
            throw Error(StatusCode::kInvalidArgument, "scale for '" + name + "' must be 0-18");
          }
          used[py::str(name)] = scale;
        }
        columns[py::str(name)] = to_numpy(batch, c, mode, scale);
      }
      return py::make_tuple(columns, used, batch.rows);
    } catch (const Error& e) {
      raise(e.status());
    }
  }

  std::unique_ptr<OutputReader> reader_;
};

}  // namespace
}  // namespace rlx::python

PYBIND11_MODULE(_rlx, m) {
  using rlx::python::PyReader;
  m.doc() = "rlx's C++ library (rlx/api); use the rlx package, not this module";
  rlx::python::add_error_type(m);
  rlx::python::bind_env(m);
  rlx::python::bind_run(m);
  py::class_<PyReader>(m, "Reader")
      .def(py::init<const std::string&, std::vector<std::string>, std::optional<int64_t>,
                    std::optional<int64_t>, std::vector<std::string>, uint32_t, int32_t>(),
           py::arg("out_dir"), py::arg("symbols"), py::arg("start_ns"), py::arg("end_ns"),
           py::arg("columns"), py::arg("batch_rows"), py::arg("threads"))
      .def("schema", &PyReader::schema)
      .def("next", &PyReader::next, py::arg("decimals"), py::arg("scales"))
      .def("read_all", &PyReader::read_all, py::arg("decimals"), py::arg("scales"));
}
