#include "rlx/live/capture.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/binance/venue.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/live/frame_processor.h"
#include "rlx/live/live_events.h"
#include "rlx/live/metrics_server.h"
#include "rlx/live/net.h"
#include "rlx/live/recorder.h"

namespace rlx::live {
namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {

asio::awaitable<void> sleep_for(Clock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

}  // namespace

class Capture::Impl {
 public:
  explicit Impl(CaptureOptions options);
  CaptureStats run();
  void stop();
  CaptureStats stats() const;
  uint16_t metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  struct Conn {
    int32_t id = 0;
    const binance::ConnectionPlan* plan = nullptr;
    std::unique_ptr<WsStream> ws;
    Clock::time_point opened;
    bool done = false;
    bool shutdown_notice = false;
    StreamIds seen;  // last id per stream on this connection
  };
  struct Symbol {
    SymbolCaptureStats stats;
    book::BookEngine engine;
    bool has_depth = false;
    bool inflight = false;
    uint32_t attempts = 0;               // snapshots in a row that did not sync the book
    std::deque<uint64_t> recent_frames;  // frames at each of the last ticks, a second apart
  };

  asio::awaitable<void> keep_connection(const binance::ConnectionPlan& plan);
  asio::awaitable<std::shared_ptr<Conn>> open(const binance::ConnectionPlan& plan);
  asio::awaitable<void> read_loop(std::shared_ptr<Conn> conn);
  asio::awaitable<void> fetch_snapshot(std::string symbol);
  asio::awaitable<bool> take_weight(uint32_t weight);
  asio::awaitable<void> stop_after(double seconds);
  asio::awaitable<void> tick_rates();
  void on_frame(Conn& conn, std::string_view text, int64_t capture_ns);
  void maybe_request_snapshot(const std::string& symbol);
  bool caught_up(const Conn& fresh) const;
  void close(Conn& conn);
  Clock::duration backoff(uint32_t failures);

  CaptureOptions o_;
  binance::Venue venue_;
  std::vector<binance::ConnectionPlan> plans_;
  std::unique_ptr<durability::FileLock> lock_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::io_context io_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<LiveEvents> events_;
  std::unique_ptr<FrameProcessor> frames_;
  std::vector<std::shared_ptr<Conn>> conns_;
  int32_t next_conn_id_ = 0;
  std::mt19937_64 rng_;
  // REST weight: a token bucket of half the minute's budget, refilled per second.
  double tokens_ = 0;
  Clock::time_point refilled_;
  Clock::time_point banned_until_{};
  std::atomic<bool> stopping_{false};
  Clock::time_point started_ = Clock::now();
  mutable std::mutex mu_;  // guards stats_ (the connection counters) for stats()
  CaptureStats stats_;
  std::unique_ptr<MetricsServer> metrics_;  // last: stopped before what it reads goes away
};

Capture::Impl::Impl(CaptureOptions options) : o_(std::move(options)), rng_(o_.seed) {
  if (o_.symbols.empty()) throw Error(StatusCode::kInvalidArgument, "--symbols names no symbol");
  if (o_.streams.empty()) throw Error(StatusCode::kInvalidArgument, "--streams names no stream");
  for (const auto& s : o_.symbols) {
    if (!valid_partition_name(s)) {
      throw Error(StatusCode::kInvalidArgument, partition_name_error("symbol", s));
    }
  }
  venue_ = binance::venue_for(o_.market);
  if (!o_.ws_base.empty()) venue_.ws_base = o_.ws_base;
  if (!o_.rest_base.empty()) venue_.rest_base = o_.rest_base;
  if (o_.snapshot_limit > 0) venue_.snapshot_limit = o_.snapshot_limit;
  (void)Url::parse(venue_.ws_base);
  (void)Url::parse(venue_.rest_base);
  plans_ = binance::plan_connections(venue_, o_.symbols, o_.streams, o_.max_streams_per_connection);
  tls_ = make_client_tls(o_.ca_file);
  durability::create_directories_durable(o_.out_dir);
  lock_ = std::make_unique<durability::FileLock>(
      o_.out_dir, durability::FileLock::Mode::kTry,
      "another rlx process is writing to " + o_.out_dir.string());
  RecorderOptions ro;
  ro.dir = o_.out_dir;
  ro.flush_interval_ms = o_.flush_interval_ms;
  ro.rotate_bytes = o_.rotate_bytes;
  ro.rotate_seconds = o_.rotate_seconds;
  recorder_ = std::make_unique<Recorder>(ro, o_.log);
  if (!o_.events_dir.empty()) {
    LiveEventsOptions eo;
    eo.out_dir = o_.events_dir;
    eo.max_queued_bytes = o_.events_max_queued_bytes;
    eo.log = o_.log;
    events_ = std::make_unique<LiveEvents>(eo);
    stats_.events = "running";
  }
  frames_ = std::make_unique<FrameProcessor>(o_.market, o_.symbols, *recorder_, events_.get());
  tokens_ = venue_.weight_per_minute / 2.0;
  refilled_ = Clock::now();
  if (o_.metrics_port >= 0) {
    metrics_ = std::make_unique<MetricsServer>(o_.metrics_host,
                                               static_cast<uint16_t>(o_.metrics_port), [this] {
                                                 std::string text;
                                                 stats().write_prometheus(&text);
                                                 return text;
                                               });
    o_.log.info("capture.metrics", {{"url", "http://" + o_.metrics_host + ":" +
                                                std::to_string(metrics_->port()) + "/metrics"}});
  }
}

void Capture::Impl::stop() {
  stopping_ = true;
  asio::post(io_, [this] {
    for (auto& c : conns_) close(*c);
  });
}

void Capture::Impl::close(Conn& conn) {
  if (conn.ws == nullptr) return;
  beast::error_code ec;
  beast::get_lowest_layer(*conn.ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(*conn.ws).socket().close(ec);
}

Clock::duration Capture::Impl::backoff(uint32_t failures) {
  const double base = std::min<double>(
      o_.reconnect_max_ms, o_.reconnect_base_ms * std::pow(2.0, std::min(failures, 20u)));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return std::chrono::microseconds(static_cast<int64_t>(base * jitter(rng_) * 1000));
}

CaptureStats Capture::Impl::run() {
  for (const auto& plan : plans_) asio::co_spawn(io_, keep_connection(plan), asio::detached);
  if (o_.duration_s > 0) asio::co_spawn(io_, stop_after(o_.duration_s), asio::detached);
  asio::co_spawn(io_, tick_rates(), asio::detached);
  o_.log.info("capture.start", {{"market", std::string(binance::exchange_name(o_.market))},
                                {"symbols", int64_t(o_.symbols.size())},
                                {"connections", int64_t(plans_.size())},
                                {"out", o_.out_dir.string()}});
  io_.run();
  recorder_->close();
  if (events_) {
    const LiveEventsResult r = events_->finish();
    std::lock_guard<std::mutex> lock(mu_);
    stats_.events = r.ok ? "done" : "failed";
    stats_.events_error = r.error;
    stats_.events_rows = r.rows;
  }
  frames_->finish();
  CaptureStats out = stats();
  std::string json;
  out.write_json(&json);
  durability::write_file_atomic(o_.out_dir / "report.json", json + "\n");
  o_.log.info(
      "capture.done",
      {{"frames", out.frames}, {"reconnects", out.reconnects}, {"duplicates", out.duplicates}});
  return out;
}

CaptureStats Capture::Impl::stats() const {
  CaptureStats out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out = stats_;
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  const RecorderStats r = recorder_->stats();
  out.record_lines = r.lines;
  out.record_durable_lines = r.durable_lines;
  out.record_cpu_seconds = static_cast<double>(r.cpu_ns) * 1e-9;
  frames_->fill_stats(&out);
  return out;
}

// Frames per second over a sliding 10 s window, for the metrics and the status line.
asio::awaitable<void> Capture::Impl::tick_rates() {
  auto next = Clock::now();
  while (!stopping_) {
    next += std::chrono::seconds(1);
    while (!stopping_ && Clock::now() < next) co_await sleep_for(std::chrono::milliseconds(50));
    frames_->tick_rates();
  }
}

asio::awaitable<void> Capture::Impl::stop_after(double seconds) {
  const auto end = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
  while (!stopping_ && Clock::now() < end) co_await sleep_for(std::chrono::milliseconds(20));
  stop();
}

// Connects and subscribes, retrying with backoff; null when the capture stops first.
asio::awaitable<std::shared_ptr<Capture::Impl::Conn>> Capture::Impl::open(
    const binance::ConnectionPlan& plan) {
  uint32_t failures = 0;
  Url url = Url::parse(venue_.ws_base);
  url.target = plan.path;
  while (!stopping_) {
    if (failures >= o_.breaker_failures) {
      // The circuit opens: no attempt for a cool-down, then one at a time again.
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.breaker_trips;
      }
      o_.log.warn("capture.breaker_open", {{"path", plan.path}, {"failures", int64_t{failures}}});
      const auto until = Clock::now() + std::chrono::milliseconds(o_.breaker_cooldown_ms);
      while (!stopping_ && Clock::now() < until) co_await sleep_for(std::chrono::milliseconds(50));
      failures = o_.breaker_failures - 1;
      continue;
    }
    try {
      auto conn = std::make_shared<Conn>();
      conn->id = next_conn_id_++;
      conn->plan = &plan;
      conn->ws = co_await ws_connect(*tls_, url, std::chrono::milliseconds(o_.connect_timeout_ms));
      conn->opened = Clock::now();
      conns_.push_back(conn);
      asio::co_spawn(io_, read_loop(conn), asio::detached);
      // SUBSCRIBE in chunks, below the venue's messages-per-second limit.
      const size_t chunk = 200;
      const auto pace =
          std::chrono::milliseconds(1000 / std::max(1u, venue_.max_messages_per_second - 1));
      for (size_t i = 0; i < plan.streams.size(); i += chunk) {
        std::string req = R"({"method":"SUBSCRIBE","params":[)";
        for (size_t k = i; k < std::min(plan.streams.size(), i + chunk); ++k) {
          req += (k == i ? "\"" : ",\"") + plan.streams[k] + "\"";
        }
        req += "],\"id\":" + std::to_string(i / chunk + 1) + "}";
        conn->ws->text(true);
        co_await conn->ws->async_write(asio::buffer(req), asio::use_awaitable);
        if (i + chunk < plan.streams.size()) co_await sleep_for(pace);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.connects;
      }
      o_.log.info("capture.connected", {{"url", url.str()},
                                        {"connection", int64_t{conn->id}},
                                        {"streams", int64_t(plan.streams.size())}});
      co_return conn;
    } catch (const std::exception& e) {
      ++failures;
      o_.log.warn(
          "capture.connect_failed",
          {{"url", url.str()}, {"error", describe_error(e)}, {"failures", int64_t{failures}}});
    }
    const auto until = Clock::now() + backoff(failures);
    while (!stopping_ && Clock::now() < until) co_await sleep_for(std::chrono::milliseconds(10));
  }
  co_return nullptr;
}

asio::awaitable<void> Capture::Impl::read_loop(std::shared_ptr<Conn> conn) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      buffer.clear();
      co_await conn->ws->async_read(buffer, asio::use_awaitable);
      const int64_t capture_ns = wall_ns();
      const auto data = buffer.cdata();
      on_frame(*conn, std::string_view(static_cast<const char*>(data.data()), data.size()),
               capture_ns);
    }
  } catch (const std::exception& e) {
    if (!stopping_) {
      o_.log.warn("capture.disconnected",
                  {{"connection", int64_t{conn->id}}, {"error", describe_error(e)}});
    }
  }
  conn->done = true;
}

// A connection for `plan`, kept for the whole capture: reconnects after a loss, and replaces
// itself before the venue's connection limit or on a shutdown notice, overlapping the two.
asio::awaitable<void> Capture::Impl::keep_connection(const binance::ConnectionPlan& plan) {
  std::shared_ptr<Conn> conn = co_await open(plan);
  while (conn != nullptr && !stopping_) {
    co_await sleep_for(std::chrono::milliseconds(20));
    if (conn->done) {
      std::erase(conns_, conn);
      if (stopping_) break;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.reconnects;
      }
      {
        std::lock_guard<std::mutex> lock(frames_->mutex());
        std::set<SymbolState*> carried;  // a symbol's several streams count one reconnect
        for (const auto& stream : plan.streams) {
          SymbolState* s = frames_->find(binance::symbol_of_stream(stream));
          if (s != nullptr && carried.insert(s).second) ++s->stats.reconnects;
        }
      }
      conn = co_await open(plan);
      continue;
    }
    const double age = std::chrono::duration<double>(Clock::now() - conn->opened).count();
    if (age < o_.rollover_after_s && !conn->shutdown_notice) continue;
    // Overlap: the fresh connection records what the old one has not; the old one closes once
    // the fresh one has reached every stream's last recorded id (or after a timeout).
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.rollovers;
    }
    o_.log.info("capture.rollover",
                {{"connection", int64_t{conn->id}},
                 {"reason", std::string(conn->shutdown_notice ? "shutdown notice" : "age")}});
    std::shared_ptr<Conn> fresh = co_await open(plan);
    if (fresh == nullptr) break;
    const auto until =
        Clock::now() + std::chrono::microseconds(static_cast<int64_t>(o_.overlap_timeout_s * 1e6));
    while (!stopping_ && !fresh->done && !conn->done && !caught_up(*fresh) &&
           Clock::now() < until) {
      co_await sleep_for(std::chrono::milliseconds(5));
    }
    close(*conn);
    while (!conn->done) co_await sleep_for(std::chrono::milliseconds(5));
    std::erase(conns_, conn);
    conn = fresh;
  }
}

bool Capture::Impl::caught_up(const Conn& fresh) const {
  for (const auto& stream : fresh.plan->streams) {
    const int64_t last = frames_->last_id(stream);
    if (last == kNull) continue;  // nothing recorded yet: nothing to reach
    const auto seen = fresh.seen.find(stream);
    if (seen == fresh.seen.end() || seen->second < last) return false;
  }
  return true;
}

void Capture::Impl::on_frame(Conn& conn, std::string_view text, int64_t capture_ns) {
  SymbolState* symbol = nullptr;
  switch (frames_->on_frame(text, capture_ns, conn.seen, &symbol)) {
    case FrameKind::kMarketData:
      if (symbol != nullptr && symbol->has_depth) maybe_request_snapshot(symbol->stats.symbol);
      break;
    case FrameKind::kShutdownNotice:
      conn.shutdown_notice = true;
      break;
    case FrameKind::kControl: {
      const bool error = text.find("\"error\"") != std::string_view::npos;
      o_.log.write(error ? LogLevel::kWarn : LogLevel::kDebug, "capture.control",
                   {{"connection", int64_t{conn.id}}, {"frame", std::string(text.substr(0, 300))}});
      break;
    }
    case FrameKind::kMalformed:
      o_.log.warn("capture.bad_frame", {{"connection", int64_t{conn.id}},
                                        {"problem", frames_->problem()},
                                        {"frame", std::string(text.substr(0, 300))}});
      break;
    case FrameKind::kDuplicate:
    case FrameKind::kUnsupported:
      break;
  }
}

void Capture::Impl::maybe_request_snapshot(const std::string& symbol) {
  SymbolState& s = *frames_->find(symbol);
  if (stopping_ || s.inflight || s.engine.synced() || s.engine.awaiting_bridge()) return;
  s.inflight = true;
  asio::co_spawn(io_, fetch_snapshot(symbol), asio::detached);
}

// One REST snapshot for `symbol`, within the request-weight budget; retried on 429 (after
// Retry-After), 418 (after the ban) and errors (with backoff). Recorded, then applied.
asio::awaitable<void> Capture::Impl::fetch_snapshot(std::string symbol) {
  SymbolState& s = *frames_->find(symbol);
  // Back off when snapshots keep failing to sync the book (a venue serving stale books).
  if (s.attempts > 0) co_await sleep_for(backoff(s.attempts - 1));
  ++s.attempts;
  Url url = Url::parse(venue_.rest_base);
  url.target =
      venue_.depth_path + "?symbol=" + symbol + "&limit=" + std::to_string(venue_.snapshot_limit);
  const uint32_t weight = venue_.depth_weight(venue_.snapshot_limit);
  uint32_t failures = 0;
  while (!stopping_) {
    if (!co_await take_weight(weight)) co_return;
    {
      std::lock_guard<std::mutex> lock(frames_->mutex());
      ++s.stats.snapshot_requests;
      s.stats.snapshot_weight += weight;
    }
    try {
      HttpResponse res =
          co_await https_get(*tls_, url, std::chrono::milliseconds(o_.connect_timeout_ms));
      if (res.status == 200) {
        if (!frames_->on_snapshot(symbol, url.target, res.body, wall_ns())) {
          o_.log.warn("capture.bad_snapshot",
                      {{"symbol", symbol}, {"problem", frames_->problem()}});
        }
        break;
      }
      const auto wait = std::chrono::seconds(res.retry_after_s >= 0 ? res.retry_after_s
                                             : res.status == 418    ? 120
                                                                    : 10);
      std::lock_guard<std::mutex> lock(mu_);
      if (res.status == 429 || res.status == 418) {
        ++(res.status == 429 ? stats_.rest_429 : stats_.rest_418);
        banned_until_ = Clock::now() + wait;
        o_.log.warn("capture.rest_limited",
                    {{"status", int64_t{res.status}}, {"retry_after_s", int64_t(wait.count())}});
        continue;
      }
      ++stats_.rest_errors;
      o_.log.warn("capture.rest_error",
                  {{"status", int64_t{res.status}}, {"body", res.body.substr(0, 200)}});
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.rest_errors;
      o_.log.warn("capture.rest_error", {{"symbol", symbol}, {"error", describe_error(e)}});
    }
    co_await sleep_for(backoff(failures++));
  }
  s.inflight = false;
  if (s.engine.synced()) s.attempts = 0;
  maybe_request_snapshot(symbol);
}

// Waits for a ban to end and for `weight` in the REST budget (a token bucket refilled at the
// venue's weight per minute, holding at most half a minute's), then takes it. False if stopped.
asio::awaitable<bool> Capture::Impl::take_weight(uint32_t weight) {
  for (;;) {
    const auto now = Clock::now();
    tokens_ = std::min(venue_.weight_per_minute / 2.0,
                       tokens_ + std::chrono::duration<double>(now - refilled_).count() *
                                     venue_.weight_per_minute / 60.0);
    refilled_ = now;
    if (now >= banned_until_ && tokens_ >= weight) break;
    if (stopping_) co_return false;
    co_await sleep_for(std::chrono::milliseconds(20));
  }
  tokens_ -= weight;
  co_return true;
}

Capture::Capture(CaptureOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Capture::~Capture() = default;
CaptureStats Capture::run() { return impl_->run(); }
void Capture::stop() { impl_->stop(); }
CaptureStats Capture::stats() const { return impl_->stats(); }
uint16_t Capture::metrics_port() const { return impl_->metrics_port(); }

}  // namespace rlx::live
