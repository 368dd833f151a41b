#include "rlx/validate/registry.h"

#include <algorithm>
#include <cmath>

namespace rlx::validate {

#define RLX_METRIC(factory) Metric factory();
#define RLX_METRICS(factory) std::vector<Metric> factory();
#include "rlx/validate/metric_list.inc"
#undef RLX_METRIC
#undef RLX_METRICS

const char* category_name(Category c) {
  switch (c) {
    case Category::kIntegrity:
      return "integrity";
    case Category::kBook:
      return "book";
    case Category::kDistributions:
      return "distributions";
    case Category::kMicrostructure:
      return "microstructure";
    case Category::kRl:
      return "rl";
    case Category::kAdversarial:
      return "adversarial";
  }
  return "?";
}

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> all = [] {
    std::vector<Metric> v;
#define RLX_METRIC(factory) v.push_back(factory());
#define RLX_METRICS(factory) \
  for (Metric & m : factory()) v.push_back(std::move(m));
#include "rlx/validate/metric_list.inc"
#undef RLX_METRIC
#undef RLX_METRICS
    return v;
  }();
  return all;
}

const SeriesMemo::Series& SeriesMemo::get(const std::string& name, const features::Features& side,
                                          const std::function<std::vector<double>()>& make) {
  const auto key = std::make_pair(name, &side);
  if (const auto it = series_.find(key); it != series_.end()) return it->second;
  Series s;
  s.values = make();
  s.sorted = s.values;
  // NaN last (a strict weak order even then): the statistics refuse it, naming it.
  std::sort(s.sorted.begin(), s.sorted.end(),
            [](double a, double b) { return a < b || (std::isnan(b) && !std::isnan(a)); });
  return series_.emplace(key, std::move(s)).first->second;
}

const Metric* find_metric(std::string_view id) {
  for (const Metric& m : metrics()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

}  // namespace rlx::validate
