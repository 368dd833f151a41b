#include "rlx/exchange/local_exchange.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/binance/venue.h"
#include "rlx/book/book_engine.h"
#include "rlx/core/error.h"
#include "rlx/io/line_reader.h"

namespace rlx::exchange {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

namespace {

// One line of a capture: a WebSocket frame (stream and data bytes) or a REST snapshot body.
struct Frame {
  int64_t local_ns = 0;
  bool rest = false;
  std::string stream;  // frames
  std::string data;    // frame data, or the REST body
  std::string url;     // REST url when the capture has it
};

// The frames of one capture file (and, for a cryptofeed `X.ws.1.0`, its `X.http.0.0`), merged
// by local time, websocket first on ties.
class CaptureFrames {
 public:
  explicit CaptureFrames(const fs::path& path) {
    std::string_view line;
    {
      io::LineReader probe(path.string());
      while (probe.next(&line) && line.empty()) {
      }
      format_ = binance::detect_capture_format(line);
      if (format_ == binance::CaptureFormat::kUnknown) {
        throw bad_input(Location{path.string(), probe.line_number(), ""},
                        "not a Binance capture rlx can serve");
      }
    }
    add_source(path, false);
    const std::string name = path.filename().string();
    const size_t ws = name.rfind(".ws.");
    if (format_ == binance::CaptureFormat::kCryptofeed && ws != std::string::npos) {
      const fs::path http = path.parent_path() / (name.substr(0, ws) + ".http.0.0");
      if (fs::exists(http)) {
        add_source(http, true);
      }
    }
  }

  bool next(Frame* out) {
    Source* pick = nullptr;
    for (auto& s : sources_) {
      if (!s.has && !s.done) read(&s);
      if (s.has && (pick == nullptr || s.frame.local_ns < pick->frame.local_ns)) pick = &s;
    }
    if (pick == nullptr) return false;
    *out = std::move(pick->frame);
    pick->has = false;
    return true;
  }

 private:
  struct Source {
    std::unique_ptr<io::LineReader> lines;
    bool http = false;
    bool has = false;
    bool done = false;
    Frame frame;
  };

  void add_source(const fs::path& path, bool http) {
    Source& s = sources_.emplace_back();
    s.lines = std::make_unique<io::LineReader>(path.string());
    s.http = http;
  }

  void read(Source* s) {
    std::string_view line;
    while (s->lines->next(&line)) {
      if (line.empty()) continue;
      binance::CaptureLine parts;
      std::string field, what;
      if (!binance::split_capture_line(format_, s->http, line, &parts, &field, &what)) {
        throw bad_input(Location{s->lines->path(), s->lines->line_number(), field}, what);
      }
      if (parts.header) continue;
      Frame& f = s->frame;
      f = Frame{};
      f.local_ns = parts.received;
      std::string_view stream, data;
      int64_t capture_ns = kNull;
      if (binance::split_envelope(parts.json, &stream, &data, &capture_ns)) {
        if (capture_ns != kNull) f.local_ns = capture_ns;
        // A golden record holds REST snapshots as `<symbol>@depthSnapshot` lines.
        f.rest = stream.find("@depthSnapshot") != std::string_view::npos;
        f.stream.assign(stream);
        f.data.assign(data);
      } else {
        f.rest = true;
        f.data.assign(parts.json);
        f.url.assign(parts.url);
      }
      s->has = true;
      return;
    }
    s->done = true;
  }

  binance::CaptureFormat format_;
  std::vector<Source> sources_;
};

std::string query_param(std::string_view target, std::string_view key) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view kv = query.substr(0, amp);
    if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=') {
      return std::string(kv.substr(key.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return "";
}

using WsStream = websocket::stream<ssl::stream<beast::tcp_stream>>;

struct Book {
  book::BookEngine engine;
  Message first_snapshot;
  bool has_first = false;
  bool has_depth = false;
  int64_t last_event_ms = 0;
  int32_t drop_diffs = 0;  // fault: diffs still to drop
  bool stale_next = false;
};

class NullConsumer : public book::EventConsumer {
 public:
  void on_event(const Event&, const book::OrderBook&) override {}
};

}  // namespace

class LocalExchange::Impl {
 public:
  explicit Impl(ExchangeOptions options);
  ~Impl() { stop(); }

  void stop();
  void inject(const FaultSpec& f) {
    asio::post(io_, [this, f] { apply_fault(f); });
  }

  ExchangeOptions options_;
  Market market_ = Market::kUnknown;
  std::vector<std::string> streams_;
  std::set<std::string> symbols_;        // lower case, as in stream names
  std::set<std::string> depth_symbols_;  // upper case, as in messages
  uint16_t port_ = 0;

  mutable std::mutex mu_;  // guards served_, snapshots_served_
  mutable std::condition_variable finished_cv_;
  std::vector<ServedConnection> served_;
  std::vector<std::string> snapshots_served_;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> rest_requests_{0};
  bool finished_ = false;

 private:
  struct Session {
    std::unique_ptr<WsStream> ws;
    std::string path;
    std::set<std::string> streams;
    std::deque<std::shared_ptr<const std::string>> out;
    std::unique_ptr<asio::steady_timer> wake;
    bool closed = false;
    size_t served_index = 0;
    std::chrono::steady_clock::time_point opened;
  };

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  asio::awaitable<void> session_reader(std::shared_ptr<Session> s);
  asio::awaitable<void> session_writer(std::shared_ptr<Session> s);
  asio::awaitable<void> publish();
  bool next_frame(Frame* out);
  bool servable(const Message& m) const;
  bool drop_by_fault(const Message& m);
  asio::awaitable<void> queues_below(size_t limit);
  asio::awaitable<void> limit_connections();
  void send(Session& s, std::shared_ptr<const std::string> text);
  void close(Session& s);
  std::string control_reply(Session& s, std::string_view request);
  bool serves_on(const Session& s, std::string_view stream) const;
  http::response<http::string_body> rest(const http::request<http::string_body>& req);
  std::string snapshot_body(const std::string& symbol, Book& b, uint32_t limit);
  // Applies one capture frame (`json`: its WebSocket text, or a REST body) to the exchange's book.
  void feed(const Frame& f, std::string_view json, Message* m);
  void apply_fault(const FaultSpec& f);
  void mark_finished();

  asio::io_context io_;
  ssl::context tls_{ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::vector<std::unique_ptr<CaptureFrames>> captures_;
  std::vector<Frame> heads_;
  std::vector<bool> has_head_;
  binance::PayloadParser parser_;
  std::map<std::string, Book> books_;
  std::vector<std::shared_ptr<Session>> sessions_;
  bool subscribed_ = false;
  NullConsumer null_;
  // REST budget: a fixed one-minute window.
  std::chrono::steady_clock::time_point window_start_{};
  uint32_t window_weight_ = 0;
  uint32_t over_budget_ = 0;
  std::chrono::steady_clock::time_point banned_until_{};
  uint32_t forced_429_ = 0, forced_418_ = 0, forced_seconds_ = 1;
  uint32_t slow_frames_ = 0, slow_ms_ = 0;
  uint32_t connection_limit_s_ = 0;
  std::string file_symbol_;  // for REST snapshots without a symbol (spot hftbacktest)
};

LocalExchange::Impl::Impl(ExchangeOptions options) : options_(std::move(options)) {
  if (options_.captures.empty())
    throw Error(StatusCode::kInvalidArgument, "the exchange needs a capture");
  std::set<std::string> streams;
  for (const auto& path : options_.captures) {
    captures_.push_back(std::make_unique<CaptureFrames>(path));
    // The market and the streams, from a first pass over the capture's head.
    CaptureFrames probe(path);
    Frame f;
    Message m;
    for (int i = 0; i < 100000 && probe.next(&f); ++i) {
      if (f.rest) continue;
      streams.insert(f.stream);
      symbols_.insert(f.stream.substr(0, f.stream.find('@')));
      if (f.stream.find("@depth") != std::string::npos) {
        depth_symbols_.insert(binance::symbol_of_stream(f.stream));
      }
      if (file_symbol_.empty()) file_symbol_ = binance::symbol_of_stream(f.stream);
      const std::string env = R"({"stream":")" + f.stream + R"(","data":)" + f.data + "}";
      if (market_ == Market::kUnknown &&
          parser_.parse(env, {}, &m) == binance::PayloadResult::kMessage &&
          parser_.learned_market() != Market::kUnknown) {
        market_ = parser_.learned_market();
      }
    }
  }
  if (market_ == Market::kUnknown) market_ = Market::kSpot;
  streams_.assign(streams.begin(), streams.end());
  heads_.resize(captures_.size());
  has_head_.assign(captures_.size(), false);

  boost::system::error_code ec;
  tls_.use_certificate_chain_file(options_.pki.server_cert.string(), ec);
  if (!ec) tls_.use_private_key_file(options_.pki.server_key.string(), ssl::context::pem, ec);
  if (ec) {
    throw Error(StatusCode::kInvalidArgument, Location{options_.pki.server_cert.string(), 0, ""},
                "cannot load the server certificate: " + ec.message());
  }
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    throw Error(StatusCode::kInvalidArgument,
                "--host must be an IP address to listen on, not '" + options_.host + "'");
  }
  const tcp::endpoint ep(address, options_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(StatusCode::kInvalidArgument, "cannot listen on " + options_.host + ":" +
                                                  std::to_string(options_.port) + ": " +
                                                  ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  asio::co_spawn(io_, publish(), asio::detached);
  asio::co_spawn(io_, limit_connections(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  options_.log.info("exchange.listening", {{"port", int64_t{port_}},
                                           {"market", std::string(binance::exchange_name(market_))},
                                           {"streams", int64_t(streams_.size())}});
}

void LocalExchange::Impl::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  mark_finished();
}

void LocalExchange::Impl::mark_finished() {
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  finished_cv_.notify_all();
}

asio::awaitable<void> LocalExchange::Impl::accept_loop() {
  for (;;) {
    tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

// One TCP connection: TLS, then HTTP requests until an upgrade to a WebSocket or a close.
asio::awaitable<void> LocalExchange::Impl::serve(tcp::socket socket) {
  try {
    auto stream = std::make_unique<ssl::stream<beast::tcp_stream>>(
        beast::tcp_stream(std::move(socket)), tls_);
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(30));
    co_await stream->async_handshake(ssl::stream_base::server, asio::use_awaitable);
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(60));
      co_await http::async_read(*stream, buffer, req, asio::use_awaitable);
      if (websocket::is_upgrade(req)) {
        const std::string target(req.target());
        const std::string path = target.substr(0, target.find('?'));
        const bool usdm = market_ == Market::kUsdM;
        const bool ok = usdm ? (path == "/public/stream" || path == "/market/stream")
                             : (path == "/stream" || path.rfind("/ws", 0) == 0);
        if (!ok) {
          http::response<http::string_body> res{http::status::not_found, req.version()};
          res.body() = usdm ? "USD-M market streams are served on /public and /market since "
                              "2026-04-23"
                            : "unknown path";
          res.prepare_payload();
          co_await http::async_write(*stream, res, asio::use_awaitable);
          co_return;
        }
        auto s = std::make_shared<Session>();
        s->ws = std::make_unique<WsStream>(std::move(*stream));
        beast::get_lowest_layer(*s->ws).expires_never();
        s->ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        s->path = path;
        s->wake = std::make_unique<asio::steady_timer>(io_);
        s->wake->expires_at(asio::steady_timer::time_point::max());
        s->opened = std::chrono::steady_clock::now();
        const std::string list = query_param(target, "streams");
        size_t at = 0;
        while (at < list.size()) {
          const size_t slash = list.find('/', at);
          const std::string name = list.substr(at, slash - at);
          if (!name.empty() && serves_on(*s, name)) s->streams.insert(name);
          at = slash == std::string::npos ? list.size() : slash + 1;
        }
        co_await s->ws->async_accept(req, asio::use_awaitable);
        {
          std::lock_guard<std::mutex> lock(mu_);
          s->served_index = served_.size();
          served_.push_back(ServedConnection{path, {}});
        }
        if (!s->streams.empty()) subscribed_ = true;
        sessions_.push_back(s);
        asio::co_spawn(io_, session_writer(s), asio::detached);
        co_await session_reader(s);
        co_return;
      }
      auto res = rest(req);
      const bool keep = req.keep_alive();
      res.keep_alive(keep);
      co_await http::async_write(*stream, res, asio::use_awaitable);
      if (!keep) co_return;
    }
  } catch (const std::exception& e) {
    options_.log.write(LogLevel::kDebug, "exchange.connection_closed",
                       {{"reason", std::string(e.what())}});
  }
}

bool LocalExchange::Impl::serves_on(const Session& s, std::string_view stream) const {
  if (market_ != Market::kUsdM) return true;
  return s.path == binance::venue_for(market_).path_for(stream);
}

asio::awaitable<void> LocalExchange::Impl::session_reader(std::shared_ptr<Session> s) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      buffer.clear();
      co_await s->ws->async_read(buffer, asio::use_awaitable);
      const std::string request = beast::buffers_to_string(buffer.data());
      send(*s, std::make_shared<const std::string>(control_reply(*s, request)));
    }
  } catch (const std::exception&) {
  }
  close(*s);
}

// SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, answered as the venue does.
std::string LocalExchange::Impl::control_reply(Session& s, std::string_view request) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  int64_t id = 0;
  std::string_view method;
  if (parser.parse(request.data(), request.size()).get(doc) ||
      doc["method"].get_string().get(method) || doc["id"].get_int64().get(id)) {
    return R"({"error":{"code":3,"msg":"Invalid JSON"}})";
  }
  const std::string id_text = std::to_string(id);
  if (method == "LIST_SUBSCRIPTIONS") {
    std::string out = R"({"result":[)";
    bool first = true;
    for (const auto& name : s.streams) {
      out += (first ? "\"" : ",\"") + name + "\"";
      first = false;
    }
    return out + "],\"id\":" + id_text + "}";
  }
  if (method != "SUBSCRIBE" && method != "UNSUBSCRIBE") {
    return R"({"error":{"code":1,"msg":"Unknown method"},"id":)" + id_text + "}";
  }
  simdjson::dom::array params;
  if (doc["params"].get_array().get(params)) {
    return R"({"error":{"code":2,"msg":"Invalid request: params"},"id":)" + id_text + "}";
  }
  for (auto p : params) {
    std::string_view name;
    if (p.get_string().get(name)) continue;
    const std::string stream(name);
    if (method == "UNSUBSCRIBE") {
      s.streams.erase(stream);
      continue;
    }
    // Any stream of a symbol the capture holds may be asked for (a quiet one sends nothing).
    auto error = [&](const std::string& msg) {
      std::string out = R"({"error":{"code":2,"msg":")";
      out.append(msg).append(R"("},"id":)").append(id_text).append("}");
      return out;
    };
    if (symbols_.count(stream.substr(0, stream.find('@'))) == 0) {
      return error("symbol of " + stream + " is not in the capture this exchange serves");
    }
    if (!serves_on(s, stream)) {
      std::string msg = "stream " + stream;
      msg.append(" is served on ").append(binance::venue_for(market_).path_for(stream));
      return error(msg.append(", not here"));
    }
    s.streams.insert(stream);
    subscribed_ = true;
  }
  return R"({"result":null,"id":)" + id_text + "}";
}

void LocalExchange::Impl::send(Session& s, std::shared_ptr<const std::string> text) {
  if (s.closed) return;
  s.out.push_back(std::move(text));
  s.wake->cancel();
}

void LocalExchange::Impl::close(Session& s) {
  if (s.closed) return;
  s.closed = true;
  s.wake->cancel();
  beast::error_code ec;
  beast::get_lowest_layer(*s.ws).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(*s.ws).socket().close(ec);
}

asio::awaitable<void> LocalExchange::Impl::session_writer(std::shared_ptr<Session> s) {
  try {
    while (!s->closed) {
      if (s->out.empty()) {
        s->wake->expires_at(asio::steady_timer::time_point::max());
        beast::error_code ec;
        co_await s->wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      auto text = s->out.front();
      s->out.pop_front();
      s->ws->text(true);
      co_await s->ws->async_write(asio::buffer(*text), asio::use_awaitable);
      if (options_.record_served) {
        std::lock_guard<std::mutex> lock(mu_);
        served_[s->served_index].frames.push_back(*text);
      }
    }
  } catch (const std::exception&) {
  }
  close(*s);
}

void LocalExchange::Impl::feed(const Frame& f, std::string_view json, Message* m) {
  binance::PayloadContext ctx;
  ctx.market = market_;
  ctx.url = f.url;
  if (parser_.parse(json, ctx, m) != binance::PayloadResult::kMessage) return;
  if (m->symbol.empty()) m->symbol = file_symbol_;
  Book& b = books_[m->symbol];
  if (m->origin_time != kNull) b.last_event_ms = m->origin_time / 1'000'000;
  if (m->kind == MessageKind::kSnapshot && !b.has_first) {
    b.first_snapshot = *m;
    b.has_first = true;
  }
  if (m->kind == MessageKind::kDelta) b.has_depth = true;
  b.engine.on_message(*m, null_);
}

// The next frame of all captures, in local receive order (false when every capture is done).
bool LocalExchange::Impl::next_frame(Frame* out) {
  size_t pick = captures_.size();
  for (size_t i = 0; i < captures_.size(); ++i) {
    if (!has_head_[i]) has_head_[i] = captures_[i]->next(&heads_[i]);
    if (has_head_[i] && (pick == captures_.size() || heads_[i].local_ns < heads_[pick].local_ns)) {
      pick = i;
    }
  }
  if (pick == captures_.size()) return false;
  *out = std::move(heads_[pick]);
  has_head_[pick] = false;
  return true;
}

// A symbol's frames are served from the point where the exchange's own book of it is synced
// (its REST snapshots are exact from then on).
bool LocalExchange::Impl::servable(const Message& m) const {
  if (m.symbol.empty() || depth_symbols_.count(m.symbol) == 0) return true;
  const auto it = books_.find(m.symbol);
  return it != books_.end() && it->second.engine.synced();
}

// The kDropDiff fault: true when this diff is to be withheld.
bool LocalExchange::Impl::drop_by_fault(const Message& m) {
  if (m.kind != MessageKind::kDelta) return false;
  const auto it = books_.find(m.symbol);
  if (it == books_.end() || it->second.drop_diffs <= 0) return false;
  --it->second.drop_diffs;
  options_.log.info("exchange.fault_dropped_diff", {{"symbol", m.symbol}});
  return true;
}

// Waits until no open connection has `limit` or more frames queued.
asio::awaitable<void> LocalExchange::Impl::queues_below(size_t limit) {
  asio::steady_timer timer(io_);
  for (;;) {
    size_t most = 0;
    for (const auto& s : sessions_) {
      if (!s->closed) most = std::max(most, s->out.size());
    }
    if (most < limit) co_return;
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// The publisher: pre-rolls each capture until every symbol with depth has a synced book, then
// sends frames to their subscribers, at the capture's pace times `speed` (or as fast as they
// are read), with the injected faults.
asio::awaitable<void> LocalExchange::Impl::publish() {
  asio::steady_timer timer(io_);
  const auto sleep_until = [&](std::chrono::steady_clock::time_point t) {
    timer.expires_at(t);
    return timer.async_wait(asio::use_awaitable);
  };
  try {
    // Wait for a subscriber, then a moment for the others.
    while (!subscribed_)
      co_await sleep_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
    co_await sleep_until(std::chrono::steady_clock::now() + options_.start_wait);
    Frame f;
    Message m;
    bool have = next_frame(&f);
    const auto start = std::chrono::steady_clock::now();
    const int64_t first_ns = have ? f.local_ns : 0;
    uint64_t published = 0;
    for (; have; have = next_frame(&f)) {
      if (options_.max_frames > 0 && published >= options_.max_frames) break;
      if (options_.speed > 0) {
        const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(
                                     static_cast<double>(f.local_ns - first_ns) / options_.speed));
        if (due > std::chrono::steady_clock::now()) co_await sleep_until(due);
      }
      // The text a subscriber gets; a REST body recorded with its stream is read the same way.
      const bool envelope = !f.rest || !f.stream.empty();
      auto text = std::make_shared<const std::string>(
          envelope ? R"({"stream":")" + f.stream + R"(","data":)" + f.data + "}" : std::string());
      feed(f, envelope ? std::string_view(*text) : std::string_view(f.data), &m);
      if (f.rest || !servable(m)) continue;
      published_.store(++published);
      if (slow_frames_ > 0) {
        --slow_frames_;
        co_await sleep_until(std::chrono::steady_clock::now() +
                             std::chrono::milliseconds(slow_ms_));
      }
      if (drop_by_fault(m)) continue;
      for (auto& s : sessions_) {
        if (!s->closed && s->streams.count(f.stream) != 0) send(*s, text);
      }
      co_await queues_below(options_.max_queued_frames);
      std::erase_if(sessions_, [](const auto& s) { return s->closed && s->out.empty(); });
    }
    co_await queues_below(1);  // every frame sent before saying so
  } catch (const std::exception& e) {
    options_.log.write(LogLevel::kError, "exchange.publish_failed",
                       {{"error", std::string(e.what())}});
  }
  mark_finished();
}

asio::awaitable<void> LocalExchange::Impl::limit_connections() {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(asio::use_awaitable);
    if (connection_limit_s_ == 0) continue;
    const auto now = std::chrono::steady_clock::now();
    for (auto& s : sessions_) {
      if (!s->closed && now - s->opened >= std::chrono::seconds(connection_limit_s_)) close(*s);
    }
  }
}

void LocalExchange::Impl::apply_fault(const FaultSpec& f) {
  options_.log.info("exchange.fault", {{"fault", int64_t(f.fault)}, {"symbol", f.symbol}});
  switch (f.fault) {
    case Fault::kDropDiff:
      books_[f.symbol].drop_diffs += static_cast<int32_t>(f.count);
      break;
    case Fault::kDisconnect:
      for (auto& s : sessions_) close(*s);
      break;
    case Fault::kStaleSnapshot:
      books_[f.symbol].stale_next = true;
      break;
    case Fault::kTooManyRequests:
      forced_429_ = f.count;
      forced_seconds_ = f.seconds;
      break;
    case Fault::kBan:
      forced_418_ = f.count;
      forced_seconds_ = f.seconds;
      break;
    case Fault::kSlow:
      slow_frames_ = f.count;
      slow_ms_ = f.milliseconds;
      break;
    case Fault::kMalformedFrame: {
      auto text = std::make_shared<const std::string>(
          R"({"stream":")" + (streams_.empty() ? std::string("x@depth") : streams_.front()) +
          R"(","data":{"e":"depthUpdate","E":)");
      for (auto& s : sessions_) send(*s, text);
      break;
    }
    case Fault::kShutdownNotice: {
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      auto text = std::make_shared<const std::string>(
          R"({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":)" +
          std::to_string(now_ms) + "}}");
      std::vector<std::shared_ptr<Session>> notified;
      for (auto& s : sessions_) {
        if (!s->closed) {
          send(*s, text);
          notified.push_back(s);
        }
      }
      auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(f.seconds));
      timer->async_wait([this, timer, notified](const beast::error_code&) {
        for (auto& s : notified) close(*s);
      });
      break;
    }
    case Fault::kConnectionLimit:
      connection_limit_s_ = f.seconds;
      break;
  }
}

std::string LocalExchange::Impl::snapshot_body(const std::string& symbol, Book& b, uint32_t limit) {
  std::string out = R"({"lastUpdateId":)";
  const bool stale = b.stale_next && b.has_first;
  b.stale_next = false;
  if (stale) {
    out += std::to_string(b.first_snapshot.update_id);
  } else {
    out += std::to_string(b.engine.last_update_id());
  }
  if (market_ != Market::kSpot) {
    out +=
        R"(,"E":)" + std::to_string(b.last_event_ms) + R"(,"T":)" + std::to_string(b.last_event_ms);
  }
  if (market_ == Market::kCoinM) {
    out += R"(,"symbol":")" + symbol + R"(","pair":")" + symbol.substr(0, symbol.find('_')) + "\"";
  }
  auto side = [&](Side which, const char* name) {
    out += ",\"";
    out += name;
    out += "\":[";
    size_t n = 0;
    if (stale) {
      for (const auto& l : b.first_snapshot.levels) {
        if (l.side != which || n >= limit) continue;
        out += (n++ == 0 ? "[\"" : ",[\"") + l.price.to_string() + "\",\"" + l.size.to_string() +
               "\"]";
      }
    } else {
      const auto& book = b.engine.book();
      const size_t depth = std::min<size_t>(book.depth(which), limit);
      for (size_t i = 0; i < depth; ++i) {
        const Level& l = book.level(which, i);
        out += (n++ == 0 ? "[\"" : ",[\"") + l.price.to_string() + "\",\"" + l.size.to_string() +
               "\"]";
      }
    }
    out += "]";
  };
  side(Side::kBid, "bids");
  side(Side::kAsk, "asks");
  out += "}";
  return out;
}

http::response<http::string_body> LocalExchange::Impl::rest(
    const http::request<http::string_body>& req) {
  ++rest_requests_;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto reply = [&](http::status status, std::string body) {
    res.result(status);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  const binance::Venue venue = binance::venue_for(market_);
  if (path != venue.depth_path)
    return reply(http::status::not_found, R"({"code":-1,"msg":"not found"})");
  const auto now = std::chrono::steady_clock::now();
  auto retry = [&](http::status status, uint32_t seconds) {
    res.set("Retry-After", std::to_string(seconds));
    return reply(status, status == http::status::too_many_requests
                             ? R"({"code":-1003,"msg":"Too many requests."})"
                             : R"({"code":-1003,"msg":"Way too many requests; IP banned."})");
  };
  if (forced_418_ > 0) {
    --forced_418_;
    return retry(static_cast<http::status>(418), forced_seconds_);
  }
  if (forced_429_ > 0) {
    --forced_429_;
    return retry(http::status::too_many_requests, forced_seconds_);
  }
  if (now < banned_until_) {
    return retry(static_cast<http::status>(418),
                 static_cast<uint32_t>(
                     std::chrono::ceil<std::chrono::seconds>(banned_until_ - now).count()));
  }
  const std::string symbol = query_param(target, "symbol");
  uint32_t limit = market_ == Market::kSpot ? 100 : 500;
  if (const std::string l = query_param(target, "limit"); !l.empty()) limit = std::stoul(l);
  limit = std::min<uint32_t>(limit, market_ == Market::kSpot ? 5000 : 1000);
  if (now - window_start_ >= std::chrono::minutes(1)) {
    window_start_ = now;
    window_weight_ = 0;
    over_budget_ = 0;
  }
  const uint32_t budget =
      options_.weight_per_minute > 0 ? options_.weight_per_minute : venue.weight_per_minute;
  const uint32_t weight = venue.depth_weight(limit);
  if (window_weight_ + weight > budget) {
    // A client that ignores 429s gets banned, as the venue does.
    if (++over_budget_ > 3) {
      banned_until_ = now + std::chrono::seconds(120);
      return retry(static_cast<http::status>(418), 120);
    }
    return retry(http::status::too_many_requests,
                 static_cast<uint32_t>(std::chrono::ceil<std::chrono::seconds>(
                                           window_start_ + std::chrono::minutes(1) - now)
                                           .count()));
  }
  window_weight_ += weight;
  res.set("X-MBX-USED-WEIGHT-1M", std::to_string(window_weight_));
  auto it = books_.find(symbol);
  if (symbol.empty() || it == books_.end()) {
    return reply(http::status::bad_request, R"({"code":-1121,"msg":"Invalid symbol."})");
  }
  if (!it->second.engine.synced()) {
    return reply(http::status::service_unavailable,
                 R"({"code":-1,"msg":"the replayed book of this symbol is not synced yet"})");
  }
  std::string body = snapshot_body(symbol, it->second, limit);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (options_.record_served) snapshots_served_.push_back(body);
  }
  return reply(http::status::ok, std::move(body));
}

LocalExchange::LocalExchange(ExchangeOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
LocalExchange::~LocalExchange() = default;
uint16_t LocalExchange::port() const { return impl_->port_; }
Market LocalExchange::market() const { return impl_->market_; }
std::string LocalExchange::ws_base() const {
  return "wss://" + impl_->options_.host + ":" + std::to_string(impl_->port_);
}
std::string LocalExchange::rest_base() const {
  return "https://" + impl_->options_.host + ":" + std::to_string(impl_->port_);
}
std::vector<std::string> LocalExchange::streams() const { return impl_->streams_; }
void LocalExchange::inject(const FaultSpec& fault) { impl_->inject(fault); }
uint64_t LocalExchange::frames_published() const { return impl_->published_.load(); }
bool LocalExchange::finished() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->finished_;
}
bool LocalExchange::wait_finished(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu_);
  return impl_->finished_cv_.wait_for(lock, timeout, [&] { return impl_->finished_; });
}
std::vector<ServedConnection> LocalExchange::served() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->served_;
}
std::vector<std::string> LocalExchange::served_snapshots() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->snapshots_served_;
}
uint64_t LocalExchange::rest_requests() const { return impl_->rest_requests_.load(); }
void LocalExchange::stop() { impl_->stop(); }

}  // namespace rlx::exchange
