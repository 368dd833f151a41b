// A fidelity metric: what it measures and how it is judged (../shared/FIDELITY.md §3), and the
// function that computes its effect size from the two sides' features. Each metric (or family
// of metrics) lives in its own file and is listed once in metric_list.inc.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rlx/features/features.h"

namespace rlx::validate {

enum class Tier : uint8_t { kStreaming = 1, kBatch = 2, kComprehensive = 3 };

// How S is judged.
enum class Rule : uint8_t {
  kNoiseFloor,  // PASS when S <= tau from the calibration, WARN up to 2 tau, FAIL above
  // Two one-sided tests on a difference of estimates: PASS when the bootstrap interval of its
  // mean over the windows lies within (-tau, tau), tau the golden between-window spread; WARN
  // when only S <= tau; FAIL above
  kEquivalence,
  kAbsolute,  // PASS when S <= tolerance (paired metrics, whose floor is near zero)
};

enum class Category : uint8_t {
  kIntegrity,
  kBook,
  kDistributions,
  kMicrostructure,
  kRl,
  kAdversarial
};
const char* category_name(Category c);

// A series of one side (features::Features), in time order and sorted, kept for every metric
// that reads it in one pair of windows: the six statistics of a distribution share one
// extraction and one sort. Not thread-safe: one per pair of windows being measured (a series may
// depend on the Sides as well as the features, e.g. their book_depth: one memo, one Sides).
class SeriesMemo {
 public:
  struct Series {
    std::vector<double> values;  // in time order
    std::vector<double> sorted;
  };
  // The series `name` of `side`, made by `make` on first use.
  const Series& get(const std::string& name, const features::Features& side,
                    const std::function<std::vector<double>()>& make);

 private:
  std::map<std::pair<std::string, const features::Features*>, Series> series_;
};

// The two sides, and whether their windows overlap (paired) or not.
struct Sides {
  const features::Features& golden;
  const features::Features& candidate;
  bool paired = false;
  uint64_t seed = 0;                 // for statistics that draw (MMD's pairing order)
  uint32_t book_depth = UINT32_MAX;  // levels a side both sides can show (rlx output: top_n)
  SeriesMemo* memo = nullptr;        // shared by the metrics measuring these sides; may be null
};

struct Measurement {
  double effect = std::numeric_limits<double>::quiet_NaN();   // S; NaN: not measurable here
  double p_value = std::numeric_limits<double>::quiet_NaN();  // where the statistic has one
  uint64_t n = 0;                                             // observations behind S
  std::string detail;                                         // a short human reading of S
  // kEquivalence: the signed difference of estimates, candidate - golden (S is its magnitude);
  // judge() adds the 90 % bootstrap interval of its mean over the windows.
  double difference = std::numeric_limits<double>::quiet_NaN();
  double interval_low = std::numeric_limits<double>::quiet_NaN();
  double interval_high = std::numeric_limits<double>::quiet_NaN();
};

struct Metric {
  std::string id;  // stable, dotted: "paired.top_k_equal"
  Tier tier = Tier::kBatch;
  Category category = Category::kBook;
  std::string series;     // what it reads: "grid 100ms, top 5 levels"
  std::string statistic;  // how S is computed
  Rule rule = Rule::kAbsolute;
  double tolerance = 0;  // kAbsolute: the largest S that passes
  double weight = 1;     // in the category score
  bool gate = false;     // failing it fails the run, whatever the score
  bool needs_pairing = false;
  std::string cause;   // the likely cause when it fails
  std::string remedy;  // what to do about it
  std::function<Measurement(const Sides&)> measure;
};

}  // namespace rlx::validate
