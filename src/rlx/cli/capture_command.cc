// `rlx capture`: record live Binance market data as golden samples (docs/CAPTURE.md), until
// --duration or SIGINT/SIGTERM, with a status line on a terminal.
#include <atomic>
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
#include "rlx/live/capture.h"
#include "rlx/pipeline/options_check.h"

namespace rlx::cli {
namespace {

class CaptureCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
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
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = text.find(',', at);
    const std::string item = text.substr(at, comma - at);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

// "12s  1,234 frames (56/s)  2/3 synced  0 gaps  0 reconnects  1,200 durable"
std::string status_text(const live::CaptureStats& s) {
  uint64_t synced = 0, gaps = 0;
  for (const auto& sym : s.symbols) {
    synced += sym.synced ? 1 : 0;
    gaps += sym.book.gaps;
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "%.0fs  %llu frames (%.0f/s)  %llu/%zu synced  %llu gaps  %llu reconnects  "
                "%llu lines durable",
                s.seconds, static_cast<unsigned long long>(s.frames), s.frames_per_s,
                static_cast<unsigned long long>(synced), s.symbols.size(),
                static_cast<unsigned long long>(gaps),
                static_cast<unsigned long long>(s.reconnects),
                static_cast<unsigned long long>(s.record_durable_lines));
  return buf;
}

void CaptureCommand::add_to(CLI::App& parent, CommonOptions* common) {
  app = parent.add_subcommand(
      "capture", "Record live Binance market data as golden samples (raw frames, exactly)");
  app->add_option("--market", market, "Venue: spot, usdm (USD-M futures), coinm (COIN-M futures)")
      ->check(CLI::IsMember({"spot", "usdm", "coinm"}))
      ->capture_default_str();
  app->add_option("--symbols", symbols, "Symbols to record, comma-separated (BTCUSDT,ETHUSDT)")
      ->delimiter(',')
      ->required();
  app->add_option("--out", out, "Folder for the record (capture-NNNNNN.jsonl.zst) and report.json")
      ->required();
  app->add_option("--events", events,
                  "Also write the live book's events here, as Parquet while it runs: the same "
                  "files `rlx reconstruct` of the record gives (a new or empty folder)");
  add_number(app, pipeline::kCaptureDuration, &duration_s,
             "Stop after this many seconds (default: until SIGINT or SIGTERM)");
  app->add_option("--streams", streams,
                  "Stream types per symbol, comma-separated (depth@100ms, depth@0ms, depth, trade, "
                  "aggTrade, bookTicker)")
      ->capture_default_str();
  app->add_option("--ws-url", options.ws_base,
                  "WebSocket base, e.g. wss://127.0.0.1:9443 for a local exchange (default: the "
                  "venue's)");
  app->add_option("--rest-url", options.rest_base,
                  "REST base, e.g. https://127.0.0.1:9443 (default: the venue's)");
  app->add_option("--ca-file", options.ca_file,
                  "CA bundle to verify the servers with (default: the system's); certificates are "
                  "always verified");
  add_number(app, pipeline::kFlushIntervalMs, &options.flush_interval_ms,
             "Write and fsync the record this often: a kill -9 loses at most this much");
  add_number(app, pipeline::kRotateMb, &rotate_mb, "Start a new segment after this much text");
  add_number(app, pipeline::kRotateMinutes, &rotate_minutes,
             "Start a new segment after this many minutes");
  add_number(app, pipeline::kSnapshotLimit, &options.snapshot_limit,
             "Levels per REST snapshot (0: the venue's most, 5000 spot, 1000 futures)");
  add_number(app, pipeline::kMaxStreams, &options.max_streams_per_connection,
             "Streams per connection (0: the venue's limit, 1024)");
  add_number(app, pipeline::kRolloverHours, &rollover_hours,
             "Replace each connection after this long, overlapping the two (the venue closes "
             "them at 24 h)");
  app->add_option("--seed", options.seed, "Seed of the reconnect jitter")->capture_default_str();
  add_number(app, pipeline::kMetricsPort, &options.metrics_port,
             "Serve Prometheus metrics at http://HOST:PORT/metrics (0: any free port, logged; "
             "default: off)");
  app->add_option("--metrics-host", options.metrics_host,
                  "Address of the metrics endpoint (loopback by default)")
      ->capture_default_str();
  common->add_to(app);
}

int CaptureCommand::run(const CommonOptions& common) {
  const Log log = common.log();
  const ProgressMode progress = common.progress;
  if (!binance::parse_market(market, &options.market)) {
    throw Error(StatusCode::kInvalidArgument,
                "--market must be spot, usdm or coinm, not '" + market + "'");
  }
  for (const std::string& s : symbols) binance::to_upper(s, &options.symbols.emplace_back());
  options.streams = split_list(streams);
  options.out_dir = out;
  options.events_dir = events;
  options.duration_s = duration_s;
  options.rotate_bytes = static_cast<uint64_t>(rotate_mb) << 20;
  options.rotate_seconds = static_cast<uint32_t>(rotate_minutes * 60);
  options.rollover_after_s = rollover_hours * 3600;
  options.log = log;
  StopOnSignal signals;
  live::Capture capture(options);
  signals.on_stop([&capture] { capture.stop(); });
  Progress status(progress, "capture");
  std::atomic<bool> done{false};
  std::thread status_thread;
  if (status.enabled()) {
    status_thread = std::thread([&] {
      while (!done) {
        status.status(status_text(capture.stats()));
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    });
  }
  const live::CaptureStats stats = capture.run();
  done = true;
  if (status_thread.joinable()) status_thread.join();
  status.status(status_text(stats), /*final=*/true);
  std::printf(
      "rlx capture: %llu frames recorded (%llu durable lines) from %zu symbols in %s; "
      "%llu reconnects, %llu duplicates dropped, %llu malformed frames kept\n",
      static_cast<unsigned long long>(stats.frames),
      static_cast<unsigned long long>(stats.record_durable_lines), stats.symbols.size(),
      out.c_str(), static_cast<unsigned long long>(stats.reconnects),
      static_cast<unsigned long long>(stats.duplicates),
      static_cast<unsigned long long>(stats.malformed));
  for (const auto& s : stats.symbols) {
    std::printf("  %-14s %9llu frames  %-15s  gaps %llu  resyncs %llu  snapshots %llu\n",
                s.symbol.c_str(), static_cast<unsigned long long>(s.frames), s.sync_state.c_str(),
                static_cast<unsigned long long>(s.book.gaps),
                static_cast<unsigned long long>(s.book.resyncs),
                static_cast<unsigned long long>(s.snapshots));
  }
  if (stats.events != "off") {
    std::printf("  events: %s, %llu rows in %s%s%s\n", stats.events.c_str(),
                static_cast<unsigned long long>(stats.events_rows), events.c_str(),
                stats.events_error.empty() ? "" : ": ", stats.events_error.c_str());
  }
  std::printf(
      "Read it back: build/rlx reconstruct --source binance-raw --input %s/*.zst --out "
      "DIR\n",
      out.c_str());
  return 0;
}

}  // namespace

std::unique_ptr<Command> capture_command() { return std::make_unique<CaptureCommand>(); }

}  // namespace rlx::cli
