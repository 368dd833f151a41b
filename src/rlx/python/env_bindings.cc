// _rlx.MarketTape and _rlx.ExecutionEnv: rlx::env for rlx/env.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "rlx/core/error.h"
#include "rlx/env/execution_env.h"
#include "rlx/env/market_tape.h"
#include "rlx/python/errors.h"

namespace py = pybind11;

namespace rlx::python {
namespace {

Decimal decimal_of(const std::string& text, const char* what) {
  Decimal d;
  if (!Decimal::parse(text, &d)) {
    throw Error(StatusCode::kInvalidArgument,
                std::string(what) + " '" + text + "' is not a decimal number");
  }
  return d;
}

py::array_t<double> array_of(const std::vector<double>& v) {
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::dict observation(const env::ExecutionEnv& e, int32_t recent_trades) {
  const env::Observation o = e.observe();
  py::dict d;
  d["bid_price"] = array_of(o.bid_price);
  d["bid_size"] = array_of(o.bid_size);
  d["ask_price"] = array_of(o.ask_price);
  d["ask_size"] = array_of(o.ask_size);
  py::array_t<double> trades = array_of(o.trades);
  d["trades"] = trades.reshape({static_cast<py::ssize_t>(recent_trades), py::ssize_t{4}});
  d["time_left"] = o.time_left_s;
  d["quantity_left"] = o.quantity_left;
  d["order"] = array_of({o.order_price, o.order_quantity, o.queue_ahead});
  return d;
}

struct PyTape {
  std::shared_ptr<const env::MarketTape> tape;
};

class PyEnv {
 public:
  PyEnv(const PyTape& tape, const std::string& side, const std::string& quantity,
        int64_t horizon_ns, int64_t step_ns, int32_t recent_trades, const std::string& refill,
        double half_life_s) {
    guarded([&] {
      env::EnvOptions o;
      o.side = parse_name_or_throw(env::kSideNames, side, "side");
      o.quantity = decimal_of(quantity, "quantity");
      o.horizon_ns = horizon_ns;
      o.step_ns = step_ns;
      o.recent_trades = recent_trades;
      o.refill = parse_name_or_throw(env::kRefillNames, refill, "refill");
      o.refill_half_life_s = half_life_s;
      recent_trades_ = recent_trades;
      env_ = std::make_unique<env::ExecutionEnv>(tape.tape, o);
    });
  }

  py::tuple reset(uint64_t seed, std::optional<int64_t> start_ns) {
    guarded([&] { env_->reset(seed, start_ns); });
    py::dict info;
    info["arrival_mid"] = env_->arrival_mid();
    info["start_ns"] = env_->start_time();
    return py::make_tuple(observation(*env_, recent_trades_), info);
  }

  py::tuple step(const std::string& type, const std::string& quantity, int32_t level) {
    env::Action a;
    env::StepResult r;
    guarded([&] {
      a.type = parse_name_or_throw(env::kActionNames, type, "action");
      if (!quantity.empty()) a.quantity = decimal_of(quantity, "quantity");
      a.level = level;
      r = env_->step(a);
    });
    py::list fills;
    for (const env::Fill& f : r.fills) {
      fills.append(py::make_tuple(f.time, f.price.to_string(), f.quantity.to_string(), f.passive));
    }
    py::dict info;
    info["fills"] = fills;
    info["time_ns"] = env_->time();
    info["shortfall_bp"] = env_->shortfall_bp();
    info["arrival_mid"] = env_->arrival_mid();
    info["capped"] = r.capped.to_string();
    info["rejected"] = r.rejected;
    info["beyond_depth"] = r.beyond_depth.to_string();
    return py::make_tuple(observation(*env_, recent_trades_), r.reward_bp, r.terminated,
                          r.truncated, info);
  }

 private:
  std::unique_ptr<env::ExecutionEnv> env_;
  int32_t recent_trades_ = 0;
};

}  // namespace

void bind_env(py::module_& m) {
  py::tuple actions(env::kActionNames.size());
  for (size_t i = 0; i < env::kActionNames.size(); ++i) {
    actions[i] = py::str(std::string(env::kActionNames[i].first));
  }
  m.attr("ACTION_TYPES") = actions;
  py::class_<PyTape>(m, "MarketTape")
      .def(py::init([](const std::string& out_dir, const std::string& symbol,
                       std::optional<int64_t> start_ns, std::optional<int64_t> end_ns) {
             return guarded([&] {
               env::TapeOptions o{symbol, start_ns, end_ns};
               py::gil_scoped_release release;
               return PyTape{std::make_shared<const env::MarketTape>(env::load_tape(out_dir, o))};
             });
           }),
           py::arg("out_dir"), py::arg("symbol"), py::arg("start_ns"), py::arg("end_ns"))
      .def_property_readonly("depth", [](const PyTape& t) { return t.tape->depth; })
      .def_property_readonly("events", [](const PyTape& t) { return t.tape->events.size(); })
      .def_property_readonly("first_ns",
                             [](const PyTape& t) { return t.tape->events.front().time; })
      .def_property_readonly("last_ns", [](const PyTape& t) { return t.tape->events.back().time; });
  py::class_<PyEnv>(m, "ExecutionEnv")
      .def(py::init<const PyTape&, const std::string&, const std::string&, int64_t, int64_t,
                    int32_t, const std::string&, double>(),
           py::arg("tape"), py::arg("side"), py::arg("quantity"), py::arg("horizon_ns"),
           py::arg("step_ns"), py::arg("recent_trades"), py::arg("refill"), py::arg("half_life_s"))
      .def("reset", &PyEnv::reset, py::arg("seed"), py::arg("start_ns"))
      .def("step", &PyEnv::step, py::arg("type"), py::arg("quantity"), py::arg("level"));
}

}  // namespace rlx::python
