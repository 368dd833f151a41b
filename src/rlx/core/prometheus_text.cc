#include "rlx/core/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace rlx {
namespace {

// HELP text escapes backslash and newline; label values also escape the double quote.
void escape(std::string_view text, bool quote, std::string* out) {
  for (const char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

PrometheusText& PrometheusText::family(std::string_view name, MetricType type,
                                       std::string_view help) {
  if (!valid_name(name)) throw std::invalid_argument("bad metric name: " + std::string(name));
  const std::string key = "\n" + std::string(name) + "\n";
  if (("\n" + names_).find(key) != std::string::npos) {
    throw std::invalid_argument("metric family written twice: " + std::string(name));
  }
  names_.append(name).push_back('\n');
  family_ = name;
  out_.append("# HELP ").append(name).push_back(' ');
  escape(help, /*quote=*/false, &out_);
  out_.append("\n# TYPE ")
      .append(name)
      .append(type == MetricType::kCounter ? " counter\n" : " gauge\n");
  return *this;
}

PrometheusText& PrometheusText::sample(Labels labels, double value) {
  if (family_.empty()) throw std::logic_error("a sample before its family");
  out_.append(family_);
  if (labels.size() > 0) {
    out_.push_back('{');
    bool first = true;
    for (const auto& [name, label] : labels) {
      if (!valid_name(name)) throw std::invalid_argument("bad label name: " + std::string(name));
      if (!first) out_.push_back(',');
      first = false;
      out_.append(name).append("=\"");
      escape(label, /*quote=*/true, &out_);
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  if (std::isnan(value)) {
    out_.append("NaN");
  } else if (std::isinf(value)) {
    out_.append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out_.append(buf, end);
  }
  out_.push_back('\n');
  return *this;
}

}  // namespace rlx
