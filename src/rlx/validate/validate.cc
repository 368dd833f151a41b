#include "rlx/validate/validate.h"

#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/parallel_for.h"
#include "rlx/core/prometheus_text.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/stats/order_statistics.h"
#include "rlx/validate/align.h"
#include "rlx/validate/bootstrap.h"
#include "rlx/validate/registry.h"
#include "rlx/validate/window.h"

namespace rlx::validate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kAllPairsUpTo = 12;  // windows; beyond, consecutive pairs only
constexpr size_t kMaxPairs = 500;
constexpr uint32_t kReplicates = 1000;  // window-block bootstrap, equivalence rule

std::string hash_text(const std::string& s) {
  return durability::hex64(XXH3_64bits(s.data(), s.size()));
}

uint32_t book_depth(const LoadedSide& a, const LoadedSide& b) {
  return std::min(a.book_depth, b.book_depth);
}

// The window pairs a calibration measures: all of them for a few windows, else neighbours,
// thinned evenly to at most kMaxPairs.
std::vector<std::pair<size_t, size_t>> calibration_pairs(size_t n) {
  std::vector<std::pair<size_t, size_t>> out;
  if (n <= kAllPairsUpTo) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) out.emplace_back(i, j);
    }
    return out;
  }
  const size_t pairs = n - 1;
  const size_t keep = std::min(pairs, kMaxPairs);
  for (size_t k = 0; k < keep; ++k) {
    const size_t i = k * pairs / keep;
    out.emplace_back(i, i + 1);
  }
  return out;
}

bool included(const Metric& m, Level level) {
  if (m.tier == Tier::kComprehensive) return level == Level::kComprehensive;
  if (m.tier == Tier::kBatch && m.rule != Rule::kAbsolute) return level != Level::kLight;
  return true;
}

Status judge_value(double s, double threshold) {
  if (std::isnan(s) || std::isnan(threshold)) return Status::kSkip;
  const double slack = 1e-12 + 1e-9 * std::abs(threshold);  // floating-point noise only
  if (s <= threshold + slack) return Status::kPass;
  if (threshold > 0 && s <= 2 * threshold + slack) return Status::kWarn;
  return Status::kFail;
}

// Two one-sided tests at 5 % each: PASS when the 90 % interval of the difference lies within
// (-tau, tau); WARN when the estimate does but its interval does not (or there is none); FAIL
// when the estimate is beyond tau.
Status judge_equivalence(const Measurement& m, double tau) {
  if (std::isnan(m.effect) || std::isnan(tau)) return Status::kSkip;
  const double slack = 1e-12 + 1e-9 * std::abs(tau);
  if (m.effect > tau + slack) return Status::kFail;
  if (!std::isnan(m.interval_low) && m.interval_low > -tau - slack &&
      m.interval_high < tau + slack) {
    return Status::kPass;
  }
  return Status::kWarn;
}

void benjamini_hochberg(std::vector<MetricResult>* results) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < results->size(); ++i) {
    if (!std::isnan((*results)[i].measurement.p_value) && (*results)[i].status != Status::kSkip) {
      idx.push_back(i);
    }
  }
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return (*results)[a].measurement.p_value < (*results)[b].measurement.p_value;
  });
  const double m = static_cast<double>(idx.size());
  double running = 1;
  for (size_t k = idx.size(); k-- > 0;) {
    const double q = (*results)[idx[k]].measurement.p_value * m / static_cast<double>(k + 1);
    running = std::min(running, q);
    (*results)[idx[k]].p_adjusted = std::min(1.0, running);
  }
}

void write_side(JsonWriter& w, const LoadedSide& s) {
  const features::Features& f = s.features;
  w.begin_object()
      .key("kind")
      .string(input_kind_name(s.kind))
      .key("exchange")
      .string(s.exchange)
      .key("symbol")
      .string(s.symbol)
      .key("first_ns")
      .int64(f.first_ns)
      .key("last_ns")
      .int64(f.last_ns)
      .key("events")
      .uint64(f.events)
      .key("trades")
      .uint64(f.trades.size())
      .key("book_messages")
      .uint64(f.book_message_ns.size())
      .key("tick")
      .string(f.units.tick.to_string())
      .key("lot")
      .string(f.units.lot.to_string())
      .key("off_grid_values")
      .uint64(f.off_grid_values)
      .key("quarantined")
      .uint64(s.quarantined)
      .key("book_depth");
  if (s.book_depth == UINT32_MAX) {
    w.string("full");
  } else {
    w.uint64(s.book_depth);
  }
  w.key("seams").begin_array();
  for (const features::Seam& seam : f.seams) {
    w.begin_object()
        .key("time_ns")
        .int64(seam.time_ns)
        .key("flags")
        .uint64(seam.flags)
        .end_object();
  }
  w.end_array().key("inputs").begin_array();
  for (const InputHash& h : s.inputs) {
    w.begin_object().key("path").string(h.path).key("xxh3").string(h.xxh3).end_object();
  }
  w.end_array().key("stream");
  f.stream.total.write_json(w);
  w.end_object();
}

using SlicedPairs = std::vector<std::pair<features::Features, features::Features>>;

// A calibration made for other data or settings is refused (Error(kInvalidArgument)).
void check_calibration(const Calibration& calibration, const LoadedSide& golden,
                       const ValidateConfig& config, const std::string& config_hash) {
  if (calibration.symbol != golden.symbol || calibration.exchange != golden.exchange) {
    throw Error(StatusCode::kInvalidArgument, "the calibration is for " + calibration.exchange +
                                                  " " + calibration.symbol + ", not " +
                                                  golden.exchange + " " + golden.symbol);
  }
  if (calibration.window_ns != config.window_ns) {
    throw Error(StatusCode::kInvalidArgument,
                "the calibration's window is " + std::to_string(calibration.window_ns) +
                    " ns, the configuration's " + std::to_string(config.window_ns) + " ns");
  }
  if (calibration.config_hash != config_hash) {
    throw Error(StatusCode::kInvalidArgument,
                "the calibration was made under another configuration (hash " +
                    calibration.config_hash + ", this one " + config_hash + ")");
  }
}

// The windows a noise-floor metric compares: the same clean golden windows on both sides when
// paired; the i-th clean golden window against the i-th candidate window otherwise.
std::vector<std::pair<Window, Window>> window_pairs(const features::Features& g,
                                                    const features::Features& c, int64_t window_ns,
                                                    bool paired, uint32_t* golden_clean) {
  const std::vector<Window> gw = windows(g, window_ns, true);
  const std::vector<Window> cw = windows(c, window_ns, false);
  *golden_clean = static_cast<uint32_t>(gw.size());
  std::vector<std::pair<Window, Window>> pairs;
  if (paired) {
    size_t j = 0;
    for (const Window& w : gw) {
      while (j < cw.size() && cw[j].from_ns < w.from_ns) ++j;
      if (j < cw.size() && cw[j].from_ns == w.from_ns) pairs.emplace_back(w, w);
    }
  } else {
    for (size_t i = 0; i < std::min(gw.size(), cw.size()); ++i) pairs.emplace_back(gw[i], cw[i]);
  }
  return pairs;
}

// S of a windowed metric: the median over the windows it could measure (the median window's
// p-value and detail come with it); for the equivalence rule, the mean signed difference and its
// window-block bootstrap interval.
Measurement reduce_windows(const Metric& m, std::vector<Measurement> measured, uint64_t seed,
                           uint32_t* windows, std::string* why_skipped) {
  Measurement out;
  struct PerWindow {
    double effect;
    size_t window;
    Measurement m;
  };
  std::vector<PerWindow> per_window;
  uint64_t n = 0;
  for (size_t i = 0; i < measured.size(); ++i) {
    Measurement& x = measured[i];
    n += x.n;
    if (!std::isnan(x.effect)) per_window.push_back({x.effect, i, std::move(x)});
  }
  *windows = static_cast<uint32_t>(per_window.size());
  if (per_window.empty()) {
    *why_skipped = measured.empty() ? "no window to compare" : "not measurable in any window";
  } else {
    // S is the median window's; its p-value and detail come with it.
    std::stable_sort(per_window.begin(), per_window.end(),
                     [](const auto& x, const auto& y) { return x.effect < y.effect; });
    std::vector<double> s;
    s.reserve(per_window.size());
    for (const auto& x : per_window) s.push_back(x.effect);
    const PerWindow& mid = per_window[(per_window.size() - 1) / 2];
    out = mid.m;
    out.effect = stats::median(s);
    out.n = n;
    if (m.rule == Rule::kEquivalence) {
      // The mean signed difference over the windows and its window-block bootstrap interval.
      std::vector<double> d;
      for (const PerWindow& x : per_window) {
        if (std::isfinite(x.m.difference)) d.push_back(x.m.difference);
      }
      if (d.size() == per_window.size()) {
        std::stable_sort(d.begin(), d.end());  // the interval must not depend on window order
        const BootstrapInterval ci = window_bootstrap(d, kReplicates, seed);
        out.difference = ci.mean;
        out.effect = std::abs(ci.mean);
        out.interval_low = ci.low;
        out.interval_high = ci.high;
        char text[96];
        std::snprintf(text, sizeof(text), "; mean difference %.3g, 90 %% interval [%.3g, %.3g]",
                      ci.mean, ci.low, ci.high);
        out.detail += text;
      }
    }
  }
  return out;
}

// The registry's metrics of this level that the configuration keeps, with its weights and
// tolerances; those needing pairing are marked skipped when the sides do not overlap.
std::vector<MetricResult> select_metrics(const ValidateConfig& config, Level level, bool paired) {
  std::vector<MetricResult> out;
  for (const Metric& m : metrics()) {
    if (!included(m, level)) continue;
    MetricResult res;
    res.metric = &m;
    res.weight = m.weight;
    double tolerance = m.tolerance;
    if (const auto it = config.metrics.find(m.id); it != config.metrics.end()) {
      if (it->second.enabled && !*it->second.enabled) continue;
      if (it->second.weight) res.weight = *it->second.weight;
      if (it->second.tolerance) tolerance = *it->second.tolerance;
    }
    if (m.needs_pairing && !paired) {
      res.why_skipped = "needs overlapping windows";
    } else if (m.rule == Rule::kAbsolute) {
      res.threshold = tolerance;
    }
    out.push_back(std::move(res));
  }
  return out;
}

// Measures every selected metric and gives it its status. Metrics of the whole sides are
// measured each on its own; windowed metrics window by window, all of a window's at once so that
// they share the series they read (SeriesMemo). The tasks share the cores; the results do not
// depend on which finishes first.
void measure_metrics(std::vector<MetricResult>* results, const features::Features& g,
                     const features::Features& c, const SlicedPairs& sliced, bool paired,
                     uint64_t seed, uint32_t depth, const Calibration& calibration) {
  std::vector<MetricResult*> whole, windowed;
  for (MetricResult& res : *results) {
    if (!res.why_skipped.empty()) continue;
    (res.metric->rule == Rule::kAbsolute ? whole : windowed).push_back(&res);
  }
  std::vector<std::vector<Measurement>> measured(windowed.size(),
                                                 std::vector<Measurement>(sliced.size()));
  parallel_for(whole.size() + sliced.size(), core_count(), [&](size_t task) {
    if (task < whole.size()) {
      whole[task]->measurement = whole[task]->metric->measure(Sides{g, c, paired, seed, depth});
      return;
    }
    const size_t w = task - whole.size();
    SeriesMemo memo;
    const Sides sides{sliced[w].first, sliced[w].second, paired, seed, depth, &memo};
    for (size_t k = 0; k < windowed.size(); ++k)
      measured[k][w] = windowed[k]->metric->measure(sides);
  });
  for (size_t k = 0; k < windowed.size(); ++k) {
    MetricResult& res = *windowed[k];
    const Calibration::Floor* f = calibration.floor(res.metric->id);
    res.threshold = f == nullptr ? kNaN : f->tau;
    res.measurement =
        reduce_windows(*res.metric, std::move(measured[k]), seed, &res.windows, &res.why_skipped);
    if (f == nullptr || std::isnan(f->tau)) res.why_skipped = "no noise floor in the calibration";
  }
  for (MetricResult& res : *results) {
    res.status = res.metric->rule == Rule::kEquivalence
                     ? judge_equivalence(res.measurement, res.threshold)
                     : judge_value(res.measurement.effect, res.threshold);
    if (res.status == Status::kSkip && res.why_skipped.empty()) {
      res.why_skipped = res.measurement.detail.empty() ? "not measurable" : res.measurement.detail;
    }
  }
}

// Scores by category and overall: the weighted share of PASS (1) and WARN (1/2) among measured
// metrics.
void score(Report* report) {
  Report& r = *report;
  const Category all[] = {Category::kIntegrity,      Category::kBook, Category::kDistributions,
                          Category::kMicrostructure, Category::kRl,   Category::kAdversarial};
  double total_w = 0;
  double total_credit = 0;
  for (const Category cat : all) {
    CategoryScore cs{cat};
    double w = 0;
    double credit = 0;
    for (const MetricResult& m : r.metrics) {
      if (m.metric->category != cat) continue;
      switch (m.status) {
        case Status::kPass:
          ++cs.pass;
          credit += m.weight;
          break;
        case Status::kWarn:
          ++cs.warn;
          credit += m.weight / 2;
          break;
        case Status::kFail:
          ++cs.fail;
          break;
        case Status::kSkip:
          ++cs.skip;
          continue;
      }
      w += m.weight;
    }
    cs.score = w > 0 ? credit / w : kNaN;
    total_w += w;
    total_credit += credit;
    if (cs.pass + cs.warn + cs.fail + cs.skip > 0) r.categories.push_back(cs);
  }
  r.score = total_w > 0 ? total_credit / total_w : kNaN;
}

// Gates first, then FAIL before WARN, then by how far past the threshold.
void rank_failures(Report* report) {
  Report& r = *report;
  for (size_t i = 0; i < r.metrics.size(); ++i) {
    const Status s = r.metrics[i].status;
    if (s == Status::kFail || s == Status::kWarn) r.ranked_failures.push_back(i);
  }
  const auto excess = [&](size_t i) {
    const MetricResult& m = r.metrics[i];
    return m.threshold > 0 ? m.measurement.effect / m.threshold
                           : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(r.ranked_failures.begin(), r.ranked_failures.end(), [&](size_t a, size_t b) {
    const MetricResult& x = r.metrics[a];
    const MetricResult& y = r.metrics[b];
    const bool gx = x.metric->gate && x.status == Status::kFail;
    const bool gy = y.metric->gate && y.status == Status::kFail;
    if (gx != gy) return gx;
    if (x.status != y.status) return x.status == Status::kFail;
    return excess(a) > excess(b);
  });
}

// FAIL on a failed gate or a score below the minimum; WARN when any metric is beyond its floor;
// PASS otherwise. Each with its reasons.
void decide(Report* report, double min_score) {
  Report& r = *report;
  bool any_warn = false;
  for (const MetricResult& m : r.metrics) {
    if (m.metric->gate && m.status == Status::kFail) {
      r.reasons.push_back("gate " + m.metric->id + " failed: " + m.measurement.detail);
    }
    any_warn = any_warn || m.status == Status::kWarn || m.status == Status::kFail;
  }
  if (std::isnan(r.score)) {
    r.reasons.push_back("no metric could be measured");
  } else if (r.score < min_score) {
    char text[96];
    std::snprintf(text, sizeof(text), "score %.3f is below the minimum %.3f", r.score, min_score);
    r.reasons.push_back(text);
  }
  if (!r.reasons.empty()) {
    r.verdict = Status::kFail;
  } else if (any_warn) {
    r.verdict = Status::kWarn;
    r.reasons.push_back(
        "every gate passed and the score is above the minimum, but some metrics "
        "are beyond their floor");
  } else {
    r.verdict = Status::kPass;
    r.reasons.push_back("every measured metric is within its floor or tolerance");
  }
}

}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::kPass:
      return "PASS";
    case Status::kWarn:
      return "WARN";
    case Status::kFail:
      return "FAIL";
    case Status::kSkip:
      return "SKIP";
  }
  return "?";
}

LoadOptions load_options(const ValidateConfig& config, const std::string& symbol,
                         io::BadRowPolicy on_bad_row, bool read_parts) {
  LoadOptions o;
  o.symbol = symbol;
  o.features = feature_options(config);
  o.on_bad_row = on_bad_row;
  o.read_parts = read_parts;
  return o;
}

features::FeatureOptions feature_options(const ValidateConfig& config) {
  features::FeatureOptions o;
  o.units = config.units;
  o.stream.window_ns = config.window_ns;
  return o;
}

// ---- calibration ----

std::string Calibration::to_json() const {
  JsonWriter w(true);
  w.begin_object()
      .key("rlx_calibration")
      .int64(kVersion)
      .key("exchange")
      .string(exchange)
      .key("symbol")
      .string(symbol)
      .key("window_ns")
      .int64(window_ns)
      .key("config_hash")
      .string(config_hash)
      .key("windows")
      .uint64(windows)
      .key("pairs")
      .uint64(pairs)
      .key("inputs")
      .begin_array();
  for (const InputHash& h : inputs) {
    w.begin_object().key("path").string(h.path).key("xxh3").string(h.xxh3).end_object();
  }
  w.end_array().key("floors").begin_array();
  for (const Floor& f : floors) {
    w.begin_object().key("id").string(f.id).key("tau").number(f.tau).key("samples").uint64(
        f.samples);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take() + "\n";
}

std::string Calibration::hash() const { return hash_text(to_json()); }

const Calibration::Floor* Calibration::floor(std::string_view id) const {
  for (const Floor& f : floors) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

Calibration Calibration::load(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(StatusCode::kInvalidArgument, "no such file: " + path.string());
  }
  const std::string text = durability::read_file(path);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const auto bad = [&](const std::string& what) {
    return Error(StatusCode::kInvalidArgument,
                 path.string() + ": not an rlx calibration file: " + what);
  };
  if (parser.parse(text).get(root) != simdjson::SUCCESS) throw bad("not JSON");
  int64_t version = 0;
  if (root["rlx_calibration"].get_int64().get(version) != simdjson::SUCCESS) {
    throw bad("no rlx_calibration version");
  }
  if (version != kVersion) {
    throw bad("version " + std::to_string(version) + ", this rlx reads " +
              std::to_string(kVersion));
  }
  Calibration c;
  std::string_view sv;
  if (root["exchange"].get_string().get(sv) != simdjson::SUCCESS) throw bad("no exchange");
  c.exchange = sv;
  if (root["symbol"].get_string().get(sv) != simdjson::SUCCESS) throw bad("no symbol");
  c.symbol = sv;
  if (root["config_hash"].get_string().get(sv) != simdjson::SUCCESS) throw bad("no config_hash");
  c.config_hash = sv;
  if (root["window_ns"].get_int64().get(c.window_ns) != simdjson::SUCCESS) {
    throw bad("no window_ns");
  }
  uint64_t u = 0;
  if (root["windows"].get_uint64().get(u) == simdjson::SUCCESS)
    c.windows = static_cast<uint32_t>(u);
  if (root["pairs"].get_uint64().get(u) == simdjson::SUCCESS) c.pairs = static_cast<uint32_t>(u);
  simdjson::dom::array inputs;
  if (root["inputs"].get_array().get(inputs) == simdjson::SUCCESS) {
    for (const auto e : inputs) {
      InputHash h;
      if (e["path"].get_string().get(sv) == simdjson::SUCCESS) h.path = sv;
      if (e["xxh3"].get_string().get(sv) == simdjson::SUCCESS) h.xxh3 = sv;
      c.inputs.push_back(h);
    }
  }
  simdjson::dom::array floors;
  if (root["floors"].get_array().get(floors) != simdjson::SUCCESS) throw bad("no floors");
  for (const auto e : floors) {
    Floor f;
    if (e["id"].get_string().get(sv) != simdjson::SUCCESS) throw bad("a floor without id");
    f.id = sv;
    const auto tau = e["tau"];
    if (tau.is_null()) {
      f.tau = kNaN;
    } else if (tau.get_double().get(f.tau) != simdjson::SUCCESS) {
      int64_t i = 0;
      if (tau.get_int64().get(i) != simdjson::SUCCESS) throw bad("tau of " + f.id);
      f.tau = static_cast<double>(i);
    }
    if (e["samples"].get_uint64().get(u) == simdjson::SUCCESS) f.samples = static_cast<uint32_t>(u);
    c.floors.push_back(f);
  }
  return c;
}

Calibration calibrate(const LoadedSide& golden, const ValidateConfig& config) {
  const std::vector<Window> ws = windows(golden.features, config.window_ns, true);
  if (ws.size() < 3) {
    throw Error(StatusCode::kBadInput,
                "calibration needs at least 3 clean golden windows of " +
                    std::to_string(config.window_ns / 1'000'000'000) + " s; the golden side has " +
                    std::to_string(ws.size()) +
                    " (a longer capture, or a shorter window_seconds in --config)");
  }
  std::vector<features::Features> slices;
  slices.reserve(ws.size());
  const Slicer cut(golden.features);
  for (const Window& w : ws) slices.push_back(cut(w));
  const auto pairs = calibration_pairs(ws.size());
  Calibration c;
  c.exchange = golden.exchange;
  c.symbol = golden.symbol;
  c.window_ns = config.window_ns;
  c.config_hash = config.hash();
  c.inputs = golden.inputs;
  c.windows = static_cast<uint32_t>(ws.size());
  c.pairs = static_cast<uint32_t>(pairs.size());
  std::vector<const Metric*> floored;
  for (const Metric& m : metrics()) {
    if (m.rule != Rule::kAbsolute) floored.push_back(&m);
  }
  c.floors.resize(floored.size());
  // Pair by pair, every metric at once (sharing the series they read), then metric by metric.
  std::vector<std::vector<double>> effects(floored.size(), std::vector<double>(pairs.size()));
  parallel_for(pairs.size(), core_count(), [&](size_t p) {
    SeriesMemo memo;
    const Sides sides{slices[pairs[p].first],
                      slices[pairs[p].second],
                      false,
                      config.seed,
                      golden.book_depth,
                      &memo};
    for (size_t k = 0; k < floored.size(); ++k) effects[k][p] = floored[k]->measure(sides).effect;
  });
  for (size_t k = 0; k < floored.size(); ++k) {
    const Metric& m = *floored[k];
    std::vector<double> values;
    for (const double s : effects[k]) {
      if (!std::isnan(s)) values.push_back(s);
    }
    Calibration::Floor& f = c.floors[k];
    f.id = m.id;
    f.samples = static_cast<uint32_t>(values.size());
    f.tau = values.empty() ? kNaN : stats::quantile(values, config.floor_quantile);
  }
  return c;
}

// ---- judging ----

Report judge(const LoadedSide& golden, const LoadedSide& candidate, const ValidateConfig& config,
             Level level, const Calibration* calibration) {
  Report r;
  r.level = level;
  r.window_ns = config.window_ns;
  r.config_json = config.canonical_json();
  r.config_hash = config.hash();
  const features::Features& g = golden.features;
  const features::Features& c = candidate.features;
  if (golden.symbol != candidate.symbol) {
    throw Error(StatusCode::kInvalidArgument, "golden is " + golden.symbol + " and candidate is " +
                                                  candidate.symbol +
                                                  ": pick one symbol with --symbol");
  }
  if (golden.exchange != candidate.exchange) {
    r.notes.push_back("the sides name their exchange differently (" + golden.exchange + ", " +
                      candidate.exchange + ")");
  }
  r.paired = g.first_ns <= c.last_ns && c.first_ns <= g.last_ns;
  if (!r.paired) {
    r.notes.push_back(
        "unpaired: the windows do not overlap, so only distributions are compared, and the "
        "market's regime may differ between them (a difference may be the market's, not the "
        "reconstruction's)");
  }

  Calibration own;
  if (calibration == nullptr) {
    own = calibrate(golden, config);
    calibration = &own;
    r.calibration_source = "golden";
  } else {
    r.calibration_source = "file";
    check_calibration(*calibration, golden, config, r.config_hash);
  }
  r.calibration_hash = calibration->hash();

  // Window pairs for noise-floor metrics.
  const std::vector<std::pair<Window, Window>> pairs =
      window_pairs(g, c, config.window_ns, r.paired, &r.golden_clean_windows);
  r.windows_compared = static_cast<uint32_t>(pairs.size());
  SlicedPairs sliced;
  sliced.reserve(pairs.size());
  const Slicer cut_g(g);
  const Slicer cut_c(c);
  for (const auto& [a, b] : pairs) sliced.emplace_back(cut_g(a), cut_c(b));

  r.metrics = select_metrics(config, level, r.paired);
  measure_metrics(&r.metrics, g, c, sliced, r.paired, config.seed, book_depth(golden, candidate),
                  *calibration);
  benjamini_hochberg(&r.metrics);

  score(&r);
  rank_failures(&r);
  decide(&r, config.min_score);
  if (level == Level::kComprehensive) {
    r.notes.push_back("tier 3 (comprehensive) metrics are not computed by this rlx version");
  }
  r.notes.push_back(
      "not measured, because L2 data cannot show them: order ids, queue positions, and events "
      "shorter than the feed's own update interval");
  return r;
}

// ---- reports ----

std::string report_json(const Report& r, const LoadedSide& golden, const LoadedSide& candidate) {
  JsonWriter w(true);
  w.begin_object()
      .key("schema")
      .string("rlx.validate.report")
      .key("schema_version")
      .int64(1)
      .key("rlx_version")
      .string(kVersion)
      .key("verdict")
      .string(status_name(r.verdict))
      .key("reasons")
      .begin_array();
  for (const std::string& s : r.reasons) w.string(s);
  w.end_array().key("score").number(r.score).key("categories").begin_array();
  for (const CategoryScore& c : r.categories) {
    w.begin_object()
        .key("category")
        .string(category_name(c.category))
        .key("score")
        .number(c.score)
        .key("pass")
        .uint64(c.pass)
        .key("warn")
        .uint64(c.warn)
        .key("fail")
        .uint64(c.fail)
        .key("skip")
        .uint64(c.skip)
        .end_object();
  }
  w.end_array()
      .key("mode")
      .string(r.paired ? "paired" : "unpaired")
      .key("level")
      .string(level_name(r.level))
      .key("window_ns")
      .int64(r.window_ns)
      .key("windows_compared")
      .uint64(r.windows_compared)
      .key("golden_clean_windows")
      .uint64(r.golden_clean_windows)
      .key("config_hash")
      .string(r.config_hash)
      .key("config")
      .raw(r.config_json)
      .key("calibration")
      .begin_object()
      .key("source")
      .string(r.calibration_source)
      .key("hash")
      .string(r.calibration_hash)
      .end_object()
      .key("golden");
  write_side(w, golden);
  w.key("candidate");
  write_side(w, candidate);
  w.key("metrics").begin_array();
  for (const MetricResult& m : r.metrics) {
    const Metric& d = *m.metric;
    w.begin_object()
        .key("id")
        .string(d.id)
        .key("tier")
        .int64(static_cast<int64_t>(d.tier))
        .key("category")
        .string(category_name(d.category))
        .key("series")
        .string(d.series)
        .key("statistic")
        .string(d.statistic)
        .key("rule")
        .string(d.rule == Rule::kAbsolute      ? "absolute"
                : d.rule == Rule::kEquivalence ? "equivalence"
                                               : "noise_floor")
        .key("gate")
        .boolean(d.gate)
        .key("weight")
        .number(m.weight)
        .key("status")
        .string(status_name(m.status))
        .key("effect")
        .number(m.measurement.effect)
        .key("threshold")
        .number(m.threshold)
        .key("n")
        .uint64(m.measurement.n)
        .key("windows")
        .uint64(m.windows)
        .key("p_value")
        .number(m.measurement.p_value)
        .key("p_adjusted")
        .number(m.p_adjusted)
        .key("interval")
        .begin_array()
        .number(m.measurement.interval_low)
        .number(m.measurement.interval_high)
        .end_array()
        .key("detail")
        .string(m.status == Status::kSkip ? m.why_skipped : m.measurement.detail)
        .end_object();
  }
  w.end_array().key("failures").begin_array();
  for (const size_t i : r.ranked_failures) {
    const MetricResult& m = r.metrics[i];
    w.begin_object()
        .key("id")
        .string(m.metric->id)
        .key("status")
        .string(status_name(m.status))
        .key("gate")
        .boolean(m.metric->gate)
        .key("effect")
        .number(m.measurement.effect)
        .key("threshold")
        .number(m.threshold)
        .key("cause")
        .string(m.metric->cause)
        .key("remedy")
        .string(m.metric->remedy)
        .end_object();
  }
  w.end_array().key("notes").begin_array();
  for (const std::string& s : r.notes) w.string(s);
  w.end_array().end_object();
  return w.take() + "\n";
}

std::string report_prometheus(const Report& r, const LoadedSide& golden) {
  PrometheusText p;
  const std::string& ex = golden.exchange;
  const std::string& sym = golden.symbol;
  const auto code = [](Status s) {
    return s == Status::kPass ? 0.0 : s == Status::kWarn ? 1.0 : s == Status::kFail ? 2.0 : -1.0;
  };
  p.family("rlx_validate_verdict", MetricType::kGauge,
           "Fidelity verdict of the last rlx validate run: 0 PASS, 1 WARN, 2 FAIL")
      .sample({{"exchange", ex}, {"symbol", sym}}, code(r.verdict));
  p.family("rlx_validate_score", MetricType::kGauge,
           "Weighted share of passing metrics (PASS 1, WARN 0.5), overall and by category");
  p.sample({{"exchange", ex}, {"symbol", sym}, {"category", "overall"}}, r.score);
  for (const CategoryScore& c : r.categories) {
    p.sample({{"exchange", ex}, {"symbol", sym}, {"category", category_name(c.category)}}, c.score);
  }
  uint64_t gates = 0;
  for (const MetricResult& m : r.metrics) gates += m.metric->gate && m.status == Status::kFail;
  p.family("rlx_validate_gate_failures", MetricType::kGauge, "Hard gates that failed")
      .sample({{"exchange", ex}, {"symbol", sym}}, static_cast<double>(gates));
  p.family("rlx_validate_paired", MetricType::kGauge,
           "1 when golden and candidate windows overlap (paired), 0 when unpaired")
      .sample({{"exchange", ex}, {"symbol", sym}}, r.paired ? 1 : 0);
  p.family("rlx_validate_metric_effect", MetricType::kGauge,
           "Effect size S of each fidelity metric (units in report.json)");
  for (const MetricResult& m : r.metrics) {
    p.sample({{"exchange", ex}, {"symbol", sym}, {"metric", m.metric->id}}, m.measurement.effect);
  }
  p.family("rlx_validate_metric_threshold", MetricType::kGauge,
           "Noise floor tau or absolute tolerance of each metric");
  for (const MetricResult& m : r.metrics) {
    p.sample({{"exchange", ex}, {"symbol", sym}, {"metric", m.metric->id}}, m.threshold);
  }
  p.family("rlx_validate_metric_status", MetricType::kGauge,
           "Status of each metric: 0 PASS, 1 WARN, 2 FAIL, -1 not measured");
  for (const MetricResult& m : r.metrics) {
    p.sample({{"exchange", ex},
              {"symbol", sym},
              {"metric", m.metric->id},
              {"gate", m.metric->gate ? "true" : "false"}},
             code(m.status));
  }
  return p.take();
}

}  // namespace rlx::validate
