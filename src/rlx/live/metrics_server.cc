#include "rlx/live/metrics_server.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "rlx/core/error.h"

namespace rlx::live {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class MetricsServer::Impl {
 public:
  Impl(const std::string& host, uint16_t port, std::function<std::string()> render)
      : render_(std::move(render)), acceptor_(io_) {
    try {
      const tcp::endpoint at(asio::ip::make_address(host), port);
      acceptor_.open(at.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(at);
      acceptor_.listen();
    } catch (const std::exception& e) {
      throw Error(StatusCode::kInvalidArgument,
                  "cannot serve metrics on " + host + ":" + std::to_string(port) + ": " + e.what());
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  uint64_t scrapes() const { return scrapes_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  // One request per connection (Connection: close): scrapes are seconds apart.
  asio::awaitable<void> serve(beast::tcp_stream stream) {
    try {
      beast::flat_buffer buffer;
      http::request<http::empty_body> req;
      stream.expires_after(std::chrono::seconds(10));
      co_await http::async_read(stream, buffer, req, asio::use_awaitable);
      http::response<http::string_body> res;
      res.version(req.version());
      res.keep_alive(false);
      const std::string_view target = req.target();
      const std::string_view path = target.substr(0, target.find('?'));
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
      } else if (path != "/metrics") {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "rlx serves its metrics at /metrics\n";
      } else {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        if (req.method() == http::verb::get) res.body() = render_();
        ++scrapes_;
      }
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::use_awaitable);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    } catch (const std::exception&) {
      // A client that went away or sent garbage: nothing to answer.
    }
  }

  std::function<std::string()> render_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> scrapes_{0};
  std::thread thread_;
};

MetricsServer::MetricsServer(const std::string& host, uint16_t port,
                             std::function<std::string()> render)
    : impl_(std::make_unique<Impl>(host, port, std::move(render))) {}
MetricsServer::~MetricsServer() = default;
uint16_t MetricsServer::port() const { return impl_->port(); }
uint64_t MetricsServer::scrapes() const { return impl_->scrapes(); }

}  // namespace rlx::live
