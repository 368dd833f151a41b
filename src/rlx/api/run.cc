#include "rlx/api/run.h"

#include "rlx/core/error.h"
#include "rlx/core/name_table.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/validate/report_html.h"
#include "rlx/validate/validate.h"

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
    o.progress_sink = request.progress;
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

namespace {

// Both sides loaded at once, as the request says.
validate::SidePair load_sides(const ValidateRequest& r, const validate::ValidateConfig& config) {
  const validate::LoadOptions o = validate::load_options(
      config, r.symbol, parse_name_or_throw(pipeline::kBadRowNames, r.on_bad_row, "on_bad_row"),
      r.read_parts);
  const validate::SideInput golden{
      parse_name_or_throw(validate::kInputKindNames, r.golden_source, "golden_source"), r.golden};
  const validate::SideInput candidate{
      parse_name_or_throw(validate::kInputKindNames, r.candidate_source, "candidate_source"),
      r.candidate};
  return validate::load_pair(golden, candidate, o);
}

void write_reports(const ValidateRequest& r, const validate::Report& report,
                   const validate::SidePair& sides, ValidateResult* result) {
  const std::filesystem::path& dir = r.out_dir;
  durability::create_directories_durable(dir);
  durability::write_file_atomic(dir / "report.json",
                                validate::report_json(report, sides.golden, sides.candidate));
  durability::write_file_atomic(dir / "metrics.prom",
                                validate::report_prometheus(report, sides.golden));
  durability::write_file_atomic(
      dir / "report.html",
      validate::report_html(report, sides.golden, sides.candidate, validate::echarts_js()));
  durability::write_file_atomic(dir / "summary.html",
                                validate::summary_html(report, sides.golden, sides.candidate));
  if (r.pdf && !validate::print_pdf(dir / "summary.html", dir / "summary.pdf", r.chromium,
                                    &result->pdf_error)) {
    r.log.warn("validate.no_pdf", {{"why", result->pdf_error}});
  }
}

}  // namespace

Status validate_candidate(const ValidateRequest& request, ValidateResult* result) {
  try {
    *result = ValidateResult();
    const validate::ValidateConfig config = request.config.empty()
                                                ? validate::ValidateConfig{}
                                                : validate::ValidateConfig::load(request.config);
    validate::Calibration calibration;
    if (!request.calibration.empty())
      calibration = validate::Calibration::load(request.calibration);
    const validate::Level level =
        parse_name_or_throw(validate::kLevelNames, request.level, "level");
    request.log.info("validate.load", {});
    const validate::SidePair sides = load_sides(request, config);
    request.log.info("validate.loaded",
                     {{"symbol", sides.golden.symbol},
                      {"golden_events", sides.golden.features.events},
                      {"golden_read_from", std::string(validate::read_from(sides.golden))},
                      {"candidate_events", sides.candidate.features.events},
                      {"candidate_read_from", std::string(validate::read_from(sides.candidate))}});
    const validate::Report report =
        validate::judge(sides.golden, sides.candidate, config, level,
                        request.calibration.empty() ? nullptr : &calibration);
    write_reports(request, report, sides, result);
    result->verdict = validate::status_name(report.verdict);
    result->score = report.score;
    result->exchange = sides.golden.exchange;
    result->symbol = sides.golden.symbol;
    result->paired = report.paired;
    result->windows = report.windows_compared;
    result->window_seconds = report.window_ns / 1'000'000'000;
    result->reasons = report.reasons;
    result->notes = report.notes;
    for (const size_t i : report.ranked_failures) {
      const validate::MetricResult& m = report.metrics[i];
      result->failures.push_back(MetricFailure{m.metric->id, validate::status_name(m.status),
                                               m.measurement.effect, m.threshold,
                                               m.metric->remedy});
    }
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

}  // namespace rlx
