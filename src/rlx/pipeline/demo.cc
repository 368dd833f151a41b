#include "rlx/pipeline/demo.h"

#include "rlx/io/lake_writer.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;

sim::MarketOptions default_market() {
  sim::MarketOptions market;
  market.gaps_lose_updates = true;
  return market;
}

DemoSummary run_demo(const DemoOptions& options) {
  DemoSummary summary;
  summary.lake_dir = options.out_dir / "lake";
  summary.events_dir = options.out_dir / "events";
  // The demo owns its folder: a re-run starts from scratch and gives the same bytes.
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

  ReconstructOptions ro;
  ro.source = SourceKind::kLake;
  ro.inputs = {summary.lake_dir};
  ro.out_dir = summary.events_dir;
  ro.top_n = options.top_n;
  ro.progress = options.progress;
  ro.log = options.log;
  summary.reconstruct = reconstruct(ro);
  return summary;
}

}  // namespace rlx::pipeline
