// The capture's Prometheus endpoint: its text passes `promtool check metrics` with no series
// twice, the server answers only GET /metrics, and a real Prometheus (Debian's package) scrapes
// a capture running against the local exchange.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/live/capture.h"
#include "rlx/live/metrics_server.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {
namespace fs = std::filesystem;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One plain HTTP request to 127.0.0.1:port.
Reply http_request(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type]),
          res.body()};
}

// `promtool check metrics` of `text`: its exit code, and what it printed.
int promtool_check(const std::string& promtool, const std::string& text, const fs::path& dir,
                   std::string* said) {
  const fs::path in = dir / "metrics.txt", out = dir / "promtool.txt";
  std::ofstream(in) << text;
  const std::string cmd =
      promtool + " check metrics < " + in.string() + " > " + out.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  *said = durability::read_file(out);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Every series (name and labels) of an exposition appears once.
void expect_no_series_twice(const std::string& text) {
  std::set<std::string> seen;
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    if (line.empty() || line[0] == '#') continue;
    const std::string series = line.substr(0, line.rfind(' '));
    EXPECT_TRUE(seen.insert(series).second) << "twice: " << series;
  }
  EXPECT_GT(seen.size(), 20u);
}

CaptureStats sample_stats() {
  CaptureStats s;
  s.frames = 1200;
  s.rest_429 = 1;
  s.frames_per_s = 98.5;
  s.events = "running";
  for (const char* name : {"BTCUSDT", "ETHUSDT"}) {
    SymbolCaptureStats sym;
    sym.symbol = name;
    sym.frames = 600;
    sym.synced = name[0] == 'B';
    sym.sync_state = sym.synced ? "synced" : "unsynced";
    sym.book.gaps = 2;
    sym.last_lag_ns = -1'270'000'000;  // local clock behind the venue's
    s.symbols.push_back(sym);
  }
  return s;
}

TEST(CaptureMetrics, TheTextPassesPromtoolWithNoSeriesTwice) {
  RLX_REQUIRE_TOOL(promtool, "/usr/bin/promtool");
  testing::TempDir tmp;
  std::string text;
  sample_stats().write_prometheus(&text);
  std::string said;
  EXPECT_EQ(promtool_check(promtool, text, tmp.path(), &said), 0) << said;
  EXPECT_EQ(said, "");
  expect_no_series_twice(text);
  EXPECT_NE(text.find("rlx_capture_symbol_synced{symbol=\"ETHUSDT\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("rlx_capture_symbol_sync_state{symbol=\"ETHUSDT\",state=\"unsynced\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rlx_capture_symbol_lag_seconds{symbol=\"BTCUSDT\"} -1.27\n"),
            std::string::npos);
  EXPECT_NE(text.find("rlx_capture_rest_limited_total{status=\"429\"} 1\n"), std::string::npos);
  // promtool is not a rubber stamp: a counter without _total is refused.
  EXPECT_NE(promtool_check(promtool, "# HELP x y\n# TYPE x counter\nx 1\n", tmp.path(), &said), 0);
}

TEST(MetricsServer, AnswersGetMetricsOnly) {
  int renders = 0;
  MetricsServer server("127.0.0.1", 0, [&] {
    ++renders;
    return std::string("# HELP a b\n# TYPE a gauge\na 1\n");
  });
  ASSERT_GT(server.port(), 0);
  const Reply ok = http_request(server.port(), "/metrics");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ok.body, "# HELP a b\n# TYPE a gauge\na 1\n");
  EXPECT_EQ(http_request(server.port(), "/").status, 404);
  EXPECT_EQ(http_request(server.port(), "/metrics", http::verb::post).status, 405);
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(server.scrapes(), 1u);
  // A taken port is a usage error naming the address.
  try {
    MetricsServer second("127.0.0.1", server.port(), [] { return std::string(); });
    FAIL() << "bound a port in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("cannot serve metrics on 127.0.0.1:"), std::string::npos);
  }
}

uint16_t free_port() {
  boost::asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

TEST(CaptureMetrics, ARealPrometheusScrapesALiveCapture) {
  RLX_REQUIRE_TOOL(prometheus, "/usr/bin/prometheus");
  RLX_REQUIRE_TOOL(promtool, "/usr/bin/promtool");
  RLX_REQUIRE_DATA(usdm, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir tmp;
  exchange::ExchangeOptions eo;
  eo.captures = {usdm};
  eo.pki = exchange::generate_test_pki(tmp.path() / "pki", {"127.0.0.1"});
  eo.speed = 5;  // 344 s of data: 69 s served, ten times what the test needs
  eo.record_served = false;
  exchange::LocalExchange ex(eo);

  CaptureOptions co;
  co.market = Market::kUsdM;
  co.symbols = {"BTCUSDT"};
  co.streams = {"depth@0ms", "trade", "bookTicker"};
  co.out_dir = tmp.path() / "record";
  co.ws_base = ex.ws_base();
  co.rest_base = ex.rest_base();
  co.ca_file = eo.pki.ca_cert.string();
  co.metrics_port = 0;
  Capture cap(co);
  ASSERT_GT(cap.metrics_port(), 0);
  std::thread run([&] { cap.run(); });

  const uint16_t web = free_port();
  const fs::path config = tmp.path() / "prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n"
                        << "scrape_configs:\n  - job_name: rlx_capture\n"
                        << "    static_configs:\n      - targets: ['127.0.0.1:"
                        << cap.metrics_port() << "']\n";
  const pid_t server =
      testing::spawn_process({prometheus, "--config.file=" + config.string(),
                              "--storage.tsdb.path=" + (tmp.path() / "tsdb").string(),
                              "--web.listen-address=127.0.0.1:" + std::to_string(web)},
                             tmp.path() / "prometheus.log");

  // Prometheus's first sample takes about 6 s (its discovery throttle): poll its query API.
  double frames = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  simdjson::dom::parser parser;
  while (std::chrono::steady_clock::now() < deadline && frames <= 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Reply r;
    try {
      r = http_request(web, "/api/v1/query?query=rlx_capture_symbol_frames_total");
    } catch (const std::exception&) {
      continue;  // not listening yet
    }
    if (r.status != 200) continue;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc)) continue;
    simdjson::dom::array result;
    if (doc["data"]["result"].get_array().get(result)) continue;
    for (simdjson::dom::element series : result) {
      std::string_view symbol, value;
      if (series["metric"]["symbol"].get_string().get(symbol) ||
          series["value"].at(1).get_string().get(value)) {
        continue;
      }
      if (symbol == "BTCUSDT") frames = std::stod(std::string(value));
    }
  }
  EXPECT_GT(frames, 0) << "Prometheus never saw a frame; its log:\n"
                       << durability::read_file(tmp.path() / "prometheus.log");
  // What it scraped passes promtool too, now with live values.
  std::string said;
  EXPECT_EQ(promtool_check(promtool, http_request(cap.metrics_port(), "/metrics").body, tmp.path(),
                           &said),
            0)
      << said;
  ::kill(server, SIGTERM);
  EXPECT_EQ(testing::wait_exit(server), 0);
  cap.stop();
  run.join();
}

}  // namespace
}  // namespace rlx::live
