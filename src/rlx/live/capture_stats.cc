#include "rlx/live/capture_stats.h"

#include "rlx/core/json_writer.h"
#include "rlx/core/prometheus_text.h"

namespace rlx::live {

void CaptureStats::write_json(std::string* out) const {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("frames").uint64(frames);
  w.key("duplicates").uint64(duplicates);
  w.key("malformed").uint64(malformed);
  w.key("unsupported").uint64(unsupported);
  w.key("control").uint64(control);
  w.key("connects").uint64(connects);
  w.key("reconnects").uint64(reconnects);
  w.key("rollovers").uint64(rollovers);
  w.key("breaker_trips").uint64(breaker_trips);
  w.key("rest_429").uint64(rest_429);
  w.key("rest_418").uint64(rest_418);
  w.key("rest_errors").uint64(rest_errors);
  w.key("record_lines").uint64(record_lines);
  w.key("record_durable_lines").uint64(record_durable_lines);
  w.key("record_cpu_seconds").number(record_cpu_seconds);
  w.key("events").string(events);
  if (!events_error.empty()) w.key("events_error").string(events_error);
  w.key("events_rows").uint64(events_rows);
  w.key("seconds").number(seconds);
  w.key("symbols").begin_array();
  for (const auto& s : symbols) {
    w.begin_object();
    w.key("symbol").string(s.symbol);
    w.key("synced").boolean(s.synced);
    w.key("sync_state").string(s.sync_state);
    w.key("frames").uint64(s.frames);
    w.key("snapshots").uint64(s.snapshots);
    w.key("snapshot_requests").uint64(s.snapshot_requests);
    w.key("snapshot_weight").uint64(s.snapshot_weight);
    w.key("reconnects").uint64(s.reconnects);
    w.key("last_lag_ns").int64(s.last_lag_ns);
    w.key("max_lag_ns").int64(s.max_lag_ns);
    std::string book;
    s.book.write_json(&book);
    w.key("book").raw(book);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  *out = w.take();
}

void CaptureStats::write_prometheus(std::string* out) const {
  PrometheusText p;
  const auto counter = [&](const char* name, const char* help, double value) {
    p.family(name, MetricType::kCounter, help).sample(value);
  };
  counter("rlx_capture_frames_total", "Frames recorded (market data of the asked symbols)",
          static_cast<double>(frames));
  counter("rlx_capture_duplicates_total",
          "Frames dropped because their id was already recorded (connection overlap)",
          static_cast<double>(duplicates));
  counter("rlx_capture_malformed_frames_total", "Frames recorded that could not be parsed",
          static_cast<double>(malformed));
  counter("rlx_capture_unsupported_frames_total",
          "Frames recorded of streams rlx does not read (kline, ...)",
          static_cast<double>(unsupported));
  counter("rlx_capture_control_messages_total", "Subscription replies and venue notices recorded",
          static_cast<double>(control));
  counter("rlx_capture_connects_total", "WebSocket connections opened",
          static_cast<double>(connects));
  counter("rlx_capture_reconnects_total", "Connections reopened after a loss",
          static_cast<double>(reconnects));
  counter("rlx_capture_rollovers_total",
          "Planned connection replacements (24 h limit, shutdown notice)",
          static_cast<double>(rollovers));
  counter("rlx_capture_breaker_trips_total", "Times the reconnect circuit breaker opened",
          static_cast<double>(breaker_trips));
  p.family("rlx_capture_rest_limited_total", MetricType::kCounter,
           "REST responses that limited the capture, by status (429 too many requests, 418 ban)")
      .sample({{"status", "429"}}, static_cast<double>(rest_429))
      .sample({{"status", "418"}}, static_cast<double>(rest_418));
  counter("rlx_capture_rest_errors_total", "REST snapshot requests that failed otherwise",
          static_cast<double>(rest_errors));
  counter("rlx_capture_record_lines_total", "Lines appended to the record",
          static_cast<double>(record_lines));
  counter("rlx_capture_record_durable_lines_total", "Lines of the record on stable storage",
          static_cast<double>(record_durable_lines));
  counter("rlx_capture_record_cpu_seconds_total",
          "CPU time of the record writer (compression, writes, syncs)", record_cpu_seconds);
  p.family("rlx_capture_frames_per_second", MetricType::kGauge,
           "Frames recorded per second over the last 10 seconds")
      .sample(frames_per_s);
  p.family("rlx_capture_uptime_seconds", MetricType::kGauge, "Seconds since the capture started")
      .sample(seconds);
  p.family("rlx_capture_events_up", MetricType::kGauge,
           "1 while --events is written (0 when off, done or failed)")
      .sample(events == "running" ? 1 : 0);

  // Per symbol: one family each, every symbol a sample.
  using Get = double (*)(const SymbolCaptureStats&);
  const auto per_symbol = [&](const char* name, MetricType type, const char* help, Get get) {
    p.family(name, type, help);
    for (const auto& s : symbols) p.sample({{"symbol", s.symbol}}, get(s));
  };
  per_symbol("rlx_capture_symbol_frames_total", MetricType::kCounter, "Frames recorded",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.frames); });
  per_symbol("rlx_capture_symbol_frames_per_second", MetricType::kGauge,
             "Frames recorded per second over the last 10 seconds",
             [](const SymbolCaptureStats& s) { return s.frames_per_s; });
  per_symbol("rlx_capture_symbol_synced", MetricType::kGauge,
             "1 when the live book is synced with the stream",
             [](const SymbolCaptureStats& s) { return s.synced ? 1.0 : 0.0; });
  p.family("rlx_capture_symbol_sync_state", MetricType::kGauge,
           "1 for the live book's current sync state (synced, awaiting_bridge, unsynced, "
           "no_snapshot), 0 for the others");
  for (const auto& s : symbols) {
    for (const char* state : {"synced", "awaiting_bridge", "unsynced", "no_snapshot"}) {
      p.sample({{"symbol", s.symbol}, {"state", state}}, s.sync_state == state ? 1 : 0);
    }
  }
  per_symbol("rlx_capture_symbol_gaps_total", MetricType::kCounter,
             "Breaks in the diff sequence after sync",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.book.gaps); });
  per_symbol("rlx_capture_symbol_resyncs_total", MetricType::kCounter,
             "Snapshots applied to a book that had been synced before",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.book.resyncs); });
  per_symbol("rlx_capture_symbol_reconnects_total", MetricType::kCounter,
             "Reconnects of connections carrying the symbol's streams",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.reconnects); });
  per_symbol("rlx_capture_symbol_snapshots_total", MetricType::kCounter, "REST snapshots recorded",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.snapshots); });
  per_symbol("rlx_capture_symbol_snapshot_requests_total", MetricType::kCounter,
             "REST snapshot requests sent",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.snapshot_requests); });
  per_symbol("rlx_capture_symbol_snapshot_weight_total", MetricType::kCounter,
             "REST request weight spent on snapshots",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.snapshot_weight); });
  per_symbol(
      "rlx_capture_symbol_ticker_mismatches_total", MetricType::kCounter,
      "bookTickers that disagreed with the live book at the same update id",
      [](const SymbolCaptureStats& s) { return static_cast<double>(s.book.ticker_mismatched); });
  per_symbol("rlx_capture_symbol_lag_seconds", MetricType::kGauge,
             "Capture time minus the venue's event time, last frame; includes the offset "
             "between the local and the venue's clock, so it can be negative",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.last_lag_ns) / 1e9; });
  per_symbol("rlx_capture_symbol_lag_max_seconds", MetricType::kGauge,
             "Largest capture-minus-event time so far (same clock-offset caveat)",
             [](const SymbolCaptureStats& s) { return static_cast<double>(s.max_lag_ns) / 1e9; });
  *out = p.take();
}

}  // namespace rlx::live
