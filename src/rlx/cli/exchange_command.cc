// `rlx exchange`: a local Binance over TLS replaying a capture, for tests and demos.
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "rlx/binance/payload_parser.h"
#include "rlx/binance/venue.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/stop_on_signal.h"
#include "rlx/core/error.h"
#include "rlx/exchange/certificate.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/pipeline/options_check.h"

namespace rlx::cli {
namespace {

class ExchangeCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  exchange::ExchangeOptions options;
  std::vector<std::string> captures;
  std::string cert_dir = "rlx-exchange-tls";
  int64_t port = 9443;
  double duration_s = 0;
};

void ExchangeCommand::add_to(CLI::App& parent, CommonOptions* common) {
  app = parent.add_subcommand(
      "exchange",
      "Serve a recorded capture as a local Binance over TLS (WebSocket streams and REST "
      "snapshots), for tests and demos");
  app->add_option("--capture", captures, "Binance capture files (any format rlx reads)")
      ->required();
  app->add_option("--host", options.host, "Address to listen on (loopback by default)")
      ->capture_default_str();
  add_number(app, pipeline::kPort, &port, "Port (0: any free port)");
  app->add_option("--cert-dir", cert_dir,
                  "Folder for the certificate it makes (clients trust CERT_DIR/ca.pem)")
      ->capture_default_str();
  add_number(app, pipeline::kSpeed, &options.speed,
             "Pace: 1 = as recorded, N = N times faster, 0 = as fast as clients read");
  add_number(app, pipeline::kMaxFrames, &options.max_frames, "Frames to serve (0: all)");
  add_number(app, pipeline::kServeSeconds, &duration_s,
             "Stop after this many seconds (default: until SIGINT or SIGTERM)");
  common->add_to(app);
}

int ExchangeCommand::run(const CommonOptions& common) {
  const Log log = common.log();
  for (const auto& c : captures) options.captures.emplace_back(c);
  options.port = static_cast<uint16_t>(port);
  options.log = log;
  options.record_served = false;
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(options.host, ec);
  if (ec) {
    throw Error(StatusCode::kInvalidArgument,
                "--host must be an IP address to listen on, not '" + options.host + "'");
  }
  options.pki = exchange::generate_test_pki(cert_dir, {"localhost", options.host});
  StopOnSignal signals;
  exchange::LocalExchange ex(options);
  std::printf("rlx exchange: serving %s on %s and %s (trust %s)\n",
              binance::exchange_name(ex.market()), ex.ws_base().c_str(), ex.rest_base().c_str(),
              options.pki.ca_cert.c_str());
  std::printf("  streams:");
  for (const auto& s : ex.streams()) std::printf(" %s", s.c_str());
  std::printf("\n");
  std::fflush(stdout);
  std::atomic<bool> stop{false};
  signals.on_stop([&stop] { stop = true; });
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::microseconds(static_cast<int64_t>(duration_s * 1e6));
  while (!stop && (duration_s <= 0 || std::chrono::steady_clock::now() < end)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ex.stop();
  std::printf("rlx exchange: %llu frames published, %llu REST requests\n",
              static_cast<unsigned long long>(ex.frames_published()),
              static_cast<unsigned long long>(ex.rest_requests()));
  return 0;
}

}  // namespace

std::unique_ptr<Command> exchange_command() { return std::make_unique<ExchangeCommand>(); }

}  // namespace rlx::cli
