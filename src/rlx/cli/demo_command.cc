// `rlx demo`: a small synthetic market in the Lake layout, reconstructed (README's first command).
#include <cstdio>
#include <string>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/pipeline/demo.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/report.h"
#include "rlx/shard/plan.h"

namespace rlx::cli {
namespace {

class DemoCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand(
        "demo", "Generate a small realistic market (Lake layout) and reconstruct it");
    app->add_option("--out", out_, "Folder for lake/ (generated input) and events/ (output)")
        ->capture_default_str();
    add_number(app, pipeline::kSeed, &demo_.market.seed, "Generator seed");
    add_number(app, pipeline::kDemoMinutes, &minutes_, "Market minutes to generate (0.1-1440)");
    app->add_option("--symbol", demo_.market.symbol, "Symbol name")->capture_default_str();
    app->add_option("--start", start_,
                    "Market start, UTC: 2024-08-08 or 2024-08-08T23:00 (a window across midnight "
                    "gives two dt partitions)")
        ->capture_default_str();
    app->add_flag("--busy-day", busy_day_,
                  "Busy-symbol rates (~100 million level updates a day); the whole day unless "
                  "--minutes is given (benchmarks; a day needs ~10 GB of disk)");
    app->add_flag("--lake-only", lake_only_,
                  "Generate lake/ only, without reconstructing it (inputs for benchmarks)");
    common->add_to(app);
  }

  int run(const CommonOptions& common) override {
    demo_.out_dir = out_;
    demo_.market.duration_ns = static_cast<int64_t>(minutes_ * 60e9);
    demo_.market.start_ns = shard::parse_utc(start_, "--start", /*end_of_day=*/false);
    if (busy_day_) {
      const sim::MarketOptions busy = sim::busy_day_options();
      if (app->count("--minutes") == 0) demo_.market.duration_ns = busy.duration_ns;
      demo_.market.message_rate = busy.message_rate;
      demo_.market.trade_rate = busy.trade_rate;
      demo_.market.price_move_rate = busy.price_move_rate;
    }
    demo_.reconstruct = !lake_only_;
    demo_.progress = common.progress;
    demo_.log = common.log();
    const pipeline::DemoSummary s = pipeline::run_demo(demo_);
    std::printf(
        "rlx demo: generated %lld book messages (%lld level updates), %lld trades, "
        "%lld snapshots, %lld gaps into %s\n",
        static_cast<long long>(s.market.deltas), static_cast<long long>(s.market.level_updates),
        static_cast<long long>(s.market.trades), static_cast<long long>(s.market.snapshots),
        static_cast<long long>(s.market.gaps), s.lake_dir.c_str());
    if (lake_only_) return 0;
    std::fputs(pipeline::human_summary(s.reconstruct, s.events_dir.string()).c_str(), stdout);
    const std::string glob = (s.events_dir / "**" / "*.parquet").string();
    std::printf(
        "\nLook at it (embedded DuckDB; any DuckDB, pandas or polars reads it too):\n"
        "  build/rlx sql \"SELECT event_seq, event_type, side, price, size, best_bid_price, "
        "best_ask_price FROM read_parquet('%s', hive_partitioning=true) ORDER BY event_seq "
        "LIMIT 10\"\n",
        glob.c_str());
    return 0;
  }

 private:
  pipeline::DemoOptions demo_;
  std::string out_ = "rlx-demo";
  double minutes_ = 10;
  std::string start_ = "2024-08-08";
  bool busy_day_ = false;
  bool lake_only_ = false;
};

}  // namespace

std::unique_ptr<Command> demo_command() { return std::make_unique<DemoCommand>(); }

}  // namespace rlx::cli
