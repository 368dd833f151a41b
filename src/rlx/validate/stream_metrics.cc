// Tier 1: the streaming statistics (features/stream_monitor.h) of each side compared per window
// (../shared/FIDELITY.md §4): gap and resync counts, the message-rate anomaly rate, five
// streaming quantiles of five series, and the microstructure-noise variance.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "rlx/validate/metric.h"

namespace rlx::validate {
namespace {

using features::StreamQuantiles;
using features::StreamWindow;

Metric stream_metric(const std::string& id, Category category, const std::string& series,
                     const std::string& statistic) {
  Metric m;
  m.id = "stream." + id;
  m.tier = Tier::kStreaming;
  m.category = category;
  m.series = series;
  m.statistic = statistic;
  m.rule = Rule::kNoiseFloor;
  m.weight = 1;
  return m;
}

// S = |candidate - golden| of a count or rate read from each side's stream total.
template <typename Value>
Metric count_metric(const std::string& id, Category category, const std::string& series,
                    Value value) {
  Metric m = stream_metric(id, category, series, "|candidate - golden|");
  m.measure = [value](const Sides& s) {
    Measurement out;
    const StreamWindow& g = s.golden.stream.total;
    const StreamWindow& c = s.candidate.stream.total;
    out.n = g.book_messages + c.book_messages;
    const double a = value(g);
    const double b = value(c);
    if (!std::isnan(a) && std::isnan(b)) {
      out.effect = std::numeric_limits<double>::infinity();  // only the golden side shows it
      out.detail = "the candidate has none to compare";
      return out;
    }
    if (std::isnan(a) || std::isnan(b)) {
      out.detail = "not measurable";
      return out;
    }
    out.effect = std::abs(b - a);
    char text[96];
    std::snprintf(text, sizeof(text), "%.4g golden, %.4g candidate", a, b);
    out.detail = text;
    return out;
  };
  return m;
}

// S = the largest |ln((q_c + eps) / (q_g + eps))| over the five quantiles: scale-free.
Metric quantile_metric(const std::string& id, Category category, const std::string& series,
                       const StreamQuantiles StreamWindow::*member, double eps) {
  Metric m = stream_metric("quantiles." + id, category, series,
                           "largest |log ratio| of the 5 %, 25 %, 50 %, 75 % and 95 % quantiles "
                           "(log-bucketed sketch, within 0.4 %)");
  m.measure = [member, eps](const Sides& s) {
    Measurement out;
    const StreamQuantiles& g = s.golden.stream.total.*member;
    const StreamQuantiles& c = s.candidate.stream.total.*member;
    out.n = g.n + c.n;
    if (g.n >= 5 && c.n < 5) {
      out.effect = std::numeric_limits<double>::infinity();
      out.detail = "the candidate has " + std::to_string(c.n) + " values, the golden side " +
                   std::to_string(g.n);
      return out;
    }
    if (g.n < 5 || c.n < 5) {
      out.detail = "too few values";
      return out;
    }
    double worst = 0;
    for (size_t i = 0; i < g.value.size(); ++i) {
      const double a = g.value[i] + eps;
      const double b = c.value[i] + eps;
      if (a <= 0 || b <= 0) {
        out.detail = "not measurable: a quantile is not positive";
        return out;
      }
      worst = std::max(worst, std::abs(std::log(b / a)));
    }
    out.effect = worst;
    char text[128];
    std::snprintf(text, sizeof(text), "medians %.4g golden, %.4g candidate", g.value[2],
                  c.value[2]);
    out.detail = text;
    return out;
  };
  return m;
}

}  // namespace

std::vector<Metric> stream_metrics() {
  std::vector<Metric> out;
  Metric m = count_metric("gaps", Category::kIntegrity, "sequence gaps per window",
                          [](const StreamWindow& w) { return static_cast<double>(w.gaps); });
  m.cause = "the candidate's delta stream has sequence gaps the golden capture does not";
  m.remedy = "check the delta source for gaps, or enable the gap bridge";
  out.push_back(m);
  m = count_metric("resyncs", Category::kIntegrity, "book resyncs per window",
                   [](const StreamWindow& w) { return static_cast<double>(w.resyncs); });
  m.cause = "the candidate's book was resynchronised from snapshots where the golden was not";
  m.remedy = "look for gaps before each resync in the candidate's deltas";
  out.push_back(m);
  m = count_metric("rate_anomalies", Category::kMicrostructure,
                   "share of 1 s bins whose book message count is anomalous (robust z > 5)",
                   [](const StreamWindow& w) {
                     return w.rate_bins == 0 ? std::nan("")
                                             : static_cast<double>(w.rate_anomalies) /
                                                   static_cast<double>(w.rate_bins);
                   });
  m.cause = "the candidate's message rate has bursts or silences the golden one has not";
  m.remedy = "look for batched, duplicated or missing stretches of deltas";
  out.push_back(m);

  struct Q {
    const char* id;
    const char* series;
    const StreamQuantiles StreamWindow::*member;
    double eps;
    Category category;
  };
  const Q quantiles[] = {
      {"spread", "spread, price units, per book message", &StreamWindow::spread, 0,
       Category::kBook},
      {"l1_size", "best bid and ask sizes, per book message", &StreamWindow::l1_size, 0,
       Category::kBook},
      {"trade_size", "trade sizes", &StreamWindow::trade_size, 0, Category::kDistributions},
      {"trade_interval", "time between trades, us (+1 us)", &StreamWindow::trade_interval_us, 1,
       Category::kDistributions},
      {"book_interval", "time between book messages, us (+1 us)", &StreamWindow::book_interval_us,
       1, Category::kDistributions},
  };
  for (const Q& q : quantiles) {
    m = quantile_metric(q.id, q.category, q.series, q.member, q.eps);
    m.cause = std::string("the candidate's ") + q.series + " have other quantiles";
    m.remedy = "see the matching tier-2 metric and its histogram in the report";
    out.push_back(m);
  }

  m = stream_metric("noise_variance", Category::kMicrostructure,
                    "mid changes: realised variance from every change and from 1 s samples",
                    "|omega2_c - omega2_g| / max(omega2_c, omega2_g), omega2 the noise variance "
                    "(0 when both are 0)");
  m.cause = "the candidate's mid bounces more or less than the golden one (microstructure noise)";
  m.remedy = "look for merged or split book updates and for crossed or stale quotes";
  m.measure = [](const Sides& s) {
    Measurement out;
    const features::NoiseEstimate& g = s.golden.stream.total.noise;
    const features::NoiseEstimate& c = s.candidate.stream.total.noise;
    out.n = g.tick_returns + c.tick_returns;
    const double a = g.noise_variance();
    const double b = c.noise_variance();
    if (std::isnan(a) || std::isnan(b)) {
      out.detail = "not measurable: the mid did not move";
      return out;
    }
    const double hi = std::max(a, b);
    out.effect = hi > 0 ? std::abs(a - b) / hi : 0;
    out.p_value = c.p_value();  // the candidate's own noise test
    char text[160];
    std::snprintf(text, sizeof(text),
                  "noise variance %.3g golden (p %.2g), %.3g candidate (p %.2g), price units^2", a,
                  g.p_value(), b, c.p_value());
    out.detail = text;
    return out;
  };
  out.push_back(m);
  return out;
}

}  // namespace rlx::validate
