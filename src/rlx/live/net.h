// TLS WebSocket and HTTPS clients for capture, on Boost.Beast/Asio C++20 coroutines and OpenSSL.
// Certificates are always verified: the chain against the CA bundle (the system's, or a given
// file) and the host name (or IP address) against the certificate. There is no switch to turn
// verification off.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rlx::live {

// "wss://host:port/path?query" or "https://host:port/path?query".
struct Url {
  std::string scheme;  // "wss" or "https"
  std::string host;
  std::string port;    // defaults to "443"
  std::string target;  // path and query, "/" when empty

  // Throws Error(kInvalidArgument) naming the text when it is no wss/https url.
  static Url parse(std::string_view text);
  std::string str() const;  // scheme://host:port/target
};

// A client TLS context: TLS 1.2 or newer, peer verification on, trusting `ca_file` if given,
// else the system's default bundle. Throws Error(kInvalidArgument) when the CA file cannot be
// loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file);

using WsStream =
    boost::beast::websocket::stream<boost::asio::ssl::stream<boost::beast::tcp_stream>>;

// Coroutines take their arguments by value: a caller's temporaries end before they run.
// Resolves, connects, verifies the certificate (SNI and host check) and upgrades to a
// WebSocket at url.target, within `timeout`. Throws boost::system::system_error; a certificate
// that fails verification names why (describe_error).
boost::asio::awaitable<std::unique_ptr<WsStream>> ws_connect(boost::asio::ssl::context& tls,
                                                             Url url,
                                                             std::chrono::milliseconds timeout);

struct HttpResponse {
  uint32_t status = 0;
  std::string body;
  int64_t retry_after_s = -1;  // Retry-After header in seconds, -1 when absent
  int64_t used_weight = -1;    // X-MBX-USED-WEIGHT-1M, -1 when absent
};

// One HTTPS GET on a new connection, within `timeout`. Throws boost::system::system_error.
boost::asio::awaitable<HttpResponse> https_get(boost::asio::ssl::context& tls, Url url,
                                               std::chrono::milliseconds timeout);

// A readable description of a network failure: a TLS verification failure says what failed
// ("certificate verify failed: hostname mismatch").
std::string describe_error(const std::exception& e);

// Nanoseconds since the epoch, from the system clock (capture timestamps).
int64_t wall_ns();

}  // namespace rlx::live
