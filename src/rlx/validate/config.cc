#include "rlx/validate/config.h"

#include <simdjson.h>
#include <xxhash.h>

#include <cmath>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"
#include "rlx/validate/registry.h"

namespace rlx::validate {
namespace {

[[noreturn]] void bad(const std::filesystem::path& path, const std::string& key,
                      const std::string& what) {
  throw Error(StatusCode::kInvalidArgument, Location{path.string(), 0, key}, what);
}

double number(simdjson::dom::element e, const std::filesystem::path& path, const std::string& key) {
  double v = 0;
  if (e.is_double()) {
    v = e.get_double().value();
  } else if (e.is_int64()) {
    v = static_cast<double>(e.get_int64().value());
  } else if (e.is_uint64()) {
    v = static_cast<double>(e.get_uint64().value());
  } else {
    bad(path, key, "must be a number");
  }
  if (!std::isfinite(v)) bad(path, key, "must be finite");
  return v;
}

Decimal decimal(simdjson::dom::element e, const std::filesystem::path& path,
                const std::string& key) {
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) bad(path, key, "must be a decimal string");
  Decimal d;
  if (!Decimal::parse(text, &d) || d.is_negative() || d.is_zero()) {
    bad(path, key, "must be a positive decimal, e.g. \"0.1\"");
  }
  return d;
}

}  // namespace

ValidateConfig ValidateConfig::load(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(StatusCode::kInvalidArgument, "no such file: " + path.string());
  }
  const std::string text = durability::read_file(path);
  simdjson::dom::parser parser;
  simdjson::dom::object top;
  if (parser.parse(text).get(top) != simdjson::SUCCESS) {
    throw Error(StatusCode::kInvalidArgument, path.string() + ": not a JSON object");
  }
  ValidateConfig c;
  for (const auto field : top) {
    const std::string key(field.key);
    if (key == "window_seconds") {
      const double s = number(field.value, path, key);
      if (s < 1 || s > 86400) bad(path, key, "must be within 1..86400");
      c.window_ns = static_cast<int64_t>(std::llround(s * 1e9));
    } else if (key == "floor_quantile") {
      c.floor_quantile = number(field.value, path, key);
      if (c.floor_quantile <= 0 || c.floor_quantile > 1) bad(path, key, "must be within (0, 1]");
    } else if (key == "min_score") {
      c.min_score = number(field.value, path, key);
      if (c.min_score < 0 || c.min_score > 1) bad(path, key, "must be within [0, 1]");
    } else if (key == "seed") {
      uint64_t seed = 0;
      if (field.value.get_uint64().get(seed) != simdjson::SUCCESS) {
        bad(path, key, "must be a non-negative integer");
      }
      c.seed = seed;
    } else if (key == "tick") {
      c.units.tick = decimal(field.value, path, key);
    } else if (key == "lot") {
      c.units.lot = decimal(field.value, path, key);
    } else if (key == "metrics") {
      simdjson::dom::object metrics;
      if (field.value.get_object().get(metrics) != simdjson::SUCCESS) {
        bad(path, key, "must be an object of metric ids");
      }
      for (const auto m : metrics) {
        const std::string id(m.key);
        if (find_metric(id) == nullptr) bad(path, "metrics." + id, "no such metric");
        simdjson::dom::object o;
        if (m.value.get_object().get(o) != simdjson::SUCCESS) {
          bad(path, "metrics." + id, "must be an object");
        }
        MetricOverride& ov = c.metrics[id];
        for (const auto f : o) {
          const std::string k = "metrics." + id + "." + std::string(f.key);
          if (f.key == "enabled") {
            bool b = false;
            if (f.value.get_bool().get(b) != simdjson::SUCCESS) bad(path, k, "must be a boolean");
            ov.enabled = b;
          } else if (f.key == "weight") {
            ov.weight = number(f.value, path, k);
            if (*ov.weight < 0) bad(path, k, "must be >= 0");
          } else if (f.key == "tolerance") {
            ov.tolerance = number(f.value, path, k);
            if (*ov.tolerance < 0) bad(path, k, "must be >= 0");
          } else {
            bad(path, k, "unknown key (enabled, weight, tolerance)");
          }
        }
      }
    } else {
      bad(path, key,
          "unknown key (window_seconds, floor_quantile, min_score, seed, tick, lot, metrics)");
    }
  }
  return c;
}

std::string ValidateConfig::canonical_json() const {
  JsonWriter w;
  w.begin_object()
      .key("window_ns")
      .int64(window_ns)
      .key("floor_quantile")
      .number(floor_quantile)
      .key("min_score")
      .number(min_score)
      .key("seed")
      .uint64(seed)
      .key("tick")
      .string(units.tick.is_zero() ? "" : units.tick.to_string())
      .key("lot")
      .string(units.lot.is_zero() ? "" : units.lot.to_string())
      .key("metrics")
      .begin_object();
  for (const auto& [id, o] : metrics) {  // std::map: sorted by id
    w.key(id).begin_object();
    if (o.enabled) w.key("enabled").boolean(*o.enabled);
    if (o.weight) w.key("weight").number(*o.weight);
    if (o.tolerance) w.key("tolerance").number(*o.tolerance);
    w.end_object();
  }
  w.end_object().end_object();
  return w.take();
}

std::string ValidateConfig::hash() const {
  const std::string text = canonical_json();
  return durability::hex64(XXH3_64bits(text.data(), text.size()));
}

}  // namespace rlx::validate
