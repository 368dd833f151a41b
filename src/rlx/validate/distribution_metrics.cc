// Tier 2: each series' distribution on the candidate side against the golden one, by six
// statistics (../shared/FIDELITY.md §4). Every pair (series, statistic) is one metric judged
// against its noise floor; a series' metrics share its weight.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "rlx/stats/distance.h"
#include "rlx/stats/mmd.h"
#include "rlx/stats/two_sample.h"
#include "rlx/validate/metric.h"
#include "rlx/validate/series.h"

namespace rlx::validate {
namespace {

constexpr size_t kMinValues = 10;  // per side; fewer and S is not measured

enum class Statistic : uint8_t { kKs, kAd, kCvm, kEnergy, kWasserstein, kMmd };

struct StatisticDef {
  Statistic statistic;
  const char* id;
  const char* text;
};
constexpr StatisticDef kStatistics[] = {
    {Statistic::kKs, "ks", "Kolmogorov-Smirnov D (p two-sided)"},
    {Statistic::kAd, "ad", "k-sample Anderson-Darling T, floored at 0 (p scipy-capped)"},
    {Statistic::kCvm, "cvm", "Cramer-von Mises T"},
    {Statistic::kEnergy, "energy", "energy distance, in the series' unit"},
    {Statistic::kWasserstein, "w1", "Wasserstein-1, in the series' unit"},
    {Statistic::kMmd, "mmd", "|linear-time MMD^2|, Gaussian kernel, median heuristic"},
};

struct SeriesDef {
  const char* id;
  const char* text;
  Category category;
  std::function<std::vector<double>(const features::Features&, const Sides&)> extract;
};

std::vector<SeriesDef> series_list() {
  using F = const features::Features&;
  using S = const Sides&;
  return {
      {"trade_size", "trade sizes, lots", Category::kDistributions,
       [](F f, S) { return series::trade_size(f); }},
      {"trade_interval", "time between trades, ms", Category::kDistributions,
       [](F f, S) { return series::trade_interval_ms(f); }},
      {"book_interval", "time between book messages, ms", Category::kDistributions,
       [](F f, S) { return series::book_interval_ms(f); }},
      {"spread", "spread, ticks (grid 100ms)", Category::kBook,
       [](F f, S) { return series::spread_ticks(f); }},
      {"l1_size", "best bid and ask sizes, lots (grid 100ms)", Category::kBook,
       [](F f, S) { return series::l1_size(f); }},
      {"l1_imbalance", "L1 imbalance (bid - ask) / (bid + ask) (grid 100ms)", Category::kBook,
       [](F f, S) { return series::l1_imbalance(f); }},
      {"depth_beyond_touch", "lots on levels 2..N of both sides (grid 1s)", Category::kBook,
       [](F f, S s) { return series::depth_beyond_touch(f, s.book_depth); }},
      {"ofi", "order-flow imbalance per second, lots (grid 1s)", Category::kMicrostructure,
       [](F f, S) { return series::ofi_1s(f); }},
      {"return_1s", "mid change over 1 s, ticks", Category::kMicrostructure,
       [](F f, S) { return series::mid_return(f, 1); }},
      {"return_10s", "mid change over 10 s, ticks (overlapping)", Category::kMicrostructure,
       [](F f, S) { return series::mid_return(f, 10); }},
      {"return_60s", "mid change over 60 s, ticks (overlapping)", Category::kMicrostructure,
       [](F f, S) { return series::mid_return(f, 60); }},
  };
}

// A deterministic shuffle (Fisher-Yates over mt19937_64, whose output the standard fixes).
void shuffle(std::vector<double>* v, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[rng() % i]);
}

// Whether more than half of all pairwise distances of the sorted pooled sample `z` are 0 (the
// median heuristic's bandwidth would be 0): true when one value holds more than ~71 % of it.
bool median_distance_is_zero(const std::vector<double>& z) {
  const double n = static_cast<double>(z.size());
  const double pairs = n * (n - 1) / 2;
  double zero = 0;
  for (size_t i = 0; i < z.size();) {
    size_t j = i;
    while (j < z.size() && z[j] == z[i]) ++j;
    const double k = static_cast<double>(j - i);
    zero += k * (k - 1) / 2;
    i = j;
  }
  return zero * 2 > pairs;
}

double pooled_sd(const std::vector<double>& g, const std::vector<double>& c) {
  double sum = 0, sq = 0;
  for (const auto* v : {&g, &c}) {
    for (double x : *v) sum += x;
  }
  const double n = static_cast<double>(g.size() + c.size());
  const double mean = sum / n;
  for (const auto* v : {&g, &c}) {
    for (double x : *v) sq += (x - mean) * (x - mean);
  }
  return std::sqrt(sq / n);
}

// The statistics read the sorted copies (they would sort again otherwise), MMD the series in
// time order.
Measurement compare(Statistic st, const SeriesMemo::Series& golden,
                    const SeriesMemo::Series& candidate, uint64_t seed) {
  Measurement out;
  const std::vector<double>& g = golden.sorted;
  const std::vector<double>& c = candidate.sorted;
  out.n = g.size() + c.size();
  if (g.size() >= kMinValues && c.size() < kMinValues) {
    // The golden side has the series and the candidate has (almost) none: as far apart as
    // distributions get, not "not measurable".
    out.effect = std::numeric_limits<double>::infinity();
    out.detail = "the candidate has " + std::to_string(c.size()) + " values, the golden side " +
                 std::to_string(g.size());
    return out;
  }
  if (g.size() < kMinValues || c.size() < kMinValues) {
    out.detail = "too few values (" + std::to_string(g.size()) + " golden, " +
                 std::to_string(c.size()) + " candidate; " + std::to_string(kMinValues) +
                 " needed a side)";
    return out;
  }
  if (g.front() == g.back() && c.front() == c.back() && g.front() == c.front()) {
    out.effect = 0;  // one value on both sides: the distributions are equal
    out.p_value = 1;
    out.detail = "both sides constant and equal";
    return out;
  }
  try {
    switch (st) {
      case Statistic::kKs: {
        const stats::KsResult r = stats::ks_2samp(g, c);
        out.effect = r.statistic;
        out.p_value = r.pvalue;
        break;
      }
      case Statistic::kAd: {
        const std::span<const double> samples[] = {g, c};
        const stats::AndersonDarlingResult r = stats::anderson_ksamp(samples);
        out.effect = std::max(0.0, r.statistic);
        out.p_value = r.pvalue;
        break;
      }
      case Statistic::kCvm: {
        const stats::CramerVonMisesResult r = stats::cramervonmises_2samp(g, c);
        out.effect = r.statistic;
        out.p_value = r.pvalue;
        break;
      }
      case Statistic::kEnergy:
        out.effect = stats::energy_distance(g, c);
        break;
      case Statistic::kWasserstein:
        out.effect = stats::wasserstein_distance(g, c);
        break;
      case Statistic::kMmd: {
        // Series are in time order and MMD pairs neighbours, so both are shuffled (the same
        // way: identical sides give exactly 0). The unbiased MMD^2 swings around 0 under the
        // null, so S is its magnitude. When most values are equal the median heuristic gives 0;
        // the pooled standard deviation is the bandwidth then.
        std::vector<double> x = golden.values;
        std::vector<double> y = candidate.values;
        shuffle(&x, seed);
        shuffle(&y, seed);
        // The bandwidth from the pooled sample, sorted by merging the sorted sides (what
        // mmd_linear would compute from x ++ y, without sorting it again).
        std::vector<double> pooled(g.size() + c.size());
        std::merge(g.begin(), g.end(), c.begin(), c.end(), pooled.begin());
        stats::MmdOptions o;  // bandwidth 0: mmd_linear refuses non-finite values itself
        if (std::isfinite(pooled.front()) && std::isfinite(pooled.back())) {
          o.bandwidth = median_distance_is_zero(pooled)
                            ? pooled_sd(x, y)
                            : stats::detail::median_pairwise_distance(pooled);
        }
        const stats::MmdLinearResult r = stats::mmd_linear(x, y, o);
        out.effect = std::abs(r.mmd2);
        out.p_value = r.pvalue;
        break;
      }
    }
  } catch (const stats::InvalidSample& e) {
    out.effect = std::numeric_limits<double>::quiet_NaN();
    out.detail = std::string("not measurable: ") + e.what();
    return out;
  }
  char text[96];
  std::snprintf(text, sizeof(text), "%zu golden and %zu candidate values", g.size(), c.size());
  out.detail = text;
  return out;
}

}  // namespace

std::vector<Metric> distribution_metrics() {
  std::vector<Metric> out;
  const std::vector<SeriesDef> all = series_list();
  const double weight = 1.0 / static_cast<double>(std::size(kStatistics));
  for (size_t si = 0; si < all.size(); ++si) {
    const SeriesDef& s = all[si];
    for (const StatisticDef& st : kStatistics) {
      Metric m;
      m.id = std::string("dist.") + s.id + "." + st.id;
      m.tier = Tier::kBatch;
      m.category = s.category;
      m.series = s.text;
      m.statistic = st.text;
      m.rule = Rule::kNoiseFloor;
      m.weight = weight;
      m.cause = std::string("the candidate's ") + s.text +
                " are distributed differently from the golden ones";
      m.remedy =
          "compare the sources over this series (gaps, sampling interval, missing or shifted "
          "events); see the report's histograms";
      const auto extract = s.extract;
      const Statistic statistic = st.statistic;
      const uint64_t salt = si * 16 + static_cast<uint64_t>(statistic);
      const std::string name = s.id;
      m.measure = [extract, statistic, salt, name](const Sides& sides) {
        SeriesMemo own;
        SeriesMemo& memo = sides.memo != nullptr ? *sides.memo : own;
        const SeriesMemo::Series& g =
            memo.get(name, sides.golden, [&] { return extract(sides.golden, sides); });
        const SeriesMemo::Series& c =
            memo.get(name, sides.candidate, [&] { return extract(sides.candidate, sides); });
        return compare(statistic, g, c, sides.seed * 1'000'003 + salt);
      };
      out.push_back(std::move(m));
    }
  }
  // Where the book's volume sits: distance from the mid weighted by size.
  Metric m;
  m.id = "dist.depth_profile.w1";
  m.tier = Tier::kBatch;
  m.category = Category::kBook;
  m.series = "distance of each level from the mid, ticks, weighted by its size (grid 1s)";
  m.statistic = "weighted Wasserstein-1, ticks";
  m.rule = Rule::kNoiseFloor;
  m.weight = 1;
  m.cause = "the candidate's book holds its volume at other distances from the mid";
  m.remedy = "check the depth of the snapshots and the levels the deltas cover";
  m.measure = [](const Sides& s) {
    Measurement out;
    std::vector<double> gd, gw, cd, cw;
    series::depth_profile(s.golden, s.book_depth, &gd, &gw);
    series::depth_profile(s.candidate, s.book_depth, &cd, &cw);
    out.n = gd.size() + cd.size();
    if (gd.size() < kMinValues || cd.size() < kMinValues) {
      out.detail = "too few levels";
      return out;
    }
    out.effect = stats::wasserstein_distance(gd, cd, gw, cw);
    out.detail = std::to_string(gd.size()) + " golden and " + std::to_string(cd.size()) +
                 " candidate levels";
    return out;
  };
  out.push_back(std::move(m));
  return out;
}

}  // namespace rlx::validate
