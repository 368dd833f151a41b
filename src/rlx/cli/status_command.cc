// `rlx status`: the shards of a plan and their state (docs/SHARDS.md).
#include <cstdio>
#include <map>
#include <string>

#include "rlx/api/shards.h"
#include "rlx/cli/command.h"

namespace rlx::cli {
namespace {

class StatusCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand("status", "List a plan's shards and their state");
    app->add_option("--plan", plan_dir_, "Plan folder (rlx plan --out)")->required();
    common->add_to(app);
  }

  int run(const CommonOptions& /*common*/) override {
    PlanResult plan;
    check(shard_status(plan_dir_, &plan));
    std::map<std::string, size_t> counts;
    std::printf("%-7s %-9s %s\n", "shard", "state", "id");
    for (const ShardInfo& s : plan.shards) {
      ++counts[s.state];
      std::printf("%-7u %-9s %s%s%s\n", s.index, s.state.c_str(), s.id.c_str(),
                  s.error.empty() ? "" : ": ", s.error.c_str());
    }
    std::string line;
    for (const auto& [state, n] : counts) {
      line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + state;
    }
    std::printf("%zu shards: %s\n", plan.shards.size(), line.c_str());
    return 0;
  }

 private:
  std::string plan_dir_;
};

}  // namespace

std::unique_ptr<Command> status_command() { return std::make_unique<StatusCommand>(); }

}  // namespace rlx::cli
