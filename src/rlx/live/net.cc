#include "rlx/live/net.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <charconv>

#include "rlx/core/error.h"

namespace rlx::live {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

Url Url::parse(std::string_view text) {
  Url u;
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    throw Error(
        StatusCode::kInvalidArgument,
        "not a url (expected wss://host[:port]/path or https://...): '" + std::string(text) + "'");
  }
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "wss" && u.scheme != "https") {
    throw Error(StatusCode::kInvalidArgument,
                "only wss:// and https:// urls are supported (TLS is required): '" +
                    std::string(text) + "'");
  }
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw Error(StatusCode::kInvalidArgument, "bad IPv6 host in url '" + std::string(text) + "'");
    }
    u.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    u.port =
        authority.size() > 1 && authority.front() == ':' ? std::string(authority.substr(1)) : "443";
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    u.port = colon == std::string_view::npos ? "443" : std::string(authority.substr(colon + 1));
  }
  if (u.host.empty())
    throw Error(StatusCode::kInvalidArgument, "no host in url '" + std::string(text) + "'");
  return u;
}

std::string Url::str() const { return scheme + "://" + host + ":" + port + target; }

std::shared_ptr<ssl::context> make_client_tls(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    throw Error(StatusCode::kInvalidArgument, Location{ca_file, 0, ""},
                "cannot load the CA bundle: " + ec.message());
  }
  return ctx;
}

namespace {

// SNI plus OpenSSL's own host (or IP) check during the handshake, so a mismatch fails the
// handshake with X509_V_ERR_HOSTNAME_MISMATCH / _IP_ADDRESS_MISMATCH.
void expect_host(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  (void)address;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
}

// The verification result of a failed handshake, if that is why it failed.
std::string verify_failure(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return "";
  return X509_verify_cert_error_string(result);
}

template <class TlsStream>
asio::awaitable<void> tls_connect(TlsStream& stream, const Url& url,
                                  std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(timeout);
  co_await tcp_layer.async_connect(endpoints, asio::use_awaitable);
  expect_host(stream.native_handle(), url.host);
  try {
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    const std::string why = verify_failure(stream.native_handle());
    if (why.empty()) throw;
    throw boost::system::system_error(e.code(),
                                      "certificate verify failed: " + why + " (" + url.host + ")");
  }
}

}  // namespace

asio::awaitable<std::unique_ptr<WsStream>> ws_connect(ssl::context& tls, Url url,
                                                      std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  auto ws = std::make_unique<WsStream>(ex, tls);
  co_await tls_connect(ws->next_layer(), url, timeout);
  beast::get_lowest_layer(*ws).expires_never();
  // Replies to the server's pings (Beast does by default), pings after idle silence and
  // closes a connection that stays silent: the venue's keep-alive rules.
  auto t = beast::websocket::stream_base::timeout::suggested(beast::role_type::client);
  t.handshake_timeout = timeout;
  ws->set_option(t);
  ws->read_message_max(64 * 1024 * 1024);
  co_await ws->async_handshake(url.host + ":" + url.port, url.target, asio::use_awaitable);
  co_return ws;
}

asio::awaitable<HttpResponse> https_get(ssl::context& tls, Url url,
                                        std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  ssl::stream<beast::tcp_stream> stream(ex, tls);
  co_await tls_connect(stream, url, timeout);
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "rlx-capture");
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  auto& res = parser.get();
  HttpResponse out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  auto header_int = [&](std::string_view name) -> int64_t {
    const auto it = res.find(name);
    if (it == res.end()) return -1;
    int64_t v = -1;
    const auto s = it->value();
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  out.retry_after_s = header_int("Retry-After");
  out.used_weight = header_int("X-MBX-USED-WEIGHT-1M");
  // No TLS close_notify exchange: the response is complete, and a peer that never answers one
  // must not hold the capture. The socket closes with the stream.
  co_return out;
}

std::string describe_error(const std::exception& e) { return e.what(); }

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace rlx::live
