// Prometheus text exposition (format 0.0.4): metric families with HELP and TYPE, samples with
// escaped labels. Output is a pure function of the calls, so a family's samples appear in the
// order given. `promtool check metrics` is the reference: counters end in `_total`, units are
// base units (seconds, bytes), every family has help, and the text ends with a newline.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace rlx {

enum class MetricType : uint8_t { kCounter, kGauge };

class PrometheusText {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // Starts a family; its samples follow. A family name is written once: starting one again
  // throws, since Prometheus would keep only one of two same-named series silently.
  PrometheusText& family(std::string_view name, MetricType type, std::string_view help);
  // A sample of the current family (NaN and infinities are written as Prometheus spells them).
  PrometheusText& sample(Labels labels, double value);
  PrometheusText& sample(double value) { return sample({}, value); }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string family_;
  std::string names_;  // "\n"-joined families written so far
};

}  // namespace rlx
