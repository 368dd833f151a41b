// `rlx capture`: record live Binance market data as golden samples (docs/CAPTURE.md), until
// --duration or SIGINT/SIGTERM, with a status line on a terminal.
#include <cstdio>
#include <string>
#include <vector>

#include "rlx/api/capture.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/binance/venue.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/stop_on_signal.h"
#include "rlx/core/error.h"
#include "rlx/core/progress.h"
#include "rlx/pipeline/options_check.h"

namespace rlx::cli {
namespace {

class CaptureCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  CaptureRequest request_;
  std::string streams_ = "depth@100ms,trade,bookTicker";
  int64_t rotate_mb_ = 1024;
  int64_t rotate_minutes_ = 60;
  double rollover_hours_ = 23.5;
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

void print(const CaptureResult& r, const CaptureRequest& request) {
  const std::string out = request.out_dir.string();
  std::printf(
      "rlx capture: %llu frames recorded (%llu durable lines) from %zu symbols in %s; "
      "%llu reconnects, %llu duplicates dropped, %llu malformed frames kept\n",
      static_cast<unsigned long long>(r.frames), static_cast<unsigned long long>(r.durable_lines),
      r.symbols.size(), out.c_str(), static_cast<unsigned long long>(r.reconnects),
      static_cast<unsigned long long>(r.duplicates), static_cast<unsigned long long>(r.malformed));
  for (const CaptureSymbolResult& s : r.symbols) {
    std::printf("  %-14s %9llu frames  %-15s  gaps %llu  resyncs %llu  snapshots %llu\n",
                s.symbol.c_str(), static_cast<unsigned long long>(s.frames), s.sync_state.c_str(),
                static_cast<unsigned long long>(s.gaps), static_cast<unsigned long long>(s.resyncs),
                static_cast<unsigned long long>(s.snapshots));
  }
  if (r.events != "off") {
    std::printf("  events: %s, %llu rows in %s%s%s\n", r.events.c_str(),
                static_cast<unsigned long long>(r.events_rows), request.events_dir.c_str(),
                r.events_error.empty() ? "" : ": ", r.events_error.c_str());
  }
  std::printf(
      "Read it back: build/rlx reconstruct --source binance-raw --input %s/*.zst --out DIR\n",
      out.c_str());
}

void CaptureCommand::add_to(CLI::App& parent, CommonOptions* common) {
  app = parent.add_subcommand(
      "capture", "Record live Binance market data as golden samples (raw frames, exactly)");
  app->add_option("--market", request_.market,
                  "Venue: spot, usdm (USD-M futures), coinm (COIN-M futures)")
      ->check(CLI::IsMember({"spot", "usdm", "coinm"}))
      ->capture_default_str();
  app->add_option("--symbols", request_.symbols,
                  "Symbols to record, comma-separated (BTCUSDT,ETHUSDT)")
      ->delimiter(',')
      ->required();
  app->add_option("--out", request_.out_dir,
                  "Folder for the record (capture-NNNNNN.jsonl.zst) and report.json")
      ->required();
  app->add_option("--events", request_.events_dir,
                  "Also write the live book's events here, as Parquet while it runs: the same "
                  "files `rlx reconstruct` of the record gives (a new or empty folder)");
  add_number(app, pipeline::kCaptureDuration, &request_.duration_s,
             "Stop after this many seconds (default: until SIGINT or SIGTERM)");
  app->add_option("--streams", streams_,
                  "Stream types per symbol, comma-separated (depth@100ms, depth@0ms, depth, trade, "
                  "aggTrade, bookTicker)")
      ->capture_default_str();
  app->add_option("--ws-url", request_.ws_url,
                  "WebSocket base, e.g. wss://127.0.0.1:9443 for a local exchange (default: the "
                  "venue's)");
  app->add_option("--rest-url", request_.rest_url,
                  "REST base, e.g. https://127.0.0.1:9443 (default: the venue's)");
  app->add_option("--ca-file", request_.ca_file,
                  "CA bundle to verify the servers with (default: the system's); certificates are "
                  "always verified");
  add_number(app, pipeline::kFlushIntervalMs, &request_.flush_interval_ms,
             "Write and fsync the record this often: a kill -9 loses at most this much");
  add_number(app, pipeline::kRotateMb, &rotate_mb_, "Start a new segment after this much text");
  add_number(app, pipeline::kRotateMinutes, &rotate_minutes_,
             "Start a new segment after this many minutes");
  add_number(app, pipeline::kSnapshotLimit, &request_.snapshot_limit,
             "Levels per REST snapshot (0: the venue's most, 5000 spot, 1000 futures)");
  add_number(app, pipeline::kMaxStreams, &request_.max_streams_per_connection,
             "Streams per connection (0: the venue's limit, 1024)");
  add_number(app, pipeline::kRolloverHours, &rollover_hours_,
             "Replace each connection after this long, overlapping the two (the venue closes "
             "them at 24 h)");
  app->add_option("--seed", request_.seed, "Seed of the reconnect jitter")->capture_default_str();
  add_number(app, pipeline::kMetricsPort, &request_.metrics_port,
             "Serve Prometheus metrics at http://HOST:PORT/metrics (0: any free port, logged; "
             "default: off)");
  app->add_option("--metrics-host", request_.metrics_host,
                  "Address of the metrics endpoint (loopback by default)")
      ->capture_default_str();
  common->add_to(app);
}

int CaptureCommand::run(const CommonOptions& common) {
  request_.streams = split_list(streams_);
  request_.rotate_bytes = static_cast<uint64_t>(rotate_mb_) << 20;
  request_.rotate_seconds = static_cast<uint32_t>(rotate_minutes_ * 60);
  request_.rollover_after_s = rollover_hours_ * 3600;
  request_.log = common.log();
  StopOnSignal signals;
  std::unique_ptr<CaptureSession> session;
  CaptureResult result;
  {
    TerminalProgress line(common.progress, "capture");  // ends its line before the summary
    request_.progress = line.sink();
    check(CaptureSession::open(request_, &session));
    signals.on_stop([&session] { session->stop(); });
    check(session->run(&result));
  }
  print(result, request_);
  return 0;
}

}  // namespace

std::unique_ptr<Command> capture_command() { return std::make_unique<CaptureCommand>(); }

}  // namespace rlx::cli
