// _rlx.reconstruct: rlx/api/run.h for rlx/_run.py, with logs handed to a Python callable.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <string>
#include <vector>

#include "rlx/api/run.h"
#include "rlx/python/errors.h"

namespace py = pybind11;

namespace rlx::python {
namespace {

// Log lines to `callback(level_name, line)`, under the GIL (lines may come from rlx's threads).
class CallbackSink : public LogSink {
 public:
  explicit CallbackSink(py::object callback) : callback_(std::move(callback)) {}
  void write(LogLevel level, std::string_view line) override {
    static constexpr const char* kNames[] = {"debug", "info", "warn", "error", "off"};
    py::gil_scoped_acquire acquire;
    try {
      callback_(kNames[static_cast<int>(level)], py::str(line.data(), line.size()));
    } catch (const py::error_already_set&) {
      // A failing log callback must not stop the run; Python prints the error.
      PyErr_WriteUnraisable(callback_.ptr());
    }
  }

 private:
  py::object callback_;
};

Log log_for(const std::string& level, CallbackSink* sink) {
  LogLevel l = LogLevel::kWarn;
  if (!parse_log_level(level, &l)) {
    raise(Status(StatusCode::kInvalidArgument,
                 "log_level must be debug, info, warn, error or off, not '" + level + "'"));
  }
  return Log(l, LogFormat::kText, sink);
}

py::dict reconstruct(ReconstructRequest request, const std::string& log_level, py::object log) {
  CallbackSink sink(std::move(log));
  request.log = log_for(log_level, &sink);
  ReconstructResult result;
  Status s;
  {
    py::gil_scoped_release release;
    s = rlx::reconstruct(request, &result);
  }
  check(s);
  py::list symbols;
  for (const SymbolResult& y : result.symbols) {
    py::dict d;
    d["exchange"] = y.exchange;
    d["symbol"] = y.symbol;
    d["rows"] = y.rows;
    d["files"] = y.files;
    d["gaps"] = y.gaps;
    d["resyncs"] = y.resyncs;
    symbols.append(d);
  }
  py::dict out;
  out["messages"] = result.messages;
  out["rows"] = result.rows;
  out["quarantined"] = result.quarantined;
  out["seconds"] = result.seconds;
  out["symbols"] = symbols;
  return out;
}

}  // namespace

void bind_run(py::module_& m) {
  m.def(
      "reconstruct",
      [](const std::string& source, const std::vector<std::string>& inputs,
         const std::string& out_dir, const std::vector<std::string>& symbols,
         const std::string& date_from, const std::string& date_to, int32_t top_n,
         uint64_t rows_per_file, const std::string& on_bad_row, bool overwrite, bool validate,
         const std::string& log_level, py::object log) {
        ReconstructRequest r;
        r.source = source;
        r.inputs.assign(inputs.begin(), inputs.end());
        r.out_dir = out_dir;
        r.symbols = symbols;
        r.date_from = date_from;
        r.date_to = date_to;
        r.top_n = top_n;
        r.rows_per_file = rows_per_file;
        r.on_bad_row = on_bad_row;
        r.overwrite = overwrite;
        r.validate = validate;
        return reconstruct(std::move(r), log_level, std::move(log));
      },
      py::arg("source"), py::arg("inputs"), py::arg("out_dir"), py::arg("symbols"),
      py::arg("date_from"), py::arg("date_to"), py::arg("top_n"), py::arg("rows_per_file"),
      py::arg("on_bad_row"), py::arg("overwrite"), py::arg("validate"), py::arg("log_level"),
      py::arg("log"));
}

}  // namespace rlx::python
