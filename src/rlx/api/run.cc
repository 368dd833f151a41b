#include "rlx/api/run.h"

#include <fmt/format.h>

#include "rlx/api/request.h"
#include "rlx/core/error.h"
#include "rlx/core/name_table.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/report.h"
#include "rlx/pipeline/run_state.h"
#include "rlx/pipeline/supervisor.h"
#include "rlx/validate/report_html.h"
#include "rlx/validate/validate.h"

namespace rlx {

namespace {

pipeline::SupervisorOptions supervisor_options_of(const ReconstructRequest& r,
                                                  pipeline::ReconstructOptions run) {
  pipeline::SupervisorOptions so;
  so.run = std::move(run);
  so.worker_binary = r.rlx_binary;
  so.worker_args = {"--log-level", std::string(name_of(kLogLevelNames, r.log.level())),
                    "--log-format", std::string(name_of(kLogFormatNames, r.log.format()))};
  so.workers = r.workers;
  so.queue_messages = r.queue_messages;
  so.max_failures = r.max_failures;
  so.watchdog_seconds = r.worker_timeout_s;
  so.cores_per_worker = r.cores_per_worker;
  return so;
}

// Whether the run is supervised: as asked, or for a resumed run as it was started.
bool supervised(const ReconstructRequest& r) {
  if (!r.resume) return !r.rlx_binary.empty();
  const std::filesystem::path state = r.out_dir / pipeline::kStateDir;
  if (pipeline::run_status(state) != pipeline::RunStatus::kUnfinished) {
    return !r.rlx_binary.empty();  // the pipeline says what is wrong
  }
  if (pipeline::read_run_file(state, r.out_dir).mode != pipeline::RunMode::kSupervised) {
    return false;
  }
  if (r.rlx_binary.empty()) {
    throw Error(StatusCode::kInvalidArgument,
                r.out_dir.string() +
                    " was started with a worker process per symbol: resuming it needs rlx_binary");
  }
  return true;
}

}  // namespace

Status reconstruct(const ReconstructRequest& request, ReconstructResult* result) {
  try {
    *result = ReconstructResult();
    if (request.resume &&
        pipeline::run_status(request.out_dir / pipeline::kStateDir) == pipeline::RunStatus::kDone) {
      result->was_finished = true;
      return Status();
    }
    const pipeline::ReconstructOptions options = reconstruct_options(request);
    const pipeline::ReconstructSummary s =
        supervised(request) ? pipeline::supervise(supervisor_options_of(request, options))
                            : pipeline::reconstruct(options);
    *result = result_of(s, request.out_dir);
    if (!s.input_error.empty()) return Status(StatusCode::kBadInput, s.input_error);
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
    const auto stage = [&request](std::string_view text, bool final = false) {
      if (request.progress != nullptr) request.progress->status(text, final);
    };
    request.log.info("validate.load", {});
    stage("loading golden and candidate");
    const validate::SidePair sides = load_sides(request, config);
    request.log.info("validate.loaded",
                     {{"symbol", sides.golden.symbol},
                      {"golden_events", sides.golden.features.events},
                      {"golden_read_from", std::string(validate::read_from(sides.golden))},
                      {"candidate_events", sides.candidate.features.events},
                      {"candidate_read_from", std::string(validate::read_from(sides.candidate))}});
    stage(fmt::format("judging {} golden and {} candidate events", sides.golden.features.events,
                      sides.candidate.features.events));
    const validate::Report report =
        validate::judge(sides.golden, sides.candidate, config, level,
                        request.calibration.empty() ? nullptr : &calibration);
    stage(request.pdf ? "writing the reports and summary.pdf" : "writing the reports");
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
    stage(fmt::format("{}, score {:.3f}", result->verdict, result->score), /*final=*/true);
    return Status();
  } catch (...) {
    return status_from_exception();
  }
}

}  // namespace rlx
