#include "rlx/pipeline/demo.h"

#include <string>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/lake_writer.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

namespace {
constexpr const char* kDemoMarker = ".rlx-demo";
}  // namespace

sim::MarketOptions default_market() {
  sim::MarketOptions market;
  market.gaps_lose_updates = true;
  return market;
}

DemoSummary run_demo(const DemoOptions& options) {
  DemoSummary summary;
  if (options.out_dir.empty())
    throw Error(StatusCode::kInvalidArgument, "demo needs an --out folder");
  for (const auto& [flag, name] :
       {std::pair{"--symbol", &options.market.symbol}, {"exchange", &options.market.exchange}}) {
    if (!valid_partition_name(*name)) {
      throw Error(StatusCode::kInvalidArgument, partition_name_error(flag, *name));
    }
  }
  if (fs::exists(options.out_dir) && !fs::is_directory(options.out_dir)) {
    throw Error(StatusCode::kInvalidArgument,
                "--out '" + options.out_dir.string() + "' is a file, not a folder");
  }
  // The demo owns its folder: a re-run starts from scratch and gives the same bytes. It only
  // clears a folder it made itself (marked), never a user's folder given by mistake.
  const fs::path marker = options.out_dir / kDemoMarker;
  if (fs::exists(options.out_dir) && !fs::is_empty(options.out_dir) && !fs::exists(marker)) {
    throw Error(StatusCode::kInvalidArgument,
                "--out '" + options.out_dir.string() +
                    "' holds files that are not an earlier rlx demo: choose a "
                    "new or empty folder");
  }
  const std::unique_ptr<durability::FileLock> lock = lock_out_dir(options.out_dir);
  durability::write_file_atomic(marker, "rlx demo output: `rlx demo` clears lake/ and events/\n");
  summary.lake_dir = options.out_dir / "lake";
  summary.events_dir = options.out_dir / "events";
  fs::remove_all(summary.lake_dir);
  fs::remove_all(summary.events_dir);

  sim::MarketGenerator generator(options.market);
  io::LakeWriterOptions wo;
  wo.root = summary.lake_dir;
  wo.exchange = options.market.exchange;
  wo.symbol = options.market.symbol;
  io::LakeWriter writer(wo);
  Message m;
  while (generator.next(&m)) {
    switch (m.kind) {
      case MessageKind::kTrade:
        writer.add_trade(m);
        break;
      case MessageKind::kDelta:
        writer.add_delta(m);
        break;
      case MessageKind::kSnapshot:
        writer.add_book(m);
        break;
      case MessageKind::kTicker:
        break;
    }
  }
  writer.close();
  summary.market = generator.stats();
  if (!options.reconstruct) return summary;

  ReconstructOptions ro;
  ro.source = SourceKind::kLake;
  ro.inputs = {summary.lake_dir};
  ro.out_dir = summary.events_dir;
  ro.top_n = options.top_n;
  ro.validate = true;  // the demo shows tier 1 in report.json, and `rlx validate` reads it fast
  ro.progress = options.progress;
  ro.log = options.log;
  summary.reconstruct = reconstruct(ro);
  return summary;
}

}  // namespace rlx::pipeline
