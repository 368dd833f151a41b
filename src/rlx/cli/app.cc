#include "rlx/cli/app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/exit_code.h"
#include "rlx/cli/live_commands.h"
#include "rlx/cli/validate_commands.h"
#include "rlx/core/error.h"
#include "rlx/core/version.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/demo.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/options_check.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/supervisor.h"
#include "rlx/pipeline/worker.h"

namespace rlx::cli {
namespace {

void print_table(const io::TextTable& t, int64_t max_rows) {
  const std::vector<std::string>& header = t.columns;
  const std::vector<std::vector<std::string>>& rows = t.rows;
  const size_t cols = header.size();
  const uint64_t n = t.total_rows;
  std::vector<size_t> width(cols);
  for (size_t c = 0; c < cols; ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < cols; ++c) {
      line += fmt::format("{:<{}}", row[c], width[c]);
      if (c + 1 < cols) line += " | ";
    }
    std::puts(line.c_str());
  };
  print_row(header);
  std::string rule;
  for (size_t c = 0; c < cols; ++c)
    rule += std::string(width[c], '-') + (c + 1 < cols ? "-+-" : "");
  std::puts(rule.c_str());
  for (const auto& row : rows) print_row(row);
  if (static_cast<int64_t>(n) > max_rows)
    std::printf("(%llu rows, %lld shown)\n", static_cast<unsigned long long>(n),
                static_cast<long long>(max_rows));
}

// Prints the first rows of each statement's result through the embedded DuckDB (users need no
// duckdb CLI); a statement without rows (CREATE, COPY) prints its count line only.
void print_query(const std::string& sql, int64_t max_rows) {
  io::DuckDb db;
  const std::vector<io::TextTable> tables =
      io::query_texts(db, sql, static_cast<uint64_t>(max_rows), StatusCode::kInvalidArgument);
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) std::puts("");
    print_table(tables[i], max_rows);
  }
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"rlx: exact L2 book reconstruction of crypto market data, written as Parquet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rlx ") + kVersion);
  // Options every running subcommand has, so each --help lists them.
  ProgressMode progress = ProgressMode::kAuto;
  std::string log_level = "warn", log_format = "text";
  auto add_common = [&](CLI::App* sub) {
    add_enum(sub, "--progress", &progress, pipeline::kProgressNames,
             "Progress bar on stderr: auto (only on a terminal), always, never");
    sub->add_option("--log-level", log_level,
                    "Structured logs on stderr: debug, info, warn, error, off")
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    sub->add_option("--log-format", log_format, "Log lines as text (logfmt) or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
  };

  // reconstruct
  pipeline::ReconstructOptions ro;
  std::vector<std::string> inputs;
  std::string out_dir;
  auto* rec =
      app.add_subcommand("reconstruct", "Rebuild the L2 book and write the unified event stream");
  add_enum(rec, "--source", &ro.source, pipeline::kSourceNames,
           "Input kind: binance-raw, lake, tardis");
  rec->add_option(
      "--input", inputs,
      "Input files (binance-raw, tardis; plain, .gz or .zst), or Lake roots / Lake files");
  rec->add_option("--out", out_dir,
                  "Output folder (Hive-partitioned Parquet, manifest.json, report.json)");
  rec->add_option("--symbols", ro.symbols,
                  "Only these symbols (upper case; default: every symbol present)")
      ->delimiter(',');
  rec->add_option("--date-from", ro.date_from, "Lake layout: first dt partition (YYYY-MM-DD)");
  rec->add_option("--date-to", ro.date_to, "Lake layout: last dt partition (YYYY-MM-DD)");
  add_number(rec, pipeline::kTopN, &ro.top_n,
             "Book levels per side in the enrichment columns (0-50)");
  add_number(rec, pipeline::kRowsPerFile, &ro.rows_per_file, "Rows per Parquet part file");
  add_number(rec, pipeline::kBatchSize, &ro.batch_size, "Messages per micro-batch (1-1000000)");
  add_enum(rec, "--on-bad-row", &ro.on_bad_row, pipeline::kBadRowNames,
           "Bad input rows: fail (error naming file, row, field) or quarantine (skip, count, "
           "report)");
  add_enum(rec, "--crossed", &ro.book.crossed, pipeline::kCrossedNames,
           "Crossed book policy: keep, drop-stale, drop-both (always counted)");
  add_enum(rec, "--consume-trades", &ro.book.consume_trades, pipeline::kConsumeNames,
           "Trades remove passive liquidity: auto (only until the first delta), on, off");
  add_enum(rec, "--snapshot-policy", &ro.book.snapshot, pipeline::kSnapshotNames,
           "Snapshots: auto, replace (the whole book), merge-range (keep levels deeper than the "
           "snapshot)");
  rec->add_flag("--overwrite", ro.overwrite, "Replace an earlier output in --out");
  rec->add_flag("--validate", ro.validate,
                "Keep tier-1 fidelity statistics per symbol while writing (report.json `stream`; "
                "docs/VALIDATE.md), and a thin copy beside each part for `rlx validate`");
  rec->add_flag("!--no-thin-copies", ro.thin_copies,
                "With --validate: tier-1 statistics only, no thin copies (rlx validate then "
                "decodes the parts)");
  std::string resume_dir;
  auto* resume_opt = rec->add_option(
      "--resume", resume_dir,
      "Finish the interrupted run in this folder (its inputs and options come from it)");
  bool no_durability = false;
  rec->add_flag("--no-durability", no_durability,
                "No checkpoints or journal (a crash loses the run; for benchmarks)");
  add_enum(rec, "--fsync", &ro.fsync, pipeline::kFsyncNames,
           "Journal fsync: per-batch (nothing lost at a power cut), interval (up to "
           "--fsync-interval-ms), never (only kill -9 safe)");
  add_number(rec, pipeline::kFsyncIntervalMs, &ro.fsync_interval_ms,
             "For --fsync interval (1-3600000)");
  add_number(rec, pipeline::kCheckpointBatches, &ro.checkpoint_batches,
             "Also commit the open parts and checkpoint every N batches (0: only before each "
             "part; parts then also end there)");
  add_number(rec, pipeline::kCheckpointSeconds, &ro.checkpoint_seconds,
             "Also commit and checkpoint whenever market time (origin_time) crosses a "
             "multiple of M seconds (0: off; at most a year; deterministic, parts end there)");
  add_number(rec, pipeline::kKeepCheckpoints, &ro.keep_checkpoints,
             "Newest checkpoints kept (1-1000)");
  pipeline::SupervisorOptions so;
  bool in_process = false;
  add_number(rec, pipeline::kWorkers, &so.workers,
             "Worker processes at once, one per symbol (0: the number of cores; at most 256)");
  rec->add_flag("--in-process", in_process,
                "Every symbol in this one process (no supervisor, no isolation)");
  add_number(rec, pipeline::kQueueSize, &so.queue_messages,
             "Messages queued per routed worker before the router waits (1-1000000)");
  add_number(rec, pipeline::kMaxFailures, &so.max_failures,
             "Failures of one symbol's worker before it is marked failed (1-100)");
  add_number(rec, pipeline::kWorkerTimeout, &so.watchdog_seconds,
             "Seconds without progress, with work waiting, before a worker is killed (1-604800)");
  add_number(rec, pipeline::kCoresPerWorker, &so.cores_per_worker,
             "Pin each worker to this many cores, with as many Parquet writer threads "
             "(0: no pinning; at most the machine's cores)");
  resume_opt->excludes("--input")->excludes("--no-durability")->excludes("--in-process");
  add_common(rec);

  // worker: started by the supervisor, not by users (hidden from --help)
  pipeline::WorkerOptions wo;
  std::string worker_out;
  uint32_t worker_attempt = 1;
  auto* wrk = app.add_subcommand("worker", "One symbol of a supervised run (internal)");
  wrk->group("");
  wrk->add_option("--out", worker_out)->required();
  wrk->add_option("--exchange", wo.key.first)->required();
  wrk->add_option("--symbol", wo.key.second)->required();
  add_enum(wrk, "--feed", &wo.feed, pipeline::kFeedNames, "Where its messages come from");
  wrk->add_option("--attempt", worker_attempt);
  wrk->add_option("--writer-threads", wo.writer_threads)->check(CLI::Range(0, 64));
  add_common(wrk);

  // convert
  pipeline::ConvertOptions co;
  std::vector<std::string> convert_inputs;
  std::string convert_out;
  int64_t interval_ms = 100;
  auto* conv =
      app.add_subcommand("convert", "Convert a raw Binance capture to the Crypto Lake layout");
  conv->add_option("--input", convert_inputs,
                   "Binance raw captures (hftbacktest, cryptofeed, golden sample)")
      ->required();
  conv->add_option("--out", convert_out, "Lake root to write (trades/, book/, book_delta_v2/)")
      ->required();
  conv->add_option("--symbols", co.symbols, "Only these symbols (default: all)")->delimiter(',');
  add_number(conv, pipeline::kSnapshotIntervalMs, &interval_ms,
             "Interval of the top-20 `book` rows (1-86400000)");
  add_enum(conv, "--on-bad-row", &co.on_bad_row, pipeline::kBadRowNames, "fail or quarantine");
  add_common(conv);

  // demo
  pipeline::DemoOptions demo;
  std::string demo_out = "rlx-demo";
  double demo_minutes = 10;
  auto* dem = app.add_subcommand(
      "demo", "Generate a small realistic market (Lake layout) and reconstruct it");
  dem->add_option("--out", demo_out, "Folder for lake/ (generated input) and events/ (output)")
      ->capture_default_str();
  add_number(dem, pipeline::kSeed, &demo.market.seed, "Generator seed");
  add_number(dem, pipeline::kDemoMinutes, &demo_minutes, "Market minutes to generate (0.1-1440)");
  dem->add_option("--symbol", demo.market.symbol, "Symbol name")->capture_default_str();
  bool busy_day = false;
  dem->add_flag("--busy-day", busy_day,
                "Busy-symbol rates (~100 million level updates a day); the whole day unless "
                "--minutes is given (benchmarks; a day needs ~10 GB of disk)");
  add_common(dem);

  // sql
  std::string sql;
  int64_t max_rows = 20;
  auto* sq =
      app.add_subcommand("sql", "Run a SQL query with the embedded DuckDB (e.g. on the output)");
  sq->add_option("query", sql, "SQL text")->required();
  add_number(sq, pipeline::kMaxRows, &max_rows, "Rows to print per statement (0-10000000)");

  // capture, exchange
  CaptureCommand capture;
  capture.add_to(app);
  add_common(capture.app);
  ExchangeCommand exchange;
  exchange.add_to(app);
  add_common(exchange.app);

  // validate, calibrate
  ValidateCommand validate_cmd;
  validate_cmd.add_to(app);
  add_common(validate_cmd.app);
  CalibrateCommand calibrate_cmd;
  calibrate_cmd.add_to(app);
  add_common(calibrate_cmd.app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string command;
    for (const CLI::App* sub : app.get_subcommands()) command = " " + sub->get_name();
    std::fprintf(stderr, "rlx: error: %s\nrlx: `rlx%s --help` lists every option\n", e.what(),
                 command.c_str());
    return static_cast<int>(ExitCode::kUsage);
  }

  try {
    LogLevel level = LogLevel::kWarn;
    parse_log_level(log_level, &level);
    const Log log(level, log_format == "json" ? LogFormat::kJson : LogFormat::kText);
    if (*rec) {
      if (!resume_dir.empty()) {
        const std::filesystem::path state = std::filesystem::path(resume_dir) / pipeline::kStateDir;
        const pipeline::RunStatus status = pipeline::run_status(state);
        if (status == pipeline::RunStatus::kDone) {
          std::printf("rlx: %s is a finished run: nothing to resume\n", resume_dir.c_str());
          return 0;
        }
        ro.resume = true;
        out_dir = resume_dir;
        if (status == pipeline::RunStatus::kUnfinished) {
          in_process =
              pipeline::read_run_file(state, resume_dir).mode != pipeline::RunMode::kSupervised;
        }
      } else if (inputs.empty() || out_dir.empty()) {
        throw Error(StatusCode::kInvalidArgument,
                    "reconstruct needs --input and --out (or --resume DIR)");
      }
      for (const auto& in : inputs) ro.inputs.emplace_back(in);
      ro.out_dir = out_dir;
      ro.durable = !no_durability;
      ro.progress = progress;
      ro.log = log;
      if (in_process) {
        const pipeline::ReconstructSummary summary = pipeline::reconstruct(ro);
        std::fputs(pipeline::human_summary(summary, out_dir).c_str(), stdout);
      } else {
        so.run = ro;
        so.worker_binary = std::filesystem::read_symlink("/proc/self/exe");
        so.worker_args = {"--log-level", log_level, "--log-format", log_format};
        const pipeline::ReconstructSummary summary = pipeline::supervise(so);
        std::fputs(pipeline::human_summary(summary, out_dir).c_str(), stdout);
        if (!summary.input_error.empty()) {
          std::fprintf(stderr, "rlx: error: %s\n", summary.input_error.c_str());
          return static_cast<int>(ExitCode::kBadInput);
        }
        if (summary.failed_symbols > 0) {
          for (const pipeline::SymbolSummary& s : summary.symbols) {
            if (!s.failed) continue;
            std::fprintf(stderr, "rlx: error: %s %s failed: %s\n", s.exchange.c_str(),
                         s.symbol.c_str(), s.failures.empty() ? "" : s.failures.back().c_str());
          }
          return static_cast<int>(ExitCode::kSymbolsFailed);
        }
      }
    } else if (*wrk) {
      wo.out_dir = worker_out;
      wo.log = log;
      wo.channel_fd = wo.feed == pipeline::Feed::kChannel ? 3 : -1;
      wo.status_fd = 4;
      // Fault injection for the isolation tests: this symbol's first attempt stops making
      // progress after its first batch, so the watchdog must act.
      const char* hang = std::getenv("RLX_TEST_HANG_SYMBOL");
      if (hang != nullptr && wo.key.second == hang && worker_attempt == 1) {
        wo.after_batch = [](uint64_t) {
          for (;;) ::pause();
        };
      }
      try {
        pipeline::run_worker(wo);
      } catch (const Error& e) {
        pipeline::write_status_error(wo.status_fd, static_cast<int32_t>(e.code()), e.what());
        throw;
      } catch (const std::exception& e) {
        pipeline::write_status_error(wo.status_fd, static_cast<int32_t>(StatusCode::kInternal),
                                     e.what());
        throw;
      }
    } else if (*conv) {
      for (const auto& in : convert_inputs) co.inputs.emplace_back(in);
      co.out_dir = convert_out;
      co.snapshot_interval_ns = interval_ms * 1'000'000;
      co.progress = progress;
      const pipeline::ConvertSummary s = pipeline::convert_to_lake(co);
      std::printf(
          "rlx: %llu messages -> %llu trades, %llu book_delta_v2 rows, %llu book rows in %s\n",
          static_cast<unsigned long long>(s.messages),
          static_cast<unsigned long long>(s.trade_rows),
          static_cast<unsigned long long>(s.delta_rows),
          static_cast<unsigned long long>(s.book_rows), convert_out.c_str());
      if (s.quarantined > 0) {
        std::printf("rlx: %llu input rows set aside (unsupported streams or bad rows)\n",
                    static_cast<unsigned long long>(s.quarantined));
      }
      if (s.inexact_values > 0) {
        std::printf("rlx: %llu values could not be held exactly by Lake's float64 columns\n",
                    static_cast<unsigned long long>(s.inexact_values));
      }
    } else if (*dem) {
      demo.out_dir = demo_out;
      if (busy_day) {
        const sim::MarketOptions busy = sim::busy_day_options();
        demo.market.duration_ns = dem->count("--minutes") > 0
                                      ? static_cast<int64_t>(demo_minutes * 60e9)
                                      : busy.duration_ns;
        demo.market.message_rate = busy.message_rate;
        demo.market.trade_rate = busy.trade_rate;
        demo.market.price_move_rate = busy.price_move_rate;
      } else {
        demo.market.duration_ns = static_cast<int64_t>(demo_minutes * 60e9);
      }
      demo.progress = progress;
      demo.log = log;
      const pipeline::DemoSummary s = pipeline::run_demo(demo);
      std::printf(
          "rlx demo: generated %lld book messages (%lld level updates), %lld trades, "
          "%lld snapshots, %lld gaps into %s\n",
          static_cast<long long>(s.market.deltas), static_cast<long long>(s.market.level_updates),
          static_cast<long long>(s.market.trades), static_cast<long long>(s.market.snapshots),
          static_cast<long long>(s.market.gaps), s.lake_dir.c_str());
      std::fputs(pipeline::human_summary(s.reconstruct, s.events_dir.string()).c_str(), stdout);
      const std::string glob = (s.events_dir / "**" / "*.parquet").string();
      std::printf(
          "\nLook at it (embedded DuckDB; any DuckDB, pandas or polars reads it too):\n"
          "  build/rlx sql \"SELECT event_seq, event_type, side, price, size, best_bid_price, "
          "best_ask_price FROM read_parquet('%s', hive_partitioning=true) ORDER BY event_seq "
          "LIMIT 10\"\n",
          glob.c_str());
    } else if (*sq) {
      print_query(sql, max_rows);
    } else if (*capture.app) {
      return capture.run(log, progress);
    } else if (*exchange.app) {
      return exchange.run(log);
    } else if (*validate_cmd.app) {
      return validate_cmd.run(log);
    } else if (*calibrate_cmd.app) {
      return calibrate_cmd.run(log);
    }
    return 0;
  } catch (...) {
    const Status status = status_from_exception();
    std::fprintf(stderr, "rlx: error: %s\n", status.message().c_str());
    return static_cast<int>(exit_code(status.code()));
  }
}

}  // namespace rlx::cli
