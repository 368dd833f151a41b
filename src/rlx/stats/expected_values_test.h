// Test-only: scipy's values from testdata/expected.json (written by make_expected.py) and the
// comparison every rlx::stats test uses: 1e-9 relative, or 1e-12 absolute for values near zero.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace rlx::stats::reference {

class ExpectedValues {
 public:
  static const ExpectedValues& get() {
    static const ExpectedValues values;
    return values;
  }
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::array cases(const char* kind) const { return root_[kind].get_array(); }
  const std::vector<double>& sample(std::string_view name) const {
    auto it = samples_.find(std::string(name));
    if (it == samples_.end()) throw std::runtime_error("no sample " + std::string(name));
    return it->second;
  }

 private:
  ExpectedValues() {
    root_ = parser_.load(std::string(RLX_SOURCE_DIR) + "/src/rlx/stats/testdata/expected.json");
    for (auto [name, values] : root_["samples"].get_object()) {
      std::vector<double>& out = samples_[std::string(name)];
      for (simdjson::dom::element v : values.get_array()) out.push_back(v.get_double());
    }
  }
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  std::map<std::string, std::vector<double>> samples_;
};

inline std::vector<double> doubles(simdjson::dom::element array) {
  std::vector<double> out;
  for (simdjson::dom::element v : array.get_array()) out.push_back(v.get_double());
  return out;
}

// Compares values to scipy's and, on destruction, prints the largest relative error per field
// (the figures docs/STATISTICS.md quotes).
class Agreement {
 public:
  static constexpr double kRelative = 1e-9;
  static constexpr double kAbsolute = 1e-12;

  explicit Agreement(std::string name) : name_(std::move(name)) {}
  Agreement(const Agreement&) = delete;
  Agreement& operator=(const Agreement&) = delete;
  ~Agreement() {
    for (const auto& [field, f] : fields_) {
      std::printf("[scipy agreement] %s.%s: %d values, max relative error %.3g", name_.c_str(),
                  field.c_str(), f.count, f.max_relative);
      if (f.absolute_only > 0) {
        std::printf(" (%d more within 1e-12 absolute only, max abs %.3g)", f.absolute_only,
                    f.max_absolute_only);
      }
      std::printf("\n");
    }
  }

  void check(const std::string& field, const std::string& where, double actual, double expected) {
    const double diff = std::abs(actual - expected);
    const double scale = std::abs(expected);
    const bool relative_ok = diff <= kRelative * scale;
    Field& f = fields_[field];
    if (relative_ok) {
      ++f.count;
      if (scale > 0) f.max_relative = std::max(f.max_relative, diff / scale);
    } else if (diff <= kAbsolute) {
      ++f.absolute_only;
      f.max_absolute_only = std::max(f.max_absolute_only, diff);
    } else {
      ADD_FAILURE() << name_ << "." << field << " on " << where << ": got "
                    << testing_format(actual) << ", scipy " << testing_format(expected)
                    << ", relative error " << (scale > 0 ? diff / scale : diff);
    }
  }

 private:
  static std::string testing_format(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.17g", v);
    return buffer;
  }
  struct Field {
    int count = 0;
    double max_relative = 0;
    int absolute_only = 0;
    double max_absolute_only = 0;
  };
  std::string name_;
  std::map<std::string, Field> fields_;
};

}  // namespace rlx::stats::reference
