// `rlx capture` (record live Binance data) and `rlx exchange` (a local Binance replaying a
// capture, for tests and demos): their options and how they run.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "rlx/core/log.h"
#include "rlx/core/progress.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/live/capture.h"

namespace rlx::cli {

struct CaptureCommand {
  CLI::App* app = nullptr;
  live::CaptureOptions options;
  std::string market = "spot";
  std::vector<std::string> symbols;
  std::string streams = "depth@100ms,trade,bookTicker";
  std::string out;
  std::string events;
  double duration_s = 0;
  int64_t rotate_mb = 1024;
  int64_t rotate_minutes = 60;
  double rollover_hours = 23.5;

  void add_to(CLI::App& parent);
  // Runs until --duration passes or SIGINT/SIGTERM, with a status line on a terminal; prints a
  // summary. Returns the exit code.
  int run(const Log& log, ProgressMode progress);
};

struct ExchangeCommand {
  CLI::App* app = nullptr;
  exchange::ExchangeOptions options;
  std::vector<std::string> captures;
  std::string cert_dir = "rlx-exchange-tls";
  int64_t port = 9443;
  double duration_s = 0;

  void add_to(CLI::App& parent);
  int run(const Log& log);
};

}  // namespace rlx::cli
