// `rlx validate`: a client of rlx::validate_candidate (api/run.h) that prints its result and
// exits 6 on a FAIL verdict.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rlx/api/run.h"
#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/cli/exit_code.h"
#include "rlx/cli/side_options.h"
#include "rlx/core/error.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/validate/config.h"

namespace rlx::cli {
namespace {

class ValidateCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  SideOptions sides;
  std::vector<std::string> candidate;
  validate::InputKind candidate_kind = validate::InputKind::kAuto;
  std::string out;
  std::string calibration;
  validate::Level level = validate::Level::kStandard;
  bool pdf = true;
};

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

void ValidateCommand::add_to(CLI::App& parent, CommonOptions* common) {
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
  common->add_to(app);
}

int ValidateCommand::run(const CommonOptions& common) {
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
  // $RLX_CHROMIUM names another browser (docs/CLI.md): the environment is the command line's.
  if (const char* browser = std::getenv("RLX_CHROMIUM"); browser != nullptr && *browser != '\0') {
    r.chromium = browser;
  }
  r.log = common.log();
  ValidateResult v;
  Status s;
  {
    TerminalProgress line(common.progress, "validate");  // ends its line before the result
    r.progress = line.sink();
    s = validate_candidate(r, &v);
  }
  check(s);
  print(v);
  std::printf("report: %s\n", (std::filesystem::path(out) / "report.json").c_str());
  return v.verdict == "FAIL" ? static_cast<int>(ExitCode::kVerdictFail) : 0;
}

}  // namespace

std::unique_ptr<Command> validate_command() { return std::make_unique<ValidateCommand>(); }

}  // namespace rlx::cli
