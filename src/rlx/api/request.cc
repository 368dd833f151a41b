#include "rlx/api/request.h"

#include "rlx/core/name_table.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/report.h"

namespace rlx {

pipeline::ReconstructOptions reconstruct_options(const ReconstructRequest& r) {
  pipeline::ReconstructOptions o;
  o.source = parse_name_or_throw(pipeline::kSourceNames, r.source, "source");
  o.inputs = r.inputs;
  o.out_dir = r.out_dir;
  o.symbols = r.symbols;
  o.date_from = r.date_from;
  o.date_to = r.date_to;
  o.top_n = r.top_n;
  o.rows_per_file = r.rows_per_file;
  o.batch_size = r.batch_size;
  o.on_bad_row = parse_name_or_throw(pipeline::kBadRowNames, r.on_bad_row, "on_bad_row");
  o.book.crossed = parse_name_or_throw(pipeline::kCrossedNames, r.crossed, "crossed");
  o.book.consume_trades =
      parse_name_or_throw(pipeline::kConsumeNames, r.consume_trades, "consume_trades");
  o.book.snapshot =
      parse_name_or_throw(pipeline::kSnapshotNames, r.snapshot_policy, "snapshot_policy");
  o.overwrite = r.overwrite;
  o.validate = r.validate;
  o.thin_copies = r.thin_copies;
  o.resume = r.resume;
  o.durable = r.durable;
  o.fsync = parse_name_or_throw(pipeline::kFsyncNames, r.fsync, "fsync");
  o.fsync_interval_ms = r.fsync_interval_ms;
  o.checkpoint_batches = r.checkpoint_batches;
  o.checkpoint_seconds = r.checkpoint_seconds;
  o.keep_checkpoints = r.keep_checkpoints;
  o.progress = ProgressMode::kNever;
  o.progress_sink = r.progress;
  o.log = r.log;
  return o;
}

ReconstructResult result_of(const pipeline::ReconstructSummary& s,
                            const std::filesystem::path& out_dir) {
  ReconstructResult result{
      s.messages, s.rows,           s.quarantined, s.seconds,
      {},         s.failed_symbols, false,         pipeline::human_summary(s, out_dir)};
  for (const pipeline::SymbolSummary& y : s.symbols) {
    result.symbols.push_back(SymbolResult{y.exchange, y.symbol, y.rows, y.files, y.stats.gaps,
                                          y.stats.resyncs, y.failed, y.attempts, y.failures});
  }
  return result;
}

}  // namespace rlx
