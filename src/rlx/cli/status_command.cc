// `rlx status`: the shards of a plan and their state (docs/SHARDS.md).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "rlx/api/shards.h"
#include "rlx/cli/command.h"
#include "rlx/stats/order_statistics.h"

namespace rlx::cli {
namespace {

// A done shard whose marker says what it cost.
bool has_cost(const ShardInfo& s) { return s.state == "done" && s.seconds >= 0; }

// The done shards' spread of wall time and peak memory, and their totals (empty if none says).
std::string cost_line(const std::vector<ShardInfo>& shards) {
  std::vector<double> wall, peak_mb;
  int64_t rows = 0;
  double cpu = 0;
  for (const ShardInfo& s : shards) {
    if (!has_cost(s)) continue;
    wall.push_back(s.seconds);
    peak_mb.push_back(static_cast<double>(s.peak_rss_bytes >> 20));
    rows += s.rows;
    cpu += s.cpu_seconds;
  }
  if (wall.empty()) return "";
  const auto spread = [](std::vector<double> v, const char* format) {
    const auto [min, max] = std::minmax_element(v.begin(), v.end());
    const double lo = *min, hi = *max;
    return fmt::format(fmt::runtime(format), lo, stats::median(v), hi);
  };
  return fmt::format("{} done: {} rows, {:.1f} s of CPU; wall s per shard {}; peak MB {}\n",
                     wall.size(), rows, cpu, spread(wall, "min {:.1f} median {:.1f} max {:.1f}"),
                     spread(peak_mb, "min {:.0f} median {:.0f} max {:.0f}"));
}

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
    std::printf("%-7s %-9s %12s %8s %8s %8s  %s\n", "shard", "state", "rows", "wall s", "cpu s",
                "peak MB", "id");
    for (const ShardInfo& s : plan.shards) {
      ++counts[s.state];
      const bool cost = has_cost(s);
      std::printf("%-7u %-9s %12s %8s %8s %8s  %s%s%s\n", s.index, s.state.c_str(),
                  cost ? std::to_string(s.rows).c_str() : "-",
                  cost ? fmt::format("{:.1f}", s.seconds).c_str() : "-",
                  cost ? fmt::format("{:.1f}", s.cpu_seconds).c_str() : "-",
                  cost ? std::to_string(s.peak_rss_bytes >> 20).c_str() : "-", s.id.c_str(),
                  s.error.empty() ? "" : ": ", s.error.c_str());
    }
    std::string line;
    for (const auto& [state, n] : counts) {
      line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + state;
    }
    std::printf("%zu shards: %s\n", plan.shards.size(), line.c_str());
    std::fputs(cost_line(plan.shards).c_str(), stdout);
    return 0;
  }

 private:
  std::string plan_dir_;
};

}  // namespace

std::unique_ptr<Command> status_command() { return std::make_unique<StatusCommand>(); }

}  // namespace rlx::cli
