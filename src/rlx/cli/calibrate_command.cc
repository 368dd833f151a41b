// `rlx calibrate`: measure each metric's noise floor between disjoint golden windows.
#include <cmath>
#include <cstdio>
#include <string>

#include "rlx/cli/command.h"
#include "rlx/cli/side_options.h"
#include "rlx/durability/durable_file.h"
#include "rlx/validate/validate.h"

namespace rlx::cli {
namespace {

validate::ValidateConfig load_config(const SideOptions& s) {
  return s.config.empty() ? validate::ValidateConfig{} : validate::ValidateConfig::load(s.config);
}

validate::LoadedSide load_golden(const SideOptions& s, const validate::ValidateConfig& config,
                                 const Log& log) {
  validate::SideInput in{s.golden_kind, {s.golden.begin(), s.golden.end()}};
  validate::LoadOptions o = validate::load_options(config, s.symbol, s.on_bad_row, s.read_parts);
  o.features.probe_snapshots = true;
  log.info("validate.load", {{"side", std::string("golden")}});
  validate::LoadedSide side = validate::load_side(in, o);
  log.info("validate.loaded", {{"side", std::string("golden")},
                               {"symbol", side.symbol},
                               {"events", side.features.events},
                               {"read_from", std::string(validate::read_from(side))}});
  return side;
}

class CalibrateCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override;
  int run(const CommonOptions& common) override;

 private:
  SideOptions sides;
  std::string out;
};

void CalibrateCommand::add_to(CLI::App& parent, CommonOptions* common) {
  app = parent.add_subcommand("calibrate",
                              "Measure each metric's noise floor between disjoint golden windows");
  add_side_options(app, &sides);
  app->add_option("--out", out, "Calibration file to write (JSON, versioned, with input hashes)")
      ->required();
  common->add_to(app);
}

int CalibrateCommand::run(const CommonOptions& common) {
  const Log log = common.log();
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

}  // namespace

std::unique_ptr<Command> calibrate_command() { return std::make_unique<CalibrateCommand>(); }

}  // namespace rlx::cli
