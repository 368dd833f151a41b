// Certificates are always verified: chain and host name. A wrong host name, an IP address the
// certificate does not name, or an unknown CA is refused with a message saying which.
#include "rlx/live/net.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "rlx/core/error.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

// An exchange serving a small real capture with a certificate for `hosts`.
std::unique_ptr<exchange::LocalExchange> serve(const fs::path& dir,
                                               const std::vector<std::string>& hosts) {
  exchange::ExchangeOptions eo;
  eo.captures = {testing::shared_data_dir() / "binance/cryptofeed/BINANCE.ws.1.0"};
  eo.pki = exchange::generate_test_pki(dir, hosts);
  return std::make_unique<exchange::LocalExchange>(eo);
}

// Runs one client coroutine to its end: the error text, or "" on success (any HTTP status).
template <typename Connect>
std::string error_of(const std::string& ca_file, Connect connect) {
  asio::io_context io;
  auto tls = make_client_tls(ca_file);
  auto fut = asio::co_spawn(io, connect(*tls), asio::use_future);
  io.run();
  try {
    fut.get();
    return "";
  } catch (const std::exception& e) {
    return describe_error(e);
  }
}

std::string try_get(const std::string& url, const std::string& ca_file) {
  return error_of(ca_file, [&](asio::ssl::context& tls) {
    return https_get(tls, Url::parse(url), std::chrono::seconds(10));
  });
}

std::string try_ws(const std::string& url, const std::string& ca_file) {
  return error_of(ca_file, [&](asio::ssl::context& tls) {
    return ws_connect(tls, Url::parse(url), std::chrono::seconds(10));
  });
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override { RLX_REQUIRE_DATA(probe, "binance/cryptofeed/BINANCE.ws.1.0"); }
  testing::TempDir tmp_;
};

TEST_F(Tls, TheRightCaAndHostConnect) {
  auto ex = serve(tmp_.path() / "pki", {"localhost", "127.0.0.1"});
  const std::string ca = (tmp_.path() / "pki" / "ca.pem").string();
  EXPECT_EQ(try_get(ex->rest_base() + "/api/v3/depth?symbol=NKNUSDT&limit=5", ca), "");
  EXPECT_EQ(try_ws(ex->ws_base() + "/stream", ca), "");
  EXPECT_EQ(try_ws("wss://localhost:" + std::to_string(ex->port()) + "/stream", ca), "");
}

TEST_F(Tls, AnUnknownCaIsRefused) {
  auto ex = serve(tmp_.path() / "pki", {"localhost", "127.0.0.1"});
  exchange::generate_test_pki(tmp_.path() / "other", {"localhost", "127.0.0.1"});
  const std::string other_ca = (tmp_.path() / "other" / "ca.pem").string();
  const std::string e1 = try_ws(ex->ws_base() + "/stream", other_ca);
  EXPECT_NE(e1.find("certificate verify failed"), std::string::npos) << e1;
  const std::string e2 = try_get(ex->rest_base() + "/api/v3/depth?symbol=NKNUSDT", other_ca);
  EXPECT_NE(e2.find("certificate verify failed"), std::string::npos) << e2;
  // The system bundle does not know the test CA either.
  const std::string e3 = try_ws(ex->ws_base() + "/stream", "");
  EXPECT_NE(e3.find("certificate verify failed"), std::string::npos) << e3;
}

TEST_F(Tls, AWrongHostNameOrAddressIsRefused) {
  // A certificate for another name: neither the IP nor "localhost" matches.
  auto ex = serve(tmp_.path() / "pki", {"exchange.test"});
  const std::string ca = (tmp_.path() / "pki" / "ca.pem").string();
  const std::string by_ip = try_ws(ex->ws_base() + "/stream", ca);
  EXPECT_NE(by_ip.find("IP address mismatch"), std::string::npos) << by_ip;
  const std::string by_name =
      try_get("https://localhost:" + std::to_string(ex->port()) + "/api/v3/depth", ca);
  EXPECT_NE(by_name.find("hostname mismatch"), std::string::npos) << by_name;
}

TEST(Url, ParsesAndRefusesPlainText) {
  const Url u = Url::parse("wss://fstream.binance.com/public/stream?streams=a");
  EXPECT_EQ(u.host, "fstream.binance.com");
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.target, "/public/stream?streams=a");
  EXPECT_EQ(Url::parse("https://127.0.0.1:8443").target, "/");
  EXPECT_EQ(Url::parse("https://[::1]:8443/x").host, "::1");
  EXPECT_THROW(Url::parse("ws://stream.binance.com/stream"), Error);
  EXPECT_THROW(Url::parse("http://api.binance.com"), Error);
  EXPECT_THROW(Url::parse("stream.binance.com"), Error);
  EXPECT_THROW(make_client_tls("/nonexistent/ca.pem"), Error);
}

}  // namespace
}  // namespace rlx::live
