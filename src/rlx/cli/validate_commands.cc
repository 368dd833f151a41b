#include "rlx/cli/validate_commands.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "rlx/api/run.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/validate/report_html.h"
#include "rlx/validate/validate.h"

namespace rlx::cli {
namespace {

constexpr const char* kKindHelp =
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

validate::ValidateConfig load_config(const SideOptions& s) {
  return s.config.empty() ? validate::ValidateConfig{} : validate::ValidateConfig::load(s.config);
}

validate::LoadOptions load_options(const SideOptions& s, const validate::ValidateConfig& config) {
  validate::LoadOptions o;
  o.symbol = s.symbol;
  o.features = validate::feature_options(config);
  o.on_bad_row = s.on_bad_row;
  o.read_parts = s.read_parts;
  return o;
}

validate::LoadedSide load_golden(const SideOptions& s, const validate::ValidateConfig& config,
                                 const Log& log) {
  validate::SideInput in{s.golden_kind, {s.golden.begin(), s.golden.end()}};
  validate::LoadOptions o = load_options(s, config);
  o.features.probe_snapshots = true;
  log.info("validate.load", {{"side", std::string("golden")}});
  validate::LoadedSide side = validate::load_side(in, o);
  log.info("validate.loaded", {{"side", std::string("golden")},
                               {"symbol", side.symbol},
                               {"events", side.features.events},
                               {"read_from", std::string(validate::read_from(side))}});
  return side;
}

void print(const ValidateResult& v) {
  if (!v.pdf_error.empty())
    std::fprintf(stderr, "rlx: warning: no summary.pdf: %s\n", v.pdf_error.c_str());
  std::printf("rlx validate: %s %s, %s, %u windows of %lld s compared\n", v.exchange.c_str(),
              v.symbol.c_str(), v.paired ? "paired" : "unpaired", v.windows,
              static_cast<long long>(v.window_seconds));
  std::printf("verdict %s, score %.3f\n", v.verdict.c_str(), v.score);
  for (const std::string& r : v.reasons) std::printf("  %s\n", r.c_str());
  size_t shown = 0;
  for (const MetricFailure& m : v.failures) {
    if (shown++ == 10) {
      std::printf("  ... %zu more in report.json\n", v.failures.size() - 10);
      break;
    }
    std::printf("  %s %-36s S %.4g > %.4g: %s\n", m.status.c_str(), m.metric.c_str(), m.effect,
                m.threshold, m.remedy.c_str());
  }
  for (const std::string& n : v.notes) std::printf("note: %s\n", n.c_str());
}

}  // namespace

void ValidateCommand::add_to(CLI::App& parent) {
  app = parent.add_subcommand("validate",
                              "Judge a reconstruction (candidate) against a golden sample: "
                              "verdict, report.json, metrics.prom");
  add_side_options(app, &sides);
  app->add_option("--candidate", candidate,
                  "Candidate: rlx output, or raw inputs reconstructed on the fly (Lake, Tardis, "
                  "raw Binance)")
      ->required();
  add_enum(app, "--candidate-source", &candidate_kind, validate::kInputKindNames, kKindHelp);
  app->add_option("--out", out,
                  "Folder for report.json, metrics.prom, report.html, summary.html and summary.pdf")
      ->required();
  app->add_option("--calibration", calibration,
                  "Noise floors from `rlx calibrate` (default: measured on the golden side now)");
  app->add_flag("!--no-pdf", pdf, "Do not print summary.pdf (it needs Debian's chromium)");
  add_enum(app, "--level", &level, validate::kLevelNames,
           "light (tier 1, paired, integrity), standard (and tier 2), comprehensive (and tier 3)");
}

int ValidateCommand::run(const Log& log) {
  ValidateRequest r;
  r.golden.assign(sides.golden.begin(), sides.golden.end());
  r.golden_source = name_of(validate::kInputKindNames, sides.golden_kind);
  r.candidate.assign(candidate.begin(), candidate.end());
  r.candidate_source = name_of(validate::kInputKindNames, candidate_kind);
  r.out_dir = out;
  r.symbol = sides.symbol;
  r.config = sides.config;
  r.calibration = calibration;
  r.level = name_of(validate::kLevelNames, level);
  r.on_bad_row = name_of(pipeline::kBadRowNames, sides.on_bad_row);
  r.read_parts = sides.read_parts;
  r.pdf = pdf;
  r.log = log;
  ValidateResult v;
  const Status s = validate_candidate(r, &v);
  if (!s.ok()) throw Error(s.code(), s.where(), s.message());
  print(v);
  std::printf("report: %s\n", (std::filesystem::path(out) / "report.json").c_str());
  return v.verdict == "FAIL" ? static_cast<int>(ExitCode::kVerdictFail) : 0;
}

void CalibrateCommand::add_to(CLI::App& parent) {
  app = parent.add_subcommand("calibrate",
                              "Measure each metric's noise floor between disjoint golden windows");
  add_side_options(app, &sides);
  app->add_option("--out", out, "Calibration file to write (JSON, versioned, with input hashes)")
      ->required();
}

int CalibrateCommand::run(const Log& log) {
  const validate::ValidateConfig config = load_config(sides);
  const validate::LoadedSide golden = load_golden(sides, config, log);
  const validate::Calibration c = validate::calibrate(golden, config);
  durability::write_file_atomic(out, c.to_json());
  uint32_t with_floor = 0;
  for (const auto& f : c.floors) with_floor += !std::isnan(f.tau);
  std::printf(
      "rlx calibrate: %s %s, %u clean windows of %lld s, %u pairs; %u of %zu floors "
      "measured -> %s\n",
      c.exchange.c_str(), c.symbol.c_str(), c.windows,
      static_cast<long long>(c.window_ns / 1'000'000'000), c.pairs, with_floor, c.floors.size(),
      out.c_str());
  return 0;
}

}  // namespace rlx::cli
