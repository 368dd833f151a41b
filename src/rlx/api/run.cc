#include "rlx/api/run.h"

#include "rlx/core/error.h"
#include "rlx/core/name_table.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/reconstruct.h"

namespace rlx {

Status reconstruct(const ReconstructRequest& request, ReconstructResult* result) {
  try {
    pipeline::ReconstructOptions o;
    o.source = parse_name_or_throw(pipeline::kSourceNames, request.source, "source");
    o.on_bad_row = parse_name_or_throw(pipeline::kBadRowNames, request.on_bad_row, "on_bad_row");
    o.inputs = request.inputs;
    o.out_dir = request.out_dir;
    o.symbols = request.symbols;
    o.date_from = request.date_from;
    o.date_to = request.date_to;
    o.top_n = request.top_n;
    o.rows_per_file = request.rows_per_file;
    o.overwrite = request.overwrite;
    o.validate = request.validate;
    o.progress = ProgressMode::kNever;
    o.log = request.log;
    const pipeline::ReconstructSummary s = pipeline::reconstruct(o);
    *result = ReconstructResult{s.messages, s.rows, s.quarantined, s.seconds, {}};
    for (const pipeline::SymbolSummary& y : s.symbols) {
      result->symbols.push_back(
          SymbolResult{y.exchange, y.symbol, y.rows, y.files, y.stats.gaps, y.stats.resyncs});
    }
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

}  // namespace rlx
