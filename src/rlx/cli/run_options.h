// The options that define a reconstruction's output and book, shared by `rlx reconstruct` and
// `rlx plan` (whose shards run the same reconstruction).
#pragma once

#include <CLI/CLI.hpp>

#include "rlx/api/run.h"

namespace rlx::cli {

// --top-n, --rows-per-file, --batch-size, --on-bad-row, --crossed, --consume-trades,
// --snapshot-policy, --overwrite, --validate, --no-thin-copies.
void add_output_options(CLI::App* app, ReconstructRequest* request);

}  // namespace rlx::cli
