// _rlx.reconstruct: rlx/api/run.h for rlx/_run.py, with logs handed to a Python callable.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rlx/api/capture.h"
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

// Progress to a callable, under the GIL: `callback(done, total, rows)` for work with a measured
// end (reconstruct), `callback(text)` for status lines (validate's stages, capture's counters).
class CallbackProgress : public ProgressSink {
 public:
  explicit CallbackProgress(py::object callback) : callback_(std::move(callback)) {}
  void update(uint64_t done, uint64_t total, uint64_t rows, bool /*final*/) override {
    call(done, total, rows);
  }
  void status(std::string_view text, bool /*final*/) override { call(std::string(text)); }

  // A sink for `callback`, or none for None.
  static std::unique_ptr<CallbackProgress> of(py::object callback) {
    if (callback.is_none()) return nullptr;
    return std::make_unique<CallbackProgress>(std::move(callback));
  }

 private:
  template <typename... Args>
  void call(Args&&... args) {
    py::gil_scoped_acquire acquire;
    try {
      callback_(std::forward<Args>(args)...);
    } catch (const py::error_already_set&) {
      PyErr_WriteUnraisable(callback_.ptr());  // as for logs: the run goes on
    }
  }

  py::object callback_;
};

Log log_for(const std::string& level, CallbackSink* sink) {
  return Log(parse_name_or_throw(kLogLevelNames, level, "log_level"), LogFormat::kText, sink);
}

py::dict reconstruct(ReconstructRequest request, const std::string& log_level, py::object log,
                     py::object progress) {
  CallbackSink sink(std::move(log));
  request.log = log_for(log_level, &sink);
  const std::unique_ptr<CallbackProgress> bar = CallbackProgress::of(std::move(progress));
  request.progress = bar.get();
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

py::dict validate(ValidateRequest request, const std::string& log_level, py::object log,
                  py::object progress) {
  CallbackSink sink(std::move(log));
  request.log = log_for(log_level, &sink);
  const std::unique_ptr<CallbackProgress> stages = CallbackProgress::of(std::move(progress));
  request.progress = stages.get();
  ValidateResult result;
  Status s;
  {
    py::gil_scoped_release release;
    s = rlx::validate_candidate(request, &result);
  }
  check(s);
  py::list failures;
  for (const MetricFailure& f : result.failures) {
    py::dict d;
    d["metric"] = f.metric;
    d["status"] = f.status;
    d["effect"] = f.effect;
    d["threshold"] = f.threshold;
    d["remedy"] = f.remedy;
    failures.append(d);
  }
  py::dict out;
  out["verdict"] = result.verdict;
  out["score"] = result.score;
  out["exchange"] = result.exchange;
  out["symbol"] = result.symbol;
  out["paired"] = result.paired;
  out["windows"] = result.windows;
  out["window_seconds"] = result.window_seconds;
  out["reasons"] = result.reasons;
  out["failures"] = failures;
  out["notes"] = result.notes;
  out["pdf_error"] = result.pdf_error;
  return out;
}

py::dict dict_of(const CaptureResult& r) {
  py::list symbols;
  for (const CaptureSymbolResult& y : r.symbols) {
    py::dict d;
    d["symbol"] = y.symbol;
    d["frames"] = y.frames;
    d["sync_state"] = y.sync_state;
    d["gaps"] = y.gaps;
    d["resyncs"] = y.resyncs;
    d["snapshots"] = y.snapshots;
    symbols.append(d);
  }
  py::dict out;
  out["frames"] = r.frames;
  out["durable_lines"] = r.durable_lines;
  out["reconnects"] = r.reconnects;
  out["duplicates"] = r.duplicates;
  out["malformed"] = r.malformed;
  out["seconds"] = r.seconds;
  out["events"] = r.events;
  out["events_error"] = r.events_error;
  out["events_rows"] = r.events_rows;
  out["symbols"] = symbols;
  return out;
}

// Runs the session on its own thread while this one waits without the GIL, looking for Python's
// signals every 100 ms: Ctrl-C stops the capture cleanly (the record is closed and report.json
// written), then KeyboardInterrupt is raised. No signal disposition is touched.
py::dict capture(const CaptureRequest& request, const std::string& log_level, py::object log,
                 py::object progress) {
  CallbackSink sink(std::move(log));
  CaptureRequest r = request;
  r.log = log_for(log_level, &sink);
  const std::unique_ptr<CallbackProgress> status = CallbackProgress::of(std::move(progress));
  r.progress = status.get();
  std::unique_ptr<CaptureSession> session;
  Status s;
  {
    py::gil_scoped_release release;
    s = CaptureSession::open(r, &session);
  }
  check(s);
  CaptureResult result;
  std::atomic<bool> done{false};
  std::thread runner([&] {
    s = session->run(&result);
    done = true;
  });
  std::unique_ptr<py::error_already_set> interrupt;
  while (!done) {
    {
      py::gil_scoped_release release;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!interrupt && PyErr_CheckSignals() != 0) {
      interrupt = std::make_unique<py::error_already_set>();  // takes the error out of Python
      session->stop();
    }
  }
  {
    py::gil_scoped_release release;
    runner.join();
  }
  if (interrupt) throw *interrupt;
  check(s);
  return dict_of(result);
}

std::vector<std::filesystem::path> paths_of(const std::vector<std::string>& texts) {
  return std::vector<std::filesystem::path>(texts.begin(), texts.end());
}

}  // namespace

void bind_run(py::module_& m) {
  m.def(
      "capture",
      [](const std::string& market, const std::vector<std::string>& symbols,
         const std::vector<std::string>& streams, const std::string& out_dir,
         const std::string& events_dir, double duration_s, const std::string& ws_url,
         const std::string& rest_url, const std::string& ca_file, const std::string& log_level,
         py::object log, py::object progress) {
        CaptureRequest r;
        r.market = market;
        r.symbols = symbols;
        r.streams = streams;
        r.out_dir = out_dir;
        r.events_dir = events_dir;
        r.duration_s = duration_s;
        r.ws_url = ws_url;
        r.rest_url = rest_url;
        r.ca_file = ca_file;
        return capture(r, log_level, std::move(log), std::move(progress));
      },
      py::arg("market"), py::arg("symbols"), py::arg("streams"), py::arg("out_dir"),
      py::arg("events_dir"), py::arg("duration_s"), py::arg("ws_url"), py::arg("rest_url"),
      py::arg("ca_file"), py::arg("log_level"), py::arg("log"), py::arg("progress"));
  m.def(
      "validate",
      [](const std::vector<std::string>& golden, const std::string& golden_source,
         const std::vector<std::string>& candidate, const std::string& candidate_source,
         const std::string& out_dir, const std::string& symbol, const std::string& config,
         const std::string& calibration, const std::string& level, const std::string& on_bad_row,
         bool read_parts, bool pdf, const std::string& log_level, py::object log,
         py::object progress) {
        ValidateRequest r;
        r.golden = paths_of(golden);
        r.golden_source = golden_source;
        r.candidate = paths_of(candidate);
        r.candidate_source = candidate_source;
        r.out_dir = out_dir;
        r.symbol = symbol;
        r.config = config;
        r.calibration = calibration;
        r.level = level;
        r.on_bad_row = on_bad_row;
        r.read_parts = read_parts;
        r.pdf = pdf;
        return validate(std::move(r), log_level, std::move(log), std::move(progress));
      },
      py::arg("golden"), py::arg("golden_source"), py::arg("candidate"),
      py::arg("candidate_source"), py::arg("out_dir"), py::arg("symbol"), py::arg("config"),
      py::arg("calibration"), py::arg("level"), py::arg("on_bad_row"), py::arg("read_parts"),
      py::arg("pdf"), py::arg("log_level"), py::arg("log"), py::arg("progress"));
  m.def(
      "reconstruct",
      [](const std::string& source, const std::vector<std::string>& inputs,
         const std::string& out_dir, const std::vector<std::string>& symbols,
         const std::string& date_from, const std::string& date_to, int32_t top_n,
         uint64_t rows_per_file, const std::string& on_bad_row, bool overwrite, bool validate,
         const std::string& log_level, py::object log, py::object progress) {
        ReconstructRequest r;
        r.source = source;
        r.inputs = paths_of(inputs);
        r.out_dir = out_dir;
        r.symbols = symbols;
        r.date_from = date_from;
        r.date_to = date_to;
        r.top_n = top_n;
        r.rows_per_file = rows_per_file;
        r.on_bad_row = on_bad_row;
        r.overwrite = overwrite;
        r.validate = validate;
        return reconstruct(std::move(r), log_level, std::move(log), std::move(progress));
      },
      py::arg("source"), py::arg("inputs"), py::arg("out_dir"), py::arg("symbols"),
      py::arg("date_from"), py::arg("date_to"), py::arg("top_n"), py::arg("rows_per_file"),
      py::arg("on_bad_row"), py::arg("overwrite"), py::arg("validate"), py::arg("log_level"),
      py::arg("log"), py::arg("progress"));
}

}  // namespace rlx::python
