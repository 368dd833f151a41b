#include "rlx/cli/run_options.h"

#include "rlx/cli/cli_options.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {

void add_output_options(CLI::App* app, ReconstructRequest* request) {
  add_number(app, pipeline::kTopN, &request->top_n,
             "Book levels per side in the enrichment columns (0-50)");
  add_number(app, pipeline::kRowsPerFile, &request->rows_per_file, "Rows per Parquet part file");
  add_number(app, pipeline::kBatchSize, &request->batch_size,
             "Messages per micro-batch (1-1000000)");
  add_enum(app, "--on-bad-row", &request->on_bad_row, pipeline::kBadRowNames,
           "Bad input rows: fail (error naming file, row, field) or quarantine (skip, count, "
           "report)");
  add_enum(app, "--crossed", &request->crossed, pipeline::kCrossedNames,
           "Crossed book policy: keep, drop-stale, drop-both (always counted)");
  add_enum(app, "--consume-trades", &request->consume_trades, pipeline::kConsumeNames,
           "Trades remove passive liquidity: auto (only until the first delta), on, off");
  add_enum(app, "--snapshot-policy", &request->snapshot_policy, pipeline::kSnapshotNames,
           "Snapshots: auto, replace (the whole book), merge-range (keep levels deeper than the "
           "snapshot)");
  app->add_flag("--overwrite", request->overwrite, "Replace an earlier output in --out");
  app->add_flag("--validate", request->validate,
                "Keep tier-1 fidelity statistics per symbol while writing (report.json `stream`; "
                "docs/VALIDATE.md), and a thin copy beside each part for `rlx validate`");
  app->add_flag("!--no-thin-copies", request->thin_copies,
                "With --validate: tier-1 statistics only, no thin copies (rlx validate then "
                "decodes the parts)");
}

}  // namespace rlx::cli
