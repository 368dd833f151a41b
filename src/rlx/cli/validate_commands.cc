#include "rlx/cli/validate_commands.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/validate/report_html.h"
#include "rlx/validate/validate.h"

namespace rlx::cli {
namespace {

constexpr NameTable<validate::InputKind, 5> kKindNames = {
    {{"auto", validate::InputKind::kAuto},
     {"binance-raw", validate::InputKind::kBinanceRaw},
     {"lake", validate::InputKind::kLake},
     {"tardis", validate::InputKind::kTardis},
     {"rlx", validate::InputKind::kRlxOutput}}};
constexpr NameTable<validate::Level, 3> kLevelNames = {
    {{"light", validate::Level::kLight},
     {"standard", validate::Level::kStandard},
     {"comprehensive", validate::Level::kComprehensive}}};

constexpr const char* kKindHelp =
    "auto (rlx output folder, Lake root, Tardis .csv, else a raw Binance capture), binance-raw, "
    "lake, tardis, rlx";

void add_side_options(CLI::App* app, SideOptions* s) {
  app->add_option("--golden", s->golden,
                  "Golden sample: a live capture (raw Binance), Lake tables, Tardis files or rlx "
                  "output")
      ->required();
  add_enum(app, "--golden-source", &s->golden_kind, kKindNames, kKindHelp);
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

const char* read_from(const validate::LoadedSide& side) {
  if (side.kind != validate::InputKind::kRlxOutput) return "reconstructed";
  return side.from_thin_copies ? "thin copies" : "parts";
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
                               {"read_from", std::string(read_from(side))}});
  return side;
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
  add_enum(app, "--candidate-source", &candidate_kind, kKindNames, kKindHelp);
  app->add_option("--out", out,
                  "Folder for report.json, metrics.prom, report.html, summary.html and summary.pdf")
      ->required();
  app->add_option("--calibration", calibration,
                  "Noise floors from `rlx calibrate` (default: measured on the golden side now)");
  app->add_flag("!--no-pdf", pdf, "Do not print summary.pdf (it needs Debian's chromium)");
  add_enum(app, "--level", &level, kLevelNames,
           "light (tier 1, paired, integrity), standard (and tier 2), comprehensive (and tier 3)");
}

int ValidateCommand::run(const Log& log) {
  const validate::ValidateConfig config = load_config(sides);
  validate::Calibration cal;
  if (!calibration.empty()) cal = validate::Calibration::load(calibration);
  log.info("validate.load", {});
  const validate::SidePair pair = validate::load_pair(
      validate::SideInput{sides.golden_kind, {sides.golden.begin(), sides.golden.end()}},
      validate::SideInput{candidate_kind, {candidate.begin(), candidate.end()}},
      load_options(sides, config));
  const validate::LoadedSide& golden = pair.golden;
  const validate::LoadedSide& cand = pair.candidate;
  log.info("validate.loaded", {{"symbol", golden.symbol},
                               {"golden_events", golden.features.events},
                               {"golden_read_from", std::string(read_from(golden))},
                               {"candidate_events", cand.features.events},
                               {"candidate_read_from", std::string(read_from(cand))}});
  const validate::Report report =
      validate::judge(golden, cand, config, level, calibration.empty() ? nullptr : &cal);

  const std::filesystem::path dir(out);
  durability::create_directories_durable(dir);
  durability::write_file_atomic(dir / "report.json", validate::report_json(report, golden, cand));
  durability::write_file_atomic(dir / "metrics.prom", validate::report_prometheus(report, golden));
  durability::write_file_atomic(
      dir / "report.html", validate::report_html(report, golden, cand, validate::echarts_js()));
  durability::write_file_atomic(dir / "summary.html", validate::summary_html(report, golden, cand));
  if (pdf) {
    std::string why;
    if (!validate::print_pdf(dir / "summary.html", dir / "summary.pdf", &why)) {
      std::fprintf(stderr, "rlx: warning: no summary.pdf: %s\n", why.c_str());
    }
  }

  std::printf("rlx validate: %s %s, %s, %u windows of %lld s compared\n", golden.exchange.c_str(),
              golden.symbol.c_str(), report.paired ? "paired" : "unpaired", report.windows_compared,
              static_cast<long long>(report.window_ns / 1'000'000'000));
  std::printf("verdict %s, score %.3f\n", validate::status_name(report.verdict), report.score);
  for (const std::string& r : report.reasons) std::printf("  %s\n", r.c_str());
  size_t shown = 0;
  for (const size_t i : report.ranked_failures) {
    if (shown++ == 10) {
      std::printf("  ... %zu more in report.json\n", report.ranked_failures.size() - 10);
      break;
    }
    const validate::MetricResult& m = report.metrics[i];
    std::printf("  %s %-36s S %.4g > %.4g: %s\n", validate::status_name(m.status),
                m.metric->id.c_str(), m.measurement.effect, m.threshold, m.metric->remedy.c_str());
  }
  for (const std::string& n : report.notes) std::printf("note: %s\n", n.c_str());
  std::printf("report: %s\n", (dir / "report.json").c_str());
  return report.verdict == validate::Status::kFail ? static_cast<int>(ExitCode::kVerdictFail) : 0;
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
