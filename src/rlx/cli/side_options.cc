#include "rlx/cli/side_options.h"

#include "rlx/cli/cli_options.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {

const char* const kKindHelp =
    "auto (rlx output folder, Lake root, Tardis .csv, else a raw Binance capture), binance-raw, "
    "lake, tardis, rlx";

void add_side_options(CLI::App* app, SideOptions* s) {
  app->add_option("--golden", s->golden,
                  "Golden sample: a live capture (raw Binance), Lake tables, Tardis files or rlx "
                  "output")
      ->required();
  add_enum(app, "--golden-source", &s->golden_kind, validate::kInputKindNames, kKindHelp);
  app->add_option("--symbol", s->symbol,
                  "The symbol to compare (default: the one symbol the inputs hold)");
  app->add_option("--config", s->config,
                  "Validation settings, JSON (docs/VALIDATE.md: window_seconds, floor_quantile, "
                  "min_score, seed, tick, lot, metrics)");
  add_enum(app, "--on-bad-row", &s->on_bad_row, pipeline::kBadRowNames, "fail or quarantine");
  app->add_flag("--read-parts", s->read_parts,
                "rlx output: read the Parquet parts even where `rlx reconstruct --validate` wrote "
                "thin copies (the same features, several times slower)");
}

}  // namespace rlx::cli
