// `rlx merge`: once a plan's shards are done, the run's report.json and done mark
// (docs/SHARDS.md). Exit codes as run-shard's: 75 while shards are missing.
#include <cstdio>
#include <string>

#include "rlx/api/shards.h"
#include "rlx/cli/command.h"

namespace rlx::cli {
namespace {

class MergeCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand("merge", "Finish a plan whose shards are done: report.json");
    app->add_option("--plan", plan_dir_, "Plan folder (rlx plan --out)")->required();
    app->add_flag("--checksums", checksums_,
                  "Also hash every part against manifest.json (reads the whole output; by "
                  "default each part is checked present at its size)");
    common->add_to(app);
  }

  int exit_code_of(StatusCode code) const override {
    return static_cast<int>(shard_exit_code(code));
  }

  int run(const CommonOptions& common) override {
    ReconstructResult result;
    check(merge_shards(plan_dir_, common.log(), &result, checksums_));
    std::fputs(result.summary.c_str(), stdout);
    return 0;
  }

 private:
  std::string plan_dir_;
  bool checksums_ = false;
};

}  // namespace

std::unique_ptr<Command> merge_command() { return std::make_unique<MergeCommand>(); }

}  // namespace rlx::cli
