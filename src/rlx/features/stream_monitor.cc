#include "rlx/features/stream_monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/features/market_time.h"
#include "rlx/stats/order_statistics.h"

namespace rlx::features {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

void write_quantiles(JsonWriter& w, const char* name, const StreamQuantiles& q) {
  w.key(name).begin_object().key("n").uint64(q.n).key("q").begin_array();
  for (double v : q.value) w.number(v);
  w.end_array().end_object();
}

constexpr uint32_t kMonitorTag = make_tag("SMN", 2);

void save_window(BinaryWriter& w, const StreamWindow& x) {
  w.i64(x.start_ns);
  for (const uint64_t v : {x.events, x.trades, x.book_messages, x.gaps, x.resyncs,
                           x.unsynced_messages, x.rate_bins, x.rate_anomalies}) {
    w.u64(v);
  }
  for (const StreamQuantiles* q :
       {&x.spread, &x.l1_size, &x.trade_size, &x.trade_interval_us, &x.book_interval_us}) {
    for (const double v : q->value) w.f64(v);
    w.u64(q->n);
  }
  w.f64(x.noise.rv_tick);
  w.f64(x.noise.rv_sparse);
  w.f64(x.noise.quarticity);
  w.u64(x.noise.tick_returns);
  w.u64(x.noise.sparse_returns);
}

StreamWindow load_window(BinaryReader& r) {
  StreamWindow x;
  x.start_ns = r.i64("window start");
  for (uint64_t* v : {&x.events, &x.trades, &x.book_messages, &x.gaps, &x.resyncs,
                      &x.unsynced_messages, &x.rate_bins, &x.rate_anomalies}) {
    *v = r.u64("window count");
  }
  for (StreamQuantiles* q :
       {&x.spread, &x.l1_size, &x.trade_size, &x.trade_interval_us, &x.book_interval_us}) {
    for (double& v : q->value) v = r.f64("quantile");
    q->n = r.u64("quantile n");
  }
  x.noise.rv_tick = r.f64("rv_tick");
  x.noise.rv_sparse = r.f64("rv_sparse");
  x.noise.quarticity = r.f64("quarticity");
  x.noise.tick_returns = r.u64("tick_returns");
  x.noise.sparse_returns = r.u64("sparse_returns");
  return x;
}

}  // namespace

double NoiseEstimate::noise_variance() const {
  if (tick_returns == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::max(0.0, (rv_tick - rv_sparse) / (2.0 * static_cast<double>(tick_returns)));
}

double NoiseEstimate::hausman() const {
  if (sparse_returns == 0) return std::numeric_limits<double>::quiet_NaN();
  const double var = 2.0 / 3.0 * quarticity;
  const double diff = rv_tick - rv_sparse;
  if (diff <= 0) return 0;
  if (var <= 0) return std::numeric_limits<double>::infinity();
  return diff * diff / var;
}

double NoiseEstimate::p_value() const {
  const double h = hausman();
  if (std::isnan(h)) return h;
  if (h <= 0) return 1;
  // P(chi2_1 > h) = erfc(sqrt(h / 2)); the mixture halves it.
  return 0.5 * std::erfc(std::sqrt(h / 2));
}

void StreamWindow::write_json(JsonWriter& w) const {
  w.begin_object()
      .key("start_ns")
      .int64(start_ns)
      .key("events")
      .uint64(events)
      .key("trades")
      .uint64(trades)
      .key("book_messages")
      .uint64(book_messages)
      .key("gaps")
      .uint64(gaps)
      .key("resyncs")
      .uint64(resyncs)
      .key("unsynced_messages")
      .uint64(unsynced_messages)
      .key("rate_bins")
      .uint64(rate_bins)
      .key("rate_anomalies")
      .uint64(rate_anomalies);
  write_quantiles(w, "spread", spread);
  write_quantiles(w, "l1_size", l1_size);
  write_quantiles(w, "trade_size", trade_size);
  write_quantiles(w, "trade_interval_us", trade_interval_us);
  write_quantiles(w, "book_interval_us", book_interval_us);
  w.key("noise")
      .begin_object()
      .key("variance")
      .number(noise.noise_variance())
      .key("hausman")
      .number(noise.hausman())
      .key("p_value")
      .number(noise.p_value())
      .key("tick_returns")
      .uint64(noise.tick_returns)
      .key("sparse_returns")
      .uint64(noise.sparse_returns)
      .end_object();
  w.end_object();
}

void StreamSummary::write_json(JsonWriter& w) const {
  w.begin_object().key("window_ns").int64(window_ns).key("total");
  total.write_json(w);
  w.key("windows").begin_array();
  for (const StreamWindow& x : windows) x.write_json(w);
  w.end_array().end_object();
}

void StreamMonitor::Tracker::mid(int64_t t, double m) {
  if (have_mid && m != last_mid) {
    const double r = m - last_mid;
    w.noise.rv_tick += r * r;
    ++w.noise.tick_returns;
  }
  last_mid = m;
  have_mid = true;
  // The sparse series: the first mid of every new second.
  const int64_t second = floor_div(t, kSecond);
  if (second != sparse_second) {
    if (sparse_second != INT64_MIN) {
      const double r = m - sparse_mid;
      w.noise.rv_sparse += r * r;
      w.noise.quarticity += r * r * r * r;
      ++w.noise.sparse_returns;
    }
    sparse_second = second;
    sparse_mid = m;
  }
}

StreamWindow StreamMonitor::Tracker::result() const {
  StreamWindow out = w;
  StreamQuantiles* dest[kSeriesCount] = {&out.spread, &out.l1_size, &out.trade_size,
                                         &out.trade_interval_us, &out.book_interval_us};
  for (int s = 0; s < kSeriesCount; ++s) {
    dest[s]->n = q[s].count();
    for (size_t i = 0; i < dest[s]->value.size(); ++i) {
      dest[s]->value[i] = q[s].quantile(StreamQuantiles::kProbabilities[i]);
    }
  }
  return out;
}

void StreamMonitor::Tracker::save(BinaryWriter& out) const {
  save_window(out, w);
  for (const stats::QuantileSketch& series : q) series.save(out);
  out.f64(last_mid);
  out.boolean(have_mid);
  out.i64(sparse_second);
  out.f64(sparse_mid);
}

void StreamMonitor::Tracker::load(BinaryReader& in) {
  w = load_window(in);
  for (stats::QuantileSketch& series : q) series = stats::QuantileSketch::load(in);
  last_mid = in.f64("last_mid");
  have_mid = in.boolean("have_mid");
  sparse_second = in.i64("sparse_second");
  sparse_mid = in.f64("sparse_mid");
}

void StreamMonitor::save(BinaryWriter& w) const {
  w.u32(kMonitorTag);
  w.i64(options_.window_ns);
  w.f64(options_.anomaly_z);
  w.u32(options_.rate_history);
  w.u64(out_.windows.size());
  for (const StreamWindow& x : out_.windows) save_window(w, x);
  window_tracker_.save(w);
  total_.save(w);
  w.i64(window_);
  w.i64(time_);
  w.boolean(have_time_);
  w.boolean(in_message_);
  w.u32(message_flags_);
  w.i64(bin_);
  w.u64(bin_count_);
  w.u64(history_.size());
  for (const uint64_t h : history_) w.u64(h);
  w.i64(last_trade_ns_);
  w.i64(last_book_ns_);
  w.decimal(best_bid_.price);
  w.decimal(best_bid_.size);
  w.decimal(best_ask_.price);
  w.decimal(best_ask_.size);
  w.boolean(have_best_);
}

StreamMonitor StreamMonitor::load(BinaryReader& r) {
  r.expect_tag(kMonitorTag, "stream monitor");
  StreamOptions o;
  o.window_ns = r.i64("window_ns");
  o.anomaly_z = r.f64("anomaly_z");
  o.rate_history = r.u32("rate_history");
  StreamMonitor m(o);
  const uint64_t n = r.count("windows", 8);
  for (uint64_t i = 0; i < n; ++i) m.out_.windows.push_back(load_window(r));
  m.window_tracker_.load(r);
  m.total_.load(r);
  m.window_ = r.i64("window");
  m.time_ = r.i64("time");
  m.have_time_ = r.boolean("have_time");
  m.in_message_ = r.boolean("in_message");
  m.message_flags_ = r.u32("message_flags");
  m.bin_ = r.i64("bin");
  m.bin_count_ = r.u64("bin_count");
  const uint64_t h = r.count("history", 8);
  for (uint64_t i = 0; i < h; ++i) m.history_.push_back(r.u64("history"));
  m.last_trade_ns_ = r.i64("last_trade_ns");
  m.last_book_ns_ = r.i64("last_book_ns");
  m.best_bid_.price = r.decimal("best bid");
  m.best_bid_.size = r.decimal("best bid size");
  m.best_ask_.price = r.decimal("best ask");
  m.best_ask_.size = r.decimal("best ask size");
  m.have_best_ = r.boolean("have_best");
  return m;
}

StreamMonitor::StreamMonitor(StreamOptions options) : options_(options) {
  if (options_.window_ns <= 0) {
    throw Error(StatusCode::kInvalidArgument, "stream monitor: the window must be positive");
  }
  out_.window_ns = options_.window_ns;
}

void StreamMonitor::roll_to(int64_t t) {
  const int64_t w = floor_div(t, options_.window_ns);
  if (w == window_) return;
  if (window_ != INT64_MIN && window_tracker_.w.events > 0) {
    out_.windows.push_back(window_tracker_.result());
  }
  window_ = w;
  window_tracker_ = Tracker();
  window_tracker_.w.start_ns = w * options_.window_ns;
}

// Closes every 1 s bin before `second`: each is judged against the rolling median and MAD of
// the bins before it (robust z), then joins the history. Empty bins count as zero messages, but
// a silence longer than the history only needs `rate_history` of them.
void StreamMonitor::close_bins_before(int64_t second) {
  if (bin_ == INT64_MIN) bin_ = second;
  if (second <= bin_) return;
  const int64_t span = second - bin_;
  const int64_t n = std::min<int64_t>(span, options_.rate_history + 1);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t count = i == 0 ? bin_count_ : 0;
    if (history_.size() >= 20) {
      std::vector<double> h(history_.begin(), history_.end());
      const double med = stats::median(h);
      for (double& x : h) x = std::abs(x - med);
      const double mad = stats::median(h);
      const double scale = std::max(1.4826 * mad, 1.0);
      const bool anomaly = std::abs(static_cast<double>(count) - med) / scale > options_.anomaly_z;
      both([&](Tracker& t) {
        ++t.w.rate_bins;
        if (anomaly) ++t.w.rate_anomalies;
      });
    }
    history_.push_back(count);
    if (history_.size() > options_.rate_history) history_.pop_front();
  }
  bin_ = second;
  bin_count_ = 0;
}

void StreamMonitor::on_event(const Event& event, const book::OrderBook& book) {
  const int64_t et = event_time(event);
  if (et != kNull) {
    time_ = have_time_ ? std::max(time_, et) : et;
    if (!have_time_) total_.w.start_ns = et;
    have_time_ = true;
  }
  if (!in_message_) {
    if (have_time_) {
      // Bins closed here belong to earlier seconds: judge them before the window moves on.
      if (event.type == EventType::kBookDelta) close_bins_before(floor_div(time_, kSecond));
      roll_to(time_);
    }
    in_message_ = true;
    message_flags_ = 0;
  }
  message_flags_ |= event.flags;
  both([](Tracker& t) { ++t.w.events; });
  if (event.type == EventType::kTrade) {
    const double size = event.size.to_double();
    const bool have_last = last_trade_ns_ != INT64_MIN;
    const double gap_us =
        have_last ? static_cast<double>(std::max<int64_t>(0, time_ - last_trade_ns_)) / 1e3 : 0;
    both([&](Tracker& t) {
      ++t.w.trades;
      t.add(kTradeSize, size);
      if (have_last) t.add(kTradeInterval, gap_us);
    });
    last_trade_ns_ = time_;
  }
  if (event.last_in_message) {
    in_message_ = false;
    if (event.type != EventType::kTrade) end_of_book_message(event.type, book);
  }
}

// Diffs are the market's events; snapshots are a source's sampling of the book (Lake's `book`
// rows every 100 ms), so they enter no count, interval or quantile, and a resync counts only
// when it moved the best quotes (a periodic snapshot agreeing with the book is a check passed).
void StreamMonitor::end_of_book_message(EventType type, const book::OrderBook& book) {
  const uint32_t f = message_flags_;
  const bool two_sided = book.depth(Side::kBid) > 0 && book.depth(Side::kAsk) > 0;
  const Level* bid = two_sided ? &book.level(Side::kBid, 0) : nullptr;
  const Level* ask = two_sided ? &book.level(Side::kAsk, 0) : nullptr;
  const bool quoted = two_sided && bid->price < ask->price && (f & event_flags::kUnsynced) == 0;
  const auto same = [](const Level* a, const Level& b) {
    return a != nullptr && a->price == b.price && a->size == b.size;
  };
  const bool moved = !two_sided || !have_best_ || !same(bid, best_bid_) || !same(ask, best_ask_);
  if (two_sided) {
    best_bid_ = *bid;
    best_ask_ = *ask;
  }
  have_best_ = two_sided;
  // Converted once for both trackers (each conversion is two 128-bit divisions).
  const double mid = quoted ? Decimal::midpoint(bid->price, ask->price).to_double() : 0;
  if (type == EventType::kBookSnapshot) {
    both([&](Tracker& t) {
      if ((f & event_flags::kResync) != 0 && moved) ++t.w.resyncs;
      if (quoted) t.mid(time_, mid);
    });
    return;
  }
  ++bin_count_;
  const bool have_last = last_book_ns_ != INT64_MIN;
  const double gap_us =
      have_last ? static_cast<double>(std::max<int64_t>(0, time_ - last_book_ns_)) / 1e3 : 0;
  last_book_ns_ = time_;
  const double spread = quoted ? (ask->price - bid->price).to_double() : 0;
  const double bid_size = quoted ? bid->size.to_double() : 0;
  const double ask_size = quoted ? ask->size.to_double() : 0;
  both([&](Tracker& t) {
    ++t.w.book_messages;
    if (have_last) t.add(kBookInterval, gap_us);
    if ((f & event_flags::kGap) != 0) ++t.w.gaps;
    if ((f & event_flags::kUnsynced) != 0) ++t.w.unsynced_messages;
    if (quoted) {
      t.add(kSpread, spread);
      t.add(kL1Size, bid_size);
      t.add(kL1Size, ask_size);
      t.mid(time_, mid);
    }
  });
}

StreamSummary StreamMonitor::finish() {
  if (bin_ != INT64_MIN) close_bins_before(bin_ + 1);
  if (window_ != INT64_MIN && window_tracker_.w.events > 0) {
    out_.windows.push_back(window_tracker_.result());
  }
  window_tracker_ = Tracker();
  window_ = INT64_MIN;
  out_.total = total_.result();
  return std::move(out_);
}

}  // namespace rlx::features
